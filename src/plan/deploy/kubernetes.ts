import type { DeployTarget } from "./target.js";

export const kubernetesTarget: DeployTarget = {
  name: "kubernetes",
  summary: "not generated yet",
  honours: [],
  ignores: [],
  emit: () => [],
};
