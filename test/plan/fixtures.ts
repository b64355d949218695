/**
 * Manifests and topologies built by hand, standing in for the parse → validate → analyse pipeline.
 */
import type { Topology, TreeNode } from "../../src/analysis/tree.js";
import type { Span } from "../../src/diagnostics/types.js";
import type { KindSpec, LiteralValue, Manifest, Restart, Service } from "../../src/manifest/model.js";

export const span: Span = { line: 1, col: 1, endLine: 1, endCol: 1, offset: 0, endOffset: 0 };

type GenServerSpec = Extract<KindSpec, { kind: "gen_server" }>;

export function genServer(opts: {
  state?: { name: string; type: string; default?: LiteralValue }[];
  calls?: { name: string; args?: string[]; returns?: string }[];
  casts?: { name: string; args?: string[] }[];
  infos?: string[];
  continue?: boolean;
}): GenServerSpec {
  return {
    kind: "gen_server",
    state: (opts.state ?? []).map((f) => ({ ...f, span })),
    calls: (opts.calls ?? []).map((c) => ({ name: c.name, args: c.args ?? [], returns: c.returns ?? "term()", span })),
    casts: (opts.casts ?? []).map((c) => ({ name: c.name, args: c.args ?? [], span })),
    infos: (opts.infos ?? []).map((name) => ({ name, span })),
    continue: opts.continue ?? false,
  };
}

export function service(
  app: string,
  id: string,
  spec: KindSpec,
  extra: Partial<Omit<Service, "id" | "spec">> = {},
): Service {
  return {
    id,
    module: `${app}.${id
      .split("_")
      .map((p) => p[0]!.toUpperCase() + p.slice(1))
      .join("")}`,
    restart: "permanent",
    shutdownMs: 5000,
    dependsOn: [],
    uses: [],
    sla: {},
    significant: false,
    telemetry: true,
    spec,
    template: false,
    span,
    spans: {},
    itemSpans: {},
    ...extra,
  };
}

export function manifest(name: string, module: string, services: Service[], extra: Partial<Manifest> = {}): Manifest {
  return {
    schema: 1,
    app: { name, module, version: "0.1.0", elixir: "~> 1.14" },
    sla: {},
    defaults: { restart: "permanent", shutdownMs: 5000 },
    services,
    groups: [],
    features: { telemetry: "builtin" },
    legacy: false,
    sectionSpans: {},
    ...extra,
  };
}

/** A leaf node for a service. */
export function leaf(s: Service, type: "worker" | "supervisor" = "worker"): TreeNode {
  const temporary = s.spec.kind === "step";
  const restart: Restart = temporary ? "temporary" : s.restart;
  return {
    id: s.id,
    module: s.module,
    kind: s.spec.kind,
    origin: "service",
    type,
    restart,
    shutdown: type === "supervisor" ? "infinity" : s.shutdownMs,
    significant: s.significant,
    children: [],
  };
}

export function supervisorNode(
  id: string,
  module: string,
  kind: TreeNode["kind"],
  strategy: TreeNode["strategy"],
  children: TreeNode[],
  intensity: [number, number] = [3, 5],
): TreeNode {
  return {
    id,
    module,
    kind,
    origin: kind === "application" ? "application" : kind === "group" ? "group" : kind === "computed" ? "computed" : "service",
    type: "supervisor",
    strategy,
    maxRestarts: intensity[0],
    maxSeconds: intensity[1],
    restart: "permanent",
    shutdown: "infinity",
    significant: false,
    children,
  };
}

function startOrder(root: TreeNode): string[] {
  const out: string[] = [];
  const walk = (n: TreeNode): void => {
    for (const c of n.children) {
      out.push(c.id);
      walk(c);
    }
  };
  walk(root);
  return out;
}

export function topology(app: string, root: TreeNode, explanations: Topology["explanations"] = []): Topology {
  return { app, root, startOrder: startOrder(root), explanations };
}

// ---------------------------------------------------------------------------------------------------------------

/** The smallest app: one GenServer under the application. */
export function soloApp(): { manifest: Manifest; topology: Topology } {
  const counter = service(
    "Solo",
    "counter",
    genServer({
      state: [
        { name: "count", type: "non_neg_integer()" },
        { name: "label", type: "String.t() | nil" },
      ],
      calls: [{ name: "value", returns: "non_neg_integer()" }],
      casts: [{ name: "bump", args: ["by"] }],
      infos: ["tick"],
    }),
    { doc: 'Counts things. A doc with #{System.halt()} must stay text, as must """ and \\ and "quotes".' },
  );
  const m = manifest("solo", "Solo", [counter], { app: { name: "solo", module: "Solo", version: "0.2.0", elixir: "~> 1.14", description: "A counter" } });
  const root = supervisorNode("solo", "Solo.Application", "application", "one_for_one", [leaf(counter)]);
  return {
    manifest: m,
    topology: topology("solo", root, [
      { nodeId: "solo", strategy: "one_for_one: the children are independent.", order: "manifest order.", intensity: "the OTP default." },
    ]),
  };
}

