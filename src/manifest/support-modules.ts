import type { Manifest } from "./model.js";
import { camelCase } from "./names.js";
import { joinsPgGroup, pgScopeService } from "./pg-groups.js";

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
  /** The cron parser of `scheduled` services (shared with otpiser's validator rules). */
  cron: "Cron",
  /** Not a module of its own: the graceful-shutdown test is `<App>.ShutdownTest` in test/<app>/shutdown_test.exs. */
  shutdown: "Shutdown",
} as const;

export function supportModule(appModule: string, name: keyof typeof SUPPORT_MODULE_NAMES): string {
  return `${appModule}.${SUPPORT_MODULE_NAMES[name]}`;
}

/**
 * The chaos task of every generated project (src/plan/chaos.ts): named after the app's *name*, not its module, so that
 * `mix` knows it as `mix <app>.chaos`. Outside the app's namespace, but a service could still take the name.
 */
export function chaosTaskModule(appName: string): string {
  return `Mix.Tasks.${camelCase(appName)}.Chaos`;
}

/** The support modules this manifest's project will have, each with what it is (for the E020 message). */
export function reservedModules(m: Manifest): [string, string][] {
  const app = m.app.module;
  const out: [string, string][] = [
    [supportModule(app, "lifecycle"), "the generated lifecycle telemetry module"],
    [supportModule(app, "supervisionCase"), "the generated supervision test helper"],
    [supportModule(app, "shutdown"), "the name of the generated shutdown test"],
    [chaosTaskModule(m.app.name), "the generated chaos task (`mix <app>.chaos`)"],
  ];
  if (m.features.telemetry === "builtin") out.push([supportModule(app, "telemetry"), "the generated telemetry module"]);
  if (m.http) {
    out.push(
      [supportModule(app, "http"), "the generated HTTP endpoint"],
      [supportModule(app, "httpHandler"), "the generated HTTP request handler"],
      [supportModule(app, "metrics"), "the generated metrics module"],
    );
  }
  if (m.services.some((s) => s.spec.kind === "scheduled")) {
    out.push([supportModule(app, "cron"), "the generated cron parser of scheduled services"]);
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

/** A process the application starts under its root beside the computed tree (not a service of the manifest). */
export interface SupportChild {
  module: string;
  /** `first`: before the tree's children (stopped last); `last`: after them (stopped first). */
  position: "first" | "last";
  what: string;
}

/** The support processes of this manifest's application, in start order (the planner starts exactly these). */
export function supportChildren(m: Manifest): SupportChild[] {
  const out: SupportChild[] = [];
  if (!pgScopeService(m) && m.services.some(joinsPgGroup)) {
    out.push({ module: ":pg", position: "first", what: "OTP's default process-group scope, joined by the services with `pg_group`" });
  }
  if (m.cluster?.enabled) {
    out.push({ module: supportModule(m.app.module, "cluster"), position: "first", what: `node discovery (${m.cluster.discovery}), nodeup/nodedown, netsplits` });
  }
  if (m.http) out.push({ module: supportModule(m.app.module, "http"), position: "last", what: `/healthz, /readyz, /metrics on port ${m.http.port}` });
  return out;
}
