import type { DeployTarget } from "./target.js";

export const composeTarget: DeployTarget = {
  name: "compose",
  summary: "not generated yet",
  honours: [],
  ignores: [],
  emit: () => [],
};
