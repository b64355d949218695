import type { DeployTarget } from "./target.js";

export const dockerTarget: DeployTarget = {
  name: "docker",
  summary: "not generated yet",
  honours: [],
  ignores: [],
  emit: () => [],
};