/**
 * A fuller app: a rest_for_one chain (computed sub-supervisor) with a boot step, a one_for_one group holding a
 * registry, a task supervisor and a dynamic supervisor with a template child, a one_for_all supervisor service,
 * and an external child.
 */
export function shopApp(): { manifest: Manifest; topology: Topology } {
  const A = "Shop";
  const config = service(
    A,
    "config",
    genServer({
      state: [
        { name: "settings", type: "map()" },
        { name: "loaded", type: "boolean()" },
        { name: "name", type: "String.t()", default: 'shop "main" #{oops}' },
        { name: "ratio", type: "float()", default: 1 },
        { name: "tags", type: "[atom()]", default: ["a", "b"] },
        { name: "limits", type: "map()", default: { max: 10, "with space": true } },
      ],
      calls: [
        { name: "get", args: ["key"], returns: "term()" },
        { name: "fetch", args: ["key"], returns: "{:ok, term()} | {:error, :not_found}" },
        { name: "all", returns: "%{optional(atom()) => term()}" },
        { name: "loaded?", returns: "boolean()" },
        { name: "owner", returns: "pid()" },
        { name: "when_ready", returns: "DateTime.t()" },
      ],
      continue: true,
    }),
    { doc: "Loads configuration.\n\n    #{System.halt()}\n\nEnds here." },
  );
  const migrate = service(A, "migrate", { kind: "step", run: "Shop.Release.migrate" }, { dependsOn: ["config"], restart: "temporary" });
  const dbPool = service(
    A,
    "db_pool",
    genServer({
      state: [
        { name: "conns", type: "non_neg_integer()" },
        { name: "url", type: "String.t() | nil" },
      ],
      calls: [{ name: "checkout", args: ["timeout"], returns: "{:ok, pid()} | {:error, :timeout}" }],
      casts: [{ name: "checkin", args: ["conn"] }],
    }),
    { dependsOn: ["config"], shutdownMs: 10_000 },
  );
  const cache = service(
    A,
    "cache",
    genServer({ calls: [{ name: "lookup", args: ["key", "from"], returns: "{:ok, term()} | :miss" }], infos: ["expire"] }),
    { dependsOn: ["db_pool"], uses: ["metrics"] },
  );
  const sessions = service(A, "sessions", { kind: "registry", keys: "unique", partitions: 2 });
  const topics = service(A, "topics", { kind: "registry", keys: "duplicate", partitions: 1 }, { restart: "transient" });
  const jobs = service(A, "jobs", { kind: "task_supervisor", maxChildren: 10 }, { restart: "transient" });
  const spare = service(A, "spare", { kind: "dynamic_supervisor", extraArguments: [] });
  const gc = service(A, "gc", { kind: "step", run: ":erlang.garbage_collect" }, { restart: "temporary" });
  const workers = service(A, "workers", { kind: "dynamic_supervisor", child: "worker", maxChildren: 100, extraArguments: [":pool_a"] });
  const worker = service(
    A,
    "worker",
    genServer({ state: [{ name: "jobs", type: "list(term())" }], calls: [{ name: "status", returns: ":idle | :busy" }], casts: [{ name: "run", args: ["job"] }] }),
    { template: true },
  );
  const metrics = service(A, "metrics", genServer({ casts: [{ name: "incr", args: ["key"] }] }));
  const reporter = service(A, "reporter", genServer({}), { restart: "transient", uses: ["metrics"] });
  const ops = service(A, "ops", { kind: "supervisor", members: ["metrics", "reporter"], strategy: "one_for_all" }, { doc: "Operational services." });
  const externalTasks = service(A, "external_tasks", {
    kind: "external",
    childSpec: "{Task.Supervisor, name: Shop.ExternalTasks}",
    type: "supervisor",
    deps: [],
  });
  const batch = service(A, "batch", genServer({ casts: [{ name: "run", args: ["items"] }] }), { restart: "transient", significant: true });
  const batchLog = service(A, "batch_log", genServer({}));
  const services = [config, migrate, dbPool, cache, sessions, topics, jobs, workers, spare, gc, worker, metrics, reporter, ops, externalTasks, batch, batchLog];
  const m = manifest("shop", "Shop", services, {
    groups: [
      { name: "background", module: "Shop.Background", members: ["sessions", "topics", "jobs", "workers", "spare", "gc"], span, spans: {}, itemSpans: {} },
      { name: "batching", module: "Shop.Batching", members: ["batch", "batch_log"], span, spans: {}, itemSpans: {} },
    ],
  });
  const root = supervisorNode("shop", "Shop.Application", "application", "one_for_one", [
    supervisorNode("core_chain", "Shop.CoreChain", "computed", "rest_for_one", [leaf(config), leaf(migrate), leaf(dbPool), leaf(cache)], [5, 10]),
    supervisorNode("background", "Shop.Background", "group", "one_for_one", [
      leaf(sessions, "supervisor"),
      leaf(topics, "supervisor"),
      leaf(jobs, "supervisor"),
      // The template is listed under its owner, as the analysis does; it is not started at boot.
      { ...leaf(workers, "supervisor"), strategy: "one_for_one", children: [{ ...leaf(worker), template: true, restart: "temporary" }] },
      leaf(spare, "supervisor"),
      leaf(gc),
    ]),
    supervisorNode("ops", "Shop.Ops", "supervisor", "one_for_all", [leaf(metrics), leaf(reporter)]),
    leaf(externalTasks, "supervisor"),
    { ...supervisorNode("batching", "Shop.Batching", "group", "one_for_one", [leaf(batch), leaf(batchLog)]), autoShutdown: "any_significant" },
  ]);
  return {
    manifest: m,
    topology: topology("shop", root, [
      { nodeId: "shop", strategy: "one_for_one: the top-level parts are independent.", order: "dependencies first.", intensity: "3 in 5 s." },
      {
        nodeId: "core_chain",
        strategy: "rest_for_one: config → db_pool → cache is a depends_on chain.",
        order: "config before db_pool before cache.",
        intensity: "5 in 10 s from the SLA.",
      },
    ]),
  };
}

