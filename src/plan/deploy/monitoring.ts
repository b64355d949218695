import type { DeployTarget } from "./target.js";

export const monitoringTarget: DeployTarget = {
  name: "monitoring",
  summary: "not generated yet",
  honours: [],
  ignores: [],
  emit: () => [],
};
