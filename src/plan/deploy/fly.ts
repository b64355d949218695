import type { DeployTarget } from "./target.js";

export const flyTarget: DeployTarget = {
  name: "fly",
  summary: "not generated yet",
  honours: [],
  ignores: [],
  emit: () => [],
};