/** Long names everywhere, to push generated lines past 98 columns and check they are laid out like mix format. */
export function longNamesApp(): { manifest: Manifest; topology: Topology } {
  const A = "PaymentsGatewayService";
  const pool = service(
    A,
    "connection_pool_manager",
    genServer({
      state: [
        { name: "available_connections_by_region", type: "%{optional(String.t()) => [pid()]}" },
        { name: "waiting_callers_queue", type: ":queue.queue({pid(), reference()}) | nil" },
        { name: "configuration_snapshot", type: "%{required(:url) => String.t(), optional(atom()) => term()}" },
        { name: "retry_budget", type: "non_neg_integer()", default: 1_000_000 },
      ],
      calls: [
        {
          name: "checkout_connection_for_region",
          args: ["region_identifier", "timeout_in_milliseconds", "caller_metadata"],
          returns: "{:ok, pid()} | {:error, :timeout} | {:error, :region_unavailable} | {:error, :budget_exhausted}",
        },
        { name: "describe_everything_in_great_detail", returns: "%{connections: non_neg_integer(), regions: [String.t()], healthy: boolean()}" },
      ],
      casts: [{ name: "return_connection_to_pool", args: ["region_identifier", "connection_process_identifier"] }],
      infos: ["periodic_health_check_tick"],
    }),
    { module: `${A}.Storage.ConnectionPoolManager`, shutdownMs: 30_000, restart: "transient" },
  );
  const ledger = service(A, "ledger_writer_with_long_name", genServer({ calls: [{ name: "append", args: ["entry"], returns: ":ok | {:error, term()}" }] }), {
    module: `${A}.Storage.LedgerWriterWithLongName`,
    dependsOn: ["connection_pool_manager"],
  });
  const external = service(A, "external_pubsub_like_supervisor", {
    kind: "external",
    childSpec: `{Task.Supervisor, name: ${A}.ExternalPubSubLikeSupervisor}`,
    type: "supervisor",
    deps: [],
  });
  const m = manifest("payments_gateway_service", A, [pool, ledger, external]);
  const chain = supervisorNode(
    "storage_chain",
    `${A}.Storage.ConnectionPoolManagerChainSupervisor`,
    "computed",
    "rest_for_one",
    [leaf(pool), leaf(ledger)],
    [10_000, 3600],
  );
  const root = supervisorNode("payments_gateway_service", `${A}.Application`, "application", "one_for_one", [chain, leaf(external, "supervisor")]);
  return { manifest: m, topology: topology("payments_gateway_service", root) };
}
