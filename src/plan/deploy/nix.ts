import type { DeployTarget } from "./target.js";

export const nixTarget: DeployTarget = {
  name: "nix",
  summary: "not generated yet",
  honours: [],
  ignores: [],
  emit: () => [],
};
