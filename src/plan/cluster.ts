import type { TreeNode } from "../analysis/tree.js";
import type { Service } from "../manifest/model.js";
import { joinsPgGroup, memberScope, pgScopeService } from "../manifest/pg-groups.js";
import { supportModule } from "../manifest/support-modules.js";
import { atom, elixirString, integer } from "../elixir/escape.js";
import { bind, fits, list, statement, tuple } from "../elixir/layout.js";
import { modulePath, testPath } from "../elixir/naming.js";
import { code, owned, type PlanContext, registeredName, sentenceList } from "./context.js";
import { joinBlocks, paragraphs } from "./docs.js";
import { PlanError } from "./errors.js";
import { processHooks } from "./process.js";
import { scheduledAlias } from "./scheduled.js";
import { render } from "./render.js";
import { telemetryModule } from "./telemetry.js";
import { emptyNeeds, type PlannedFile, type ProjectNeeds } from "./types.js";

/**
 * Clustering: `pg_scope` services, the default `:pg` scope, the `<App>.Cluster` watcher of `[cluster]` with its
 * config, and the tests that prove them, a 3-node test among them. Which scope services with a `pg_group` join is
 * decided once, in src/manifest/pg-groups.ts.
 */

/** How often the watcher discovers peers and connects missing ones, unless configured otherwise. */
export const DEFAULT_INTERVAL_MS = 5000;

/** The child the application starts first when services join groups but no `pg_scope` service exists. */
export const DEFAULT_SCOPE_CHILD = "%{id: :pg, start: {:pg, :start_link, []}}";

const OTP_DEFAULT_SHUTDOWN = 5000;

// ---------------------------------------------------------------------------------------------------------------
// pg_scope

export function planPgScope(ctx: PlanContext, service: Service, node: TreeNode): PlannedFile[] {
  const spec = service.spec;
  if (spec.kind !== "pg_scope") throw new PlanError(`service \`${service.id}\` is not a pg_scope`);
  const entries = ["id: __MODULE__", "start: {:pg, :start_link, [@scope]}"];
  if (node.restart !== "permanent") entries.push(`restart: ${atom(node.restart)}`);
  if (typeof node.shutdown === "number" && node.shutdown !== OTP_DEFAULT_SHUTDOWN) entries.push(`shutdown: ${integer(node.shutdown)}`);
  const view = {
    module: service.module,
    moduledoc: joinBlocks(service.doc, paragraphs(...scopeDoc(ctx, service, spec.scope))),
    scope: atom(spec.scope),
    childSpec: mapLiteral(4, entries),
  };
  const alias = `alias ${service.module}, as: Scope`;
  const testView = {
    testModule: `${service.module}Test`,
    aliasLine: fits(2, alias) ? `  ${alias}` : `  alias ${service.module},\n    as: Scope`,
  };
  return [
    owned(modulePath(service.module), render("pg_scope.ex", view)),
    owned(testPath(service.module), render("pg_scope_test.exs", testView)),
  ];
}

function scopeDoc(ctx: PlanContext, service: Service, scope: string): string[] {
  const what = `A scope of \`:pg\` process groups, registered as ${code(atom(scope))}. Processes join groups (any term) with \`join/2\`; \`members/1\` lists the members on every connected node that runs this scope, \`local_members/1\` those on this node. A member that exits leaves its groups.`;
  const first = pgScopeService(ctx.manifest);
  const members = ctx.manifest.services.filter(joinsPgGroup);
  if (members.length === 0) return [what];
  if (first?.id !== service.id) {
    return [what, `Services with a \`pg_group\` join the scope of ${code(first?.module ?? "the first pg_scope")}, the first \`pg_scope\` of the manifest: this one is for code you write.`];
  }
  const joined = sentenceList(members.map((s) => `${code(s.module)} (${code(atom(s.pgGroup ?? ""))})`));
  return [
    what,
    `At start-up, ${joined} join their \`pg_group\` here. They start after this scope and restart with it, since a restarted scope has lost every membership.`,
  ];
}

/** `%{a: 1, b: 2}`, or one entry per line when too long, as `mix format` writes a map. */
function mapLiteral(indent: number, entries: string[]): string {
  const pad = " ".repeat(indent);
  const oneLine = `%{${entries.join(", ")}}`;
  if (fits(indent, oneLine)) return pad + oneLine;
  return [`${pad}%{`, ...entries.map((e, i) => `${pad}  ${e}${i < entries.length - 1 ? "," : ""}`), `${pad}}`].join("\n");
}

