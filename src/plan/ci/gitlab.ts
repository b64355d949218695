import type { DeployTarget } from "../deploy/target.js";

export const gitlabProvider: DeployTarget = {
  name: "gitlab",
  summary: "not generated yet",
  honours: [],
  ignores: [],
  emit: () => [],
};
