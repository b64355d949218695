/**
 * Hand-built manifests and topologies with `health` services and `[http]`, standing in for the pipeline.
 */
import type { Service } from "../../src/manifest/model.js";
import { genServer, leaf, manifest, service, supervisorNode, topology } from "./fixtures.js";
import type { App } from "./mix-helpers.js";

function health(app: string, id: string, probes: string[], extra: Partial<Service> = {}): Service {
  return service(app, id, { kind: "health", intervalMs: 100, probes }, extra);
}

/**
 * Every kind of probe: alive/call on GenServers in a rest_for_one chain, on a registry and on an external; `mfa:`
 * targets in the namespace (one stub module shared with a step) and outside it (a module that does not exist);
 * a second health service without telemetry; and the endpoint.
 */
export function healthApp(): App {
  const A = "Clinic";
  const config = service(A, "config", genServer({ calls: [{ name: "get", args: ["key"] }] }));
  const migrate = service(A, "migrate", { kind: "step", run: "Clinic.Checks.migrate" }, { dependsOn: ["config"], restart: "temporary" });
  const db = service(A, "db", genServer({}), { dependsOn: ["config"] });
  const cache = service(A, "cache", genServer({ casts: [{ name: "put", args: ["key", "value"] }] }));
  const sessions = service(A, "sessions", { kind: "registry", keys: "unique", partitions: 1 });
  const pubsub = service(A, "pubsub", { kind: "external", childSpec: "{Task.Supervisor, name: Clinic.PubSub}", type: "supervisor", deps: [] });
  const probes = [
    "alive:db",
    "call:cache",
    "alive:sessions",
    "call:sessions",
    "alive:pubsub",
    "call:config",
    "mfa:Clinic.Checks.db_ok",
    "mfa:Clinic.Checks.ready?",
    "mfa:Mod.fun",
  ];
  const checkup = health(A, "health", probes, { uses: ["db", "cache"], doc: "Is the clinic open?" });
  const quiet = health(A, "quiet_health", ["alive:config"], { telemetry: false });
  const services = [config, migrate, db, cache, sessions, pubsub, checkup, quiet];
  const m = manifest("clinic", A, services, { http: { port: 4000 } });
  const root = supervisorNode("clinic", "Clinic.Application", "application", "one_for_one", [
    supervisorNode("core_chain", "Clinic.CoreChain", "computed", "rest_for_one", [leaf(config), leaf(migrate), leaf(db)], [3, 5]),
    leaf(cache),
    leaf(sessions, "supervisor"),
    leaf(pubsub, "supervisor"),
    leaf(checkup),
    leaf(quiet),
  ]);
  return { manifest: m, topology: topology("clinic", root) };
}

/** A health service without `[http]`, and one without probes. */
export function healthOnlyApp(): App {
  const A = "Quiet";
  const worker = service(A, "worker", genServer({}));
  const checkup = health(A, "checkup", ["alive:worker", "call:worker"]);
  const idle = health(A, "idle", []);
  const m = manifest("quiet", A, [worker, checkup, idle]);
  const root = supervisorNode("quiet", "Quiet.Application", "application", "one_for_one", [leaf(worker), leaf(checkup), leaf(idle)]);
  return { manifest: m, topology: topology("quiet", root) };
}

/** `[http]` without any health service: /readyz is always ready. */
export function httpOnlyApp(): App {
  const A = "Plain";
  const worker = service(A, "worker", genServer({}));
  const names = service(A, "names", { kind: "registry", keys: "duplicate", partitions: 1 });
  const m = manifest("plain", A, [worker, names], { http: { port: 8080 } });
  const root = supervisorNode("plain", "Plain.Application", "application", "one_for_one", [leaf(names, "supervisor"), leaf(worker)]);
  return { manifest: m, topology: topology("plain", root) };
}

/** Long names everywhere: app, modules, service ids, probe targets, an external child spec. */
export function longHealthApp(): App {
  const A = "PaymentsGatewayServiceWithAVeryLongName";
  const app = "payments_gateway_service_with_a_very_long_name";
  const pool = service(A, "connection_pool_manager_for_every_region", genServer({}), {
    module: `${A}.Storage.ConnectionPoolManagerForEveryRegion`,
  });
  const ext = service(A, "external_pubsub_like_supervisor_with_long_name", {
    kind: "external",
    // Not longer: a child spec that does not fit on its line is the user's to lay out.
    childSpec: `{Task.Supervisor, name: ${A}.PubSub}`,
    type: "supervisor",
    deps: [],
  });
  const probes = [
    "alive:connection_pool_manager_for_every_region",
    "call:connection_pool_manager_for_every_region",
    "alive:external_pubsub_like_supervisor_with_long_name",
    "call:external_pubsub_like_supervisor_with_long_name",
    `mfa:${A}.Monitoring.Checks.database_connections_are_healthy_everywhere?`,
    "mfa:SomeOtherLibrary.Deeply.Nested.Module.check_everything_is_fine",
  ];
  const monitor = health(A, "health_monitor_for_the_whole_gateway_service", probes, {
    module: `${A}.Monitoring.GatewayHealthMonitorService`,
  });
  const m = manifest(app, A, [pool, ext, monitor], { http: { port: 65_535 } });
  const chain = supervisorNode(
    "storage_chain",
    `${A}.Storage.ConnectionPoolManagerChainSupervisor`,
    "computed",
    "one_for_one",
    [leaf(pool)],
    [10, 60],
  );
  const root = supervisorNode(app, `${A}.Application`, "application", "one_for_one", [chain, leaf(ext, "supervisor"), leaf(monitor)]);
  return { manifest: m, topology: topology(app, root) };
}