// ---------------------------------------------------------------------------------------------------------------
// [cluster]

/** `Payments.Cluster`. */
export function clusterModule(ctx: PlanContext): string {
  return supportModule(ctx.app.module, "cluster");
}

/** The shape of the watcher's state, for its `@vsn`. */
const WATCHER_STATE = [
  { name: "config", type: "keyword()" },
  { name: "distributed", type: "boolean()" },
  { name: "expected", type: "[node()]" },
  { name: "suspected", type: "[node()]" },
  { name: "netsplits", type: "non_neg_integer()" },
  { name: "healed", type: "non_neg_integer()" },
  { name: "connecting", type: "%{reference() => node()}" },
];

/**
 * The watcher as a service, for the shared process hooks: its lifecycle and events are those of a service named
 * `cluster` (`[:app, :cluster, :nodeup]`), with telemetry on.
 */
function watcherService(ctx: PlanContext): Service {
  const span = ctx.manifest.sectionSpans["cluster"] ?? { line: 0, col: 0, endLine: 0, endCol: 0, offset: 0, endOffset: 0 };
  return {
    id: "cluster",
    module: clusterModule(ctx),
    restart: "permanent",
    shutdownMs: OTP_DEFAULT_SHUTDOWN,
    dependsOn: [],
    uses: [],
    sla: {},
    significant: false,
    telemetry: true,
    spec: { kind: "gen_server", state: [], calls: [], casts: [], infos: [], continue: false },
    template: false,
    span,
    spans: {},
    itemSpans: {},
  };
}

/**
 * The files clustering adds: the watcher and its tests (the 3-node test among them) when `[cluster]` is enabled, and
 * a test that the services with a `pg_group` are members of their group at boot.
 */
export function planCluster(ctx: PlanContext): PlannedFile[] {
  const files: PlannedFile[] = [];
  if (ctx.manifest.cluster?.enabled) files.push(...watcherFiles(ctx));
  const members = bootMembers(ctx);
  if (members.length > 0) files.push(groupsTest(ctx, members));
  return files;
}

function watcherFiles(ctx: PlanContext): PlannedFile[] {
  const module = clusterModule(ctx);
  const hooks = processHooks(ctx, watcherService(ctx), WATCHER_STATE);
  const event = (name: string, measurements: string, metadata: string, indent: number): string =>
    hooks.event(name, measurements, metadata, indent) ?? "";
  const view = {
    module,
    moduledoc: watcherDoc(ctx),
    vsn: hooks.vsn,
    appAtom: atom(ctx.app.name),
    initLines: hooks.initLines,
    nodeupEvent: event("nodeup", "%{connected: length(Node.list())}", "%{node: node}", 4),
    healedEvent: event("healed", "%{healed: state.healed + 1}", "%{node: node}", 6),
    nodedownEvent: event("nodedown", "%{connected: length(Node.list())}", "%{node: node, reason: reason}", 4),
    netsplitEvent: event("netsplit", "%{netsplits: state.netsplits + 1}", "%{node: node, reason: reason}", 6),
    exitClauses: hooks.exitClauses,
    terminate: hooks.terminate,
    codeChange: hooks.codeChange,
  };
  const telemetry = telemetryModule(ctx);
  const detach = `on_exit(fn -> ${telemetry}.detach(id) end)`;
  const testView = {
    testModule: `${module}Test`,
    module,
    appAtom: view.appAtom,
    discovery: atom(ctx.manifest.cluster?.discovery ?? "static"),
    attach: statement(bind(4, ":ok", { call: `${telemetry}.attach_many`, args: ["id", "events", "forward", "nil"] })),
    detach: fits(4, detach) ? `    ${detach}` : `    on_exit(fn ->\n      ${telemetry}.detach(id)\n    end)`,
  };
  const nodesModule = supportModule(ctx.app.module, "clusterNodesTest");
  const firstScheduled = ctx.manifest.services.find((s) => s.spec.kind === "scheduled");
  const nodesView = {
    testModule: `${nodesModule}Test`,
    clusterModule: module,
    httpModule: ctx.manifest.http ? supportModule(ctx.app.module, "http") : null,
    appAtom: view.appAtom,
    groups: statement(list(2, "@groups ", bootGroups(ctx).map(([scope, group]) => `{${atom(scope)}, ${atom(group)}}`))),
    // The 2-node test of the scheduled services' election runs the first one.
    scheduled: firstScheduled ? { alias: scheduledAlias(firstScheduled.module) } : null,
  };
  return [
    owned(modulePath(module), render("cluster.ex", view)),
    owned(testPath(module), render("cluster_test.exs", testView)),
    owned(testPath(nodesModule), render("cluster_nodes_test.exs", nodesView)),
  ];
}

