import type { DeployTarget } from "./target.js";

export const hop3Target: DeployTarget = {
  name: "hop3",
  summary: "not generated yet",
  honours: [],
  ignores: [],
  emit: () => [],
};
