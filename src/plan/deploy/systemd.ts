import type { DeployTarget } from "./target.js";

export const systemdTarget: DeployTarget = {
  name: "systemd",
  summary: "not generated yet",
  honours: [],
  ignores: [],
  emit: () => [],
};