function watcherDoc(ctx: PlanContext): string {
  const app = atom(ctx.app.name);
  const module = clusterModule(ctx);
  const scope = memberScope(ctx.manifest);
  const members = ctx.manifest.services.filter(joinsPgGroup);
  return paragraphs(
    "Keeps this node connected to its cluster peers (`[cluster]` in otpiser.toml).",
    "Discovery: `:static` and `:epmd` connect to the `:nodes` list; `:dns` looks up the A records of `:query` (in Kubernetes, the headless service in front of the pods) and names each peer like this node, `basename@address`, so start every node with `--name basename@$POD_IP`.",
    "Every `:interval_ms` it discovers the peers again and connects to the missing ones, each attempt in a process of its own. It monitors visible nodes: a nodedown of an expected peer is a suspected netsplit (a peer that was stopped looks the same from here), and that peer's next nodeup heals it. Each is logged and emitted as telemetry: " +
      `\`[${app}, :cluster, :nodeup | :nodedown | :netsplit | :healed]\`. \`status/1\` reports the peers and counts netsplits.`,
    `Configured in the app env of ${code(app)} under ${code(module)}: \`discovery\`, \`nodes\`, \`query\` and \`interval_ms\` (default ${DEFAULT_INTERVAL_MS}); config/runtime.exs reads \`CLUSTER_DISCOVERY\`, \`CLUSTER_NODES\` (comma-separated), \`CLUSTER_QUERY\` and \`CLUSTER_INTERVAL_MS\` at boot. On a node that is not distributed (no \`--sname\` or \`--name\`) it stays idle.`,
    members.length > 0 &&
      `Services with a \`pg_group\` join their group in the \`:pg\` scope ${code(atom(scope))} as they start; \`:pg\` shares group memberships between connected nodes that run the same scope.`,
  );
}

/** `[scope, group]` of every group that has a member on every node once the application has started. */
function bootGroups(ctx: PlanContext): [string, string][] {
  const scope = memberScope(ctx.manifest);
  const poolWorkers = new Set(ctx.manifest.services.flatMap((s) => (s.spec.kind === "pool" ? [s.spec.worker] : [])));
  const groups: string[] = [];
  for (const s of ctx.manifest.services) {
    // Dynamic children start on demand, so their groups may be empty; pool workers start with their pool.
    const atBoot = !s.template || poolWorkers.has(s.id);
    if (joinsPgGroup(s) && atBoot && s.pgGroup !== undefined && !groups.includes(s.pgGroup)) groups.push(s.pgGroup);
  }
  return groups.map((g) => [scope, g]);
}

/** The services started at boot (not templates) that join a group: where their supervisor finds them. */
function bootMembers(ctx: PlanContext): { supervisor: string; childId: string; group: string }[] {
  const out: { supervisor: string; childId: string; group: string }[] = [];
  for (const s of ctx.manifest.services) {
    const node = ctx.nodes.get(s.id);
    const parent = ctx.parents.get(s.id);
    if (!joinsPgGroup(s) || s.template || !node || !parent || s.pgGroup === undefined) continue;
    out.push({ supervisor: registeredName(ctx, parent), childId: node.module, group: s.pgGroup });
  }
  return out;
}

