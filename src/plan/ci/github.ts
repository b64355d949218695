import type { DeployTarget } from "../deploy/target.js";

export const githubProvider: DeployTarget = {
  name: "github",
  summary: "not generated yet",
  honours: [],
  ignores: [],
  emit: () => [],
};
