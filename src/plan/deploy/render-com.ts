import type { DeployTarget } from "./target.js";

export const renderTarget: DeployTarget = {
  name: "render",
  summary: "not generated yet",
  honours: [],
  ignores: [],
  emit: () => [],
};