function groupsTest(ctx: PlanContext, members: { supervisor: string; childId: string; group: string }[]): PlannedFile {
  const module = supportModule(ctx.app.module, "pgGroupsTest");
  const tuples = members.map((m) => [m.supervisor, m.childId, atom(m.group)]);
  const oneLine = `members = [${tuples.map((t) => `{${t.join(", ")}}`).join(", ")}]`;
  const membersList = fits(4, oneLine)
    ? `    ${oneLine}`
    : ["    members = [", ...tuples.map((t, i) => tuple(6, t, i < tuples.length - 1 ? "," : "")), "    ]"].join("\n");
  return owned(
    testPath(module),
    render("pg_scope_groups_test.exs", { testModule: `${module}Test`, scope: atom(memberScope(ctx.manifest)), members: membersList }),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// needs

/** One keyword of a `config` statement: a rendered value, or list items laid out as a list. */
interface ConfigEntry {
  key: string;
  value: string | string[];
}

/**
 * `config :app, Module, key: value, ...` laid out as `mix format` does: on one line; else the keywords one per line
 * under `config :app, Module,`; else, when even that head is too long, every argument aligned after `config `.
 */
export function configStatement(indent: number, app: string, module: string, entries: ConfigEntry[]): string {
  const pad = " ".repeat(indent);
  const flat = (e: ConfigEntry): string => `${e.key}: ${Array.isArray(e.value) ? `[${e.value.join(", ")}]` : e.value}`;
  const head = `config ${atom(app)}, ${module}`;
  const oneLine = `${head}, ${entries.map(flat).join(", ")}`;
  if (fits(indent, oneLine)) return pad + oneLine;
  const headFits = fits(indent, `${head},`);
  const lines = headFits ? [`${pad}${head},`] : [`${pad}config ${atom(app)},`, `${pad}       ${module},`];
  const at = indent + (headFits ? 2 : 7);
  entries.forEach((e, i) => {
    const suffix = i < entries.length - 1 ? "," : "";
    lines.push(Array.isArray(e.value) ? list(at, `${e.key}: `, e.value, suffix) : `${" ".repeat(at)}${flat(e)}${suffix}`);
  });
  return lines.join("\n");
}

/** What `[cluster]` and `pg_group`s add to the application (first root children) and its config. */
export function clusterNeeds(ctx: PlanContext): ProjectNeeds {
  const needs = emptyNeeds();
  if (ctx.manifest.services.some(joinsPgGroup) && !pgScopeService(ctx.manifest)) needs.firstRootChildren.push(DEFAULT_SCOPE_CHILD);
  const cluster = ctx.manifest.cluster;
  if (!cluster?.enabled) return needs;
  const app = ctx.app.name;
  const module = clusterModule(ctx);
  needs.firstRootChildren.push(module);
  const entries: ConfigEntry[] = [{ key: "discovery", value: atom(cluster.discovery) }];
  if (cluster.query !== undefined) entries.push({ key: "query", value: elixirString(cluster.query) });
  if (cluster.nodes.length > 0) entries.push({ key: "nodes", value: cluster.nodes.map(atom) });
  entries.push({ key: "interval_ms", value: integer(DEFAULT_INTERVAL_MS) });
  needs.config.push(configStatement(0, app, module, entries));
  needs.runtimeConfig.push(...runtimeStatements(app, module));
  return needs;
}

/** config/runtime.exs: environment variables that override `[cluster]` at boot, for deploys. */
function runtimeStatements(app: string, module: string): string[] {
  const set = (indent: number, key: string, value: string): string =>
    statement(configStatement(indent, app, module, [{ key, value }]));
  const see = `# CLUSTER_INTERVAL_MS override [cluster] of otpiser.toml (see ${module}).`;
  return [
    [
      "# Clustering at boot, for deploys: CLUSTER_DISCOVERY (dns, epmd or static), CLUSTER_QUERY (the",
      "# DNS name of the headless service), CLUSTER_NODES (node names, comma-separated) and",
      fits(0, see) ? see : "# CLUSTER_INTERVAL_MS override [cluster] of otpiser.toml.",
      'case System.get_env("CLUSTER_DISCOVERY") do',
      "  nil ->",
      "    :ok",
      "",
      "  discovery when discovery in ~w(dns epmd static) ->",
      set(4, "discovery", "String.to_atom(discovery)"),
      "",
      "  other ->",
      '    raise "CLUSTER_DISCOVERY must be dns, epmd or static, got: #{inspect(other)}"',
      "end",
    ].join("\n"),
    ['if query = System.get_env("CLUSTER_QUERY") do', set(2, "query", "query"), "end"].join("\n"),
    [
      'if nodes = System.get_env("CLUSTER_NODES") do',
      '  nodes = nodes |> String.split([",", " "], trim: true) |> Enum.map(&String.to_atom/1)',
      set(2, "nodes", "nodes"),
      "end",
    ].join("\n"),
    ['if interval_ms = System.get_env("CLUSTER_INTERVAL_MS") do', set(2, "interval_ms", "String.to_integer(interval_ms)"), "end"].join("\n"),
  ];
}
