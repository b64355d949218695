import type { DeployTarget } from "./target.js";

export const argocdTarget: DeployTarget = {
  name: "argocd",
  summary: "not generated yet",
  honours: [],
  ignores: [],
  emit: () => [],
};
