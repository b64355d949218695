import type { DeployTarget } from "./target.js";

export const herokuTarget: DeployTarget = {
  name: "heroku",
  summary: "not generated yet",
  honours: [],
  ignores: [],
  emit: () => [],
};
