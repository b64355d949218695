import type { DeployTarget } from "./target.js";

export const volantTarget: DeployTarget = {
  name: "volant",
  summary: "not generated yet",
  honours: [],
  ignores: [],
  emit: () => [],
};
