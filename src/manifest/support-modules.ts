import type { Manifest } from "./model.js";

/**
 * Modules otpiser generates beside the services' own, under the app's namespace. The validator reserves them (E020
 * when a service or group would take one of these names) and the planner names them from here.
 */
export const SUPPORT_MODULE_NAMES = {
  lifecycle: "Lifecycle",
  telemetry: "Telemetry",
  http: "Http",
  httpHandler: "Http.Handler",
  metrics: "Metrics",
  cluster: "Cluster",
  /** Not modules: names of the generated cluster tests (`<App>.Cluster.ThreeNodesTest`, `...PgGroupsTest`). */
  clusterNodesTest: "Cluster.ThreeNodes",
  pgGroupsTest: "Cluster.PgGroups",
  supervisionCase: "SupervisionCase",
  /** Not a module of its own: the graceful-shutdown test is `<App>.ShutdownTest` in test/<app>/shutdown_test.exs. */
  shutdown: "Shutdown",
} as const;

export function supportModule(appModule: string, name: keyof typeof SUPPORT_MODULE_NAMES): string {
  return `${appModule}.${SUPPORT_MODULE_NAMES[name]}`;
}

/** The support modules this manifest's project will have, each with what it is (for the E020 message). */
export function reservedModules(m: Manifest): [string, string][] {
  const app = m.app.module;
  const out: [string, string][] = [
    [supportModule(app, "lifecycle"), "the generated lifecycle telemetry module"],
    [supportModule(app, "supervisionCase"), "the generated supervision test helper"],
    [supportModule(app, "shutdown"), "the name of the generated shutdown test"],
  ];
  if (m.features.telemetry === "builtin") out.push([supportModule(app, "telemetry"), "the generated telemetry module"]);
  if (m.http) {
    out.push(
      [supportModule(app, "http"), "the generated HTTP endpoint"],
      [supportModule(app, "httpHandler"), "the generated HTTP request handler"],
      [supportModule(app, "metrics"), "the generated metrics module"],
    );
  }
  if (m.cluster?.enabled) {
    out.push(
      [supportModule(app, "cluster"), "the generated cluster module"],
      [supportModule(app, "clusterNodesTest"), "the name of the generated 3-node cluster test"],
      [supportModule(app, "pgGroupsTest"), "the name of the generated process-group test"],
    );
  }
  return out;
}
