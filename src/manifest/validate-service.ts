import type { Span } from "../diagnostics/types.js";
import type {
  CallSpec, CastSpec, EtsTable, InfoSpec, Kind, KindSpec, LiteralValue, Restart, Service, StateField, Strategy, Transition,
} from "./model.js";
import { KINDS } from "./model.js";
import { ALIAS_PATTERN, camelCase, fixAlias, isValidFunctionName, isValidVariableName } from "./names.js";
import type { PString, PTable, PValue } from "./positioned.js";
import { type Reporter, TableReader, reportDuplicateItems } from "./read.js";
import {
  CALL_KEYS, CAST_KEYS, COMMON_SERVICE_KEYS, GENERATED_FUNCTIONS, INFO_KEYS, KIND_KEYS, STATE_FIELD_KEYS, TABLE_KEYS,
  TRANSITION_KEYS,
} from "./schema.js";
import { readSla, readTerm, readType } from "./validate-common.js";
import { validateCron } from "./cron.js";
import { suggestion } from "../diagnostics/suggest.js";

export const RESTARTS: readonly Restart[] = ["permanent", "transient", "temporary"];
export const STRATEGIES: readonly Strategy[] = ["one_for_one", "rest_for_one", "one_for_all"];

export interface ServiceContext {
  appModule: string;
  defaults: { restart: Restart; shutdownMs: number };
}

/** Reads one `[services.<id>]` table into a Service (references to other services are checked later). */
export function readService(r: Reporter, id: string, table: PTable, keySpan: Span, ctx: ServiceContext): Service | undefined {
  const where = `service \`${id}\``;
  const t = new TableReader(r, table, where);
  const kind = t.has("kind") ? t.oneOf("kind", KINDS) : "gen_server";
  if (!kind) {
    t.onlyKeys([...COMMON_SERVICE_KEYS, ...new Set(Object.values(KIND_KEYS).flat())]);
    return undefined;
  }
  const kindKeys = KIND_KEYS[kind];
  t.onlyKeys([...COMMON_SERVICE_KEYS, ...kindKeys], (key) => {
    const owner = KINDS.find((k) => KIND_KEYS[k].includes(key));
    return owner ? `\`${key}\` belongs to kind "${owner}"; this service is a "${kind}"` : undefined;
  });

  const spans: Record<string, Span> = {};
  for (const [key, entry] of table.entries) spans[key] = entry.value.span;
  const itemSpans: Record<string, Span[]> = {};
  const list = (key: string): string[] => {
    const items = t.strings(key) ?? [];
    reportDuplicateItems(r, items, key, where);
    itemSpans[key] = items.map((i) => i.span);
    return items.map((i) => i.v);
  };

  const module = readModule(t, "module") ?? `${ctx.appModule}.${camelCase(id)}`;
  const restartDefault: Restart = kind === "step" ? "temporary" : ctx.defaults.restart;
  const slaTable = t.table_("sla");
  const doc = t.string("doc");
  const pgGroup = t.string("pg_group");
  const spec = readKindSpec(r, t, kind, id, list);
  const service: Service = {
    id,
    module,
    restart: t.oneOf("restart", RESTARTS) ?? restartDefault,
    shutdownMs: t.int("shutdown_ms", 0, 3_600_000) ?? ctx.defaults.shutdownMs,
    dependsOn: list("depends_on"),
    uses: list("uses"),
    sla: slaTable ? readSla(r, slaTable, `the sla of ${where}`) : {},
    significant: t.bool("significant") ?? false,
    telemetry: t.bool("telemetry") ?? true,
    spec: spec ?? ({ kind } as KindSpec),
    template: false,
    span: keySpan,
    spans,
    itemSpans,
  };
  if (doc !== undefined) service.doc = doc;
  if (pgGroup !== undefined) service.pgGroup = pgGroup;
  if (kind === "step" && service.restart !== "temporary") {
    r.error("E009", `a step runs once at boot and must be \`restart = "temporary"\``, t.span("restart"), "remove the `restart` key");
  }
  return spec ? service : undefined;
}

export function readModule(t: TableReader, key: string): string | undefined {
  const node = t.stringNode(key);
  if (!node) return undefined;
  if (ALIAS_PATTERN.test(node.v)) return node.v;
  const fix = fixAlias(node.v);
  t.r.error(
    "E008",
    `\`${key}\` in ${t.where} must be an Elixir alias like \`Payments.DbPool\`, found "${node.v}"`,
    node.span,
    fix ? `did you mean \`${fix}\`?` : "each dot-separated part starts with an uppercase letter",
  );
  return undefined;
}

type ListReader = (key: string) => string[];

function readKindSpec(r: Reporter, t: TableReader, kind: Kind, id: string, list: ListReader): KindSpec | undefined {
  const before = r.diagnostics.length;
  const spec = buildKindSpec(r, t, kind, id, list);
  return r.diagnostics.slice(before).some((d) => d.severity === "error") ? undefined : spec;
}

function buildKindSpec(r: Reporter, t: TableReader, kind: Kind, id: string, list: ListReader): KindSpec {
  switch (kind) {
    case "gen_server": {
      const calls = readCalls(r, t);
      const casts = readCasts(r, t);
      // A call and a cast of the same name and arity would be two clauses of one client function.
      for (const cast of casts) {
        const twin = calls.find((c) => c.name === cast.name && c.args.length === cast.args.length);
        if (twin) r.error("E013", `call and cast "${cast.name}/${cast.args.length}" would define the same function`, cast.span, "rename one of them");
      }
      return { kind, state: readState(r, t), calls, casts, infos: readInfos(r, t), continue: t.bool("continue") ?? false };
    }
    case "gen_statem":
      return readStatem(r, t);
    case "supervisor": {
      t.required("members", "the ids of the services it supervises");
      const spec: KindSpec = { kind, members: list("members") };
      const strategy = t.oneOf("strategy", STRATEGIES);
      if (strategy) spec.strategy = strategy;
      const fate = t.oneOf("fate", ["shared"] as const);
      if (fate && strategy && strategy !== "one_for_all") {
        r.warn("W101", `\`fate = "shared"\` forces one_for_all; \`strategy = "${strategy}"\` is ignored`, t.span("strategy"), "remove `strategy`, or drop `fate` to use it");
      }
      if (fate) spec.strategy = "one_for_all";
      const mr = t.int("max_restarts", 0, 1_000_000);
      if (mr !== undefined) spec.maxRestarts = mr;
      const ms = t.int("max_seconds", 1, 86_400);
      if (ms !== undefined) spec.maxSeconds = ms;
      if (spec.members.length === 0 && t.has("members")) r.error("E009", `supervisor \`${id}\` has no members`, t.span("members"), "list at least one service id");
      return spec;
    }
    case "dynamic_supervisor": {
      const spec: KindSpec = { kind, extraArguments: [] };
      const max = t.int("max_children", 1);
      if (max !== undefined) spec.maxChildren = max;
      const child = t.string("child");
      if (child !== undefined) spec.child = child;
      for (const node of t.strings("extra_arguments") ?? []) {
        const term = readTerm(r, node, `\`extra_arguments\` of service \`${id}\``, "each extra argument is a literal such as `:fast` or `[retries: 3]`");
        if (term) spec.extraArguments.push(term);
      }
      return spec;
    }
    case "registry":
      return { kind, keys: t.oneOf("keys", ["unique", "duplicate"] as const) ?? "unique", partitions: t.int("partitions", 1, 1024) ?? 1 };
    case "task_supervisor": {
      const spec: KindSpec = { kind };
      const max = t.int("max_children", 1);
      if (max !== undefined) spec.maxChildren = max;
      return spec;
    }
    case "pool": {
      t.required("size", "how many workers");
      t.required("worker", "the id of the gen_server used as the worker template");
      const spec: KindSpec = { kind, size: t.int("size", 1, 100_000) ?? 1, worker: t.string("worker") ?? "" };
      const registry = t.string("registry");
      if (registry !== undefined) spec.registry = registry;
      return spec;
    }
    case "ets_owner":
      return { kind, tables: readTables(r, t) };
    case "health": {
      const probes = t.strings("probes") ?? [];
      for (const p of probes) {
        if (!/^(alive|call):[a-z][a-z0-9_]*$|^mfa:[A-Z][A-Za-z0-9_]*(\.[A-Z][A-Za-z0-9_]*)*\.[a-z_][A-Za-z0-9_]*[?!]?$/.test(p.v)) {
          r.error("E009", `invalid probe "${p.v}" in service \`${id}\``, p.span, 'probes look like "alive:db_pool", "call:cache" or "mfa:MyApp.Checks.db_ok"');
        }
      }
      return { kind, intervalMs: t.int("interval_ms", 10, 86_400_000) ?? 5000, probes: probes.map((p) => p.v) };
    }
    case "circuit_breaker":
      t.required("protects", "the id of the service it guards");
      return {
        kind,
        protects: t.string("protects") ?? "",
        failureThreshold: t.int("failure_threshold", 1, 1_000_000) ?? 5,
        resetTimeoutMs: t.int("reset_timeout_ms", 1, 86_400_000) ?? 30_000,
        halfOpenMaxCalls: t.int("half_open_max_calls", 1, 1_000_000) ?? 1,
      };
    case "producer":
      return {
        kind,
        bufferSize: t.int("buffer_size", 1, 100_000_000) ?? 1000,
        overflow: t.oneOf("overflow", ["drop_oldest", "drop_newest", "reject"] as const) ?? "drop_oldest",
      };
    case "consumer": {
      t.required("subscribe_to", "the ids of the producers it consumes");
      const maxDemand = t.int("max_demand", 1, 1_000_000) ?? 10;
      const minDemand = t.int("min_demand", 0, 1_000_000) ?? Math.floor(maxDemand / 2);
      if (minDemand >= maxDemand) {
        r.error("E010", `\`min_demand\` (${minDemand}) must be below \`max_demand\` (${maxDemand}) in service \`${id}\``, t.span("min_demand"));
      }
      const subscribeTo = list("subscribe_to");
      // A consumer without producers would start, ask no one and wait forever.
      if (subscribeTo.length === 0 && t.has("subscribe_to")) {
        r.error("E009", `consumer \`${id}\` subscribes to no producer`, t.span("subscribe_to"), "list at least one producer id");
      }
      return { kind, subscribeTo, maxDemand, minDemand };
    }
    case "step":
      t.required("run", 'the function to run, e.g. "MyApp.Migrate.run"');
      return { kind, run: readRunTarget(r, t) ?? "" };
    case "pg_scope": {
      const scope = t.string("scope") ?? id;
      if (!/^[a-z_][A-Za-z0-9_]*$/.test(scope)) r.error("E025", `\`scope\` must be a plain atom name, found "${scope}"`, t.span("scope"));
      return { kind, scope };
    }
    case "scheduled":
      return readScheduled(r, t, id);
    case "external": {
      t.required("child_spec", 'the child spec, e.g. "{Phoenix.PubSub, name: MyApp.PubSub}"');
      const node = t.stringNode("child_spec");
      const childSpec = node
        ? readTerm(r, node, `\`child_spec\` of service \`${id}\``, "a module or a `{Module, options}` tuple of literals")
        : undefined;
      const deps: string[] = [];
      for (const dep of t.strings("deps") ?? []) {
        const term = readTerm(r, dep, `\`deps\` of service \`${id}\``, 'a dependency tuple such as `{:phoenix_pubsub, "~> 2.1"}`');
        if (term === undefined) continue;
        if (!/^\{:[a-z_][a-z0-9_]*, /.test(term)) {
          r.error("E019", `a dependency must be a tuple starting with the package atom, found \`${term}\``, dep.span, 'e.g. {:phoenix_pubsub, "~> 2.1"}');
          continue;
        }
        deps.push(term);
      }
      return { kind, childSpec: childSpec ?? "", type: t.oneOf("type", ["worker", "supervisor"] as const) ?? "worker", deps };
    }
  }
}

function readRunTarget(r: Reporter, t: TableReader): string | undefined {
  const node = t.stringNode("run");
  if (!node) return undefined;
  if (/^[A-Z][A-Za-z0-9_]*(\.[A-Z][A-Za-z0-9_]*)*\.[a-z_][A-Za-z0-9_]*[?!]?$/.test(node.v)) return node.v;
  // `run = "Mod.fun()"` (or "Mod.fun/0") got only a generic example; offer the exact fix.
  const bare = node.v.trim().replace(/(\(\s*\)|\/0)$/, "");
  const fixable = bare !== node.v && /^[A-Z][A-Za-z0-9_]*(\.[A-Z][A-Za-z0-9_]*)*\.[a-z_][A-Za-z0-9_]*[?!]?$/.test(bare);
  r.error("E021", `\`run\` in ${t.where} must name a function as "Module.function", found "${node.v}"`, node.span, fixable ? `write run = "${bare}" (no parentheses or arity)` : 'e.g. run = "Payments.Migrations.run"');
  return undefined;
}

function readScheduled(r: Reporter, t: TableReader, id: string): KindSpec {
  const cronNode = t.stringNode("cron");
  const everyMs = t.int("every_ms", 1, 31_536_000_000);
  if (t.has("cron") === t.has("every_ms")) {
    r.error("E005", `scheduled service \`${id}\` needs exactly one of \`cron\` and \`every_ms\``, t.table.span, 'e.g. cron = "*/5 * * * *" or every_ms = 60_000');
  }
  if (cronNode) {
    const problem = validateCron(cronNode.v);
    if (problem) r.error("E022", `invalid cron expression "${cronNode.v}": ${problem}`, cronNode.span, 'five fields: minute hour day-of-month month day-of-week, e.g. "*/5 * * * *"');
  }
  t.required("run", 'the job function, e.g. "MyApp.Jobs.cleanup"');
  const spec: KindSpec = {
    kind: "scheduled",
    run: readRunTarget(r, t) ?? "",
    timeoutMs: t.int("timeout_ms", 1, 86_400_000) ?? 60_000,
    overlap: t.oneOf("overlap", ["skip", "allow", "queue"] as const) ?? "skip",
    history: t.int("history", 0, 100_000) ?? 50,
    enabled: t.bool("enabled") ?? true,
  };
  if (cronNode) spec.cron = cronNode.v;
  if (everyMs !== undefined) spec.everyMs = everyMs;
  return spec;
}

function checkFunctionName(r: Reporter, node: PString, what: string, generated: boolean): boolean {
  if (!isValidFunctionName(node.v)) {
    r.error("E025", `${what} "${node.v}" is not a valid Elixir function name`, node.span, "use snake_case, e.g. `checkout` or `fetch_all`");
    return false;
  }
  if (generated && node.v.startsWith("_")) {
    // A leading underscore marks a private-by-convention name; the generated client API is public.
    r.error("E025", `${what} "${node.v}" starts with \`_\`, which a public client function cannot`, node.span, "drop the leading underscore");
    return false;
  }
  if (generated && GENERATED_FUNCTIONS.has(node.v)) {
    r.error("E025", `${what} "${node.v}" clashes with a function otpiser generates`, node.span, "choose another name");
    return false;
  }
  return true;
}

function readArgs(r: Reporter, t: TableReader): string[] {
  const args = t.strings("args") ?? [];
  reportDuplicateItems(r, args, "args", t.where);
  for (const a of args) {
    // `state`, `from` and `server` are the generated code's own variables; a leading `_` marks a variable unused,
    // and the generated code does use every argument (compile warning otherwise).
    if (!isValidVariableName(a.v) || a.v.startsWith("_") || ["state", "from", "server"].includes(a.v)) {
      r.error("E025", `argument "${a.v}" in ${t.where} is not usable as an Elixir variable name here`, a.span, "use snake_case names not starting with `_`, other than `state`, `from` and `server`");
    }
  }
  return args.map((a) => a.v);
}

function uniqueNames<T extends { name: string; span: Span }>(r: Reporter, items: T[], what: string): T[] {
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.name)) r.error("E013", `${what} "${item.name}" is declared twice`, item.span, "remove or rename one");
    seen.add(item.name);
  }
  return items;
}

function readCalls(r: Reporter, t: TableReader): CallSpec[] {
  const calls: CallSpec[] = [];
  (t.tables("calls") ?? []).forEach((table, i) => {
    const ct = new TableReader(r, table, `call #${i + 1} of ${t.where}`);
    ct.onlyKeys(CALL_KEYS);
    if (!ct.required("name", "the function name")) return;
    const name = ct.stringNode("name");
    if (!name || !checkFunctionName(r, name, "call", true)) return;
    const returnsNode = ct.stringNode("returns");
    const returns = returnsNode ? readType(r, returnsNode, `\`returns\` of call "${name.v}"`) : "term()";
    calls.push({ name: name.v, args: readArgs(r, ct), returns: returns ?? "term()", span: name.span });
  });
  return uniqueNames(r, calls, "call");
}

function readCasts(r: Reporter, t: TableReader): CastSpec[] {
  const casts: CastSpec[] = [];
  (t.tables("casts") ?? []).forEach((table, i) => {
    const ct = new TableReader(r, table, `cast #${i + 1} of ${t.where}`);
    ct.onlyKeys(CAST_KEYS);
    if (!ct.required("name", "the function name")) return;
    const name = ct.stringNode("name");
    if (!name || !checkFunctionName(r, name, "cast", true)) return;
    casts.push({ name: name.v, args: readArgs(r, ct), span: name.span });
  });
  return uniqueNames(r, casts, "cast");
}

/** `infos` accepts `["tick"]` or `[[services.x.infos]] name = "tick"`. */
function readInfos(r: Reporter, t: TableReader): InfoSpec[] {
  const e = t.entry("infos");
  if (!e) return [];
  const infos: InfoSpec[] = [];
  const v = e.value;
  if (v.t === "array" && v.items.every((i) => i.t === "string")) {
    for (const item of v.items as PString[]) {
      if (checkFunctionName(r, item, "info message", false)) infos.push({ name: item.v, span: item.span });
    }
  } else {
    (t.tables("infos") ?? []).forEach((table, i) => {
      const it = new TableReader(r, table, `info #${i + 1} of ${t.where}`);
      it.onlyKeys(INFO_KEYS);
      if (!it.required("name", "the message atom")) return;
      const name = it.stringNode("name");
      if (name && checkFunctionName(r, name, "info message", false)) infos.push({ name: name.v, span: name.span });
    });
  }
  return uniqueNames(r, infos, "info message");
}

function readState(r: Reporter, t: TableReader): StateField[] {
  const table = t.table_("state");
  if (!table) return [];
  const fields: StateField[] = [];
  for (const [name, entry] of table.entries) {
    // `__struct__` names a struct's module: as a field, the generated `defstruct` and `@type t` do not compile.
    if (!isValidVariableName(name) || name === "__struct__") {
      r.error("E025", `state field "${name}" in ${t.where} is not a valid Elixir field name`, entry.keySpan, "use snake_case");
      continue;
    }
    const v = entry.value;
    if (v.t === "string") {
      const type = readType(r, v, `state field \`${name}\``);
      if (type) fields.push({ name, type, span: entry.keySpan });
    } else if (v.t === "table") {
      const ft = new TableReader(r, v, `state field \`${name}\` of ${t.where}`);
      ft.onlyKeys(STATE_FIELD_KEYS);
      if (!ft.required("type", 'the Elixir type, e.g. "non_neg_integer()"')) continue;
      const typeNode = ft.stringNode("type");
      const type = typeNode ? readType(r, typeNode, `state field \`${name}\``) : undefined;
      const d = ft.entry("default");
      const field: StateField = { name, type: type ?? "term()", span: entry.keySpan };
      if (d) {
        const literal = toLiteral(r, d.value, `the default of state field \`${name}\``);
        if (literal !== undefined) field.default = literal;
      }
      if (type) fields.push(field);
    } else {
      r.error("E004", `state field \`${name}\` must be a type string or a table { type, default }`, v.span, 'e.g. conns = "non_neg_integer()"');
    }
  }
  return fields;
}

function toLiteral(r: Reporter, v: PValue, what: string): LiteralValue | undefined {
  switch (v.t) {
    case "string":
    case "boolean":
    case "float":
      return v.v;
    case "integer":
      if (!Number.isSafeInteger(v.v)) {
        r.error("E010", `${what} is too large for a safe integer`, v.span);
        return undefined;
      }
      return v.v;
    case "array": {
      const out: LiteralValue[] = [];
      for (const item of v.items) {
        const lit = toLiteral(r, item, what);
        if (lit === undefined) return undefined;
        out.push(lit);
      }
      return out;
    }
    case "table": {
      const out: { [key: string]: LiteralValue } = {};
      for (const [key, entry] of v.entries) {
        // A map with a `__struct__` key passes for a struct it is not.
        if (!isValidVariableName(key) || key === "__struct__") {
          r.error("E025", `map key "${key}" in ${what} is not a plain atom name`, entry.keySpan);
          return undefined;
        }
        const lit = toLiteral(r, entry.value, what);
        if (lit === undefined) return undefined;
        out[key] = lit;
      }
      return out;
    }
    case "datetime":
      r.error("E004", `${what} cannot be a date-time`, v.span, "use a string");
      return undefined;
  }
}

/**
 * Names a generated gen_statem already defines at the arities of an event's client function (`connect/0,1`), or
 * that Erlang defines itself (`module_info`): an event cannot take them.
 */
export const STATEM_FUNCTIONS: ReadonlySet<string> = new Set([
  ...GENERATED_FUNCTIONS, "callback_mode", "handle_event", "state", "module_info",
]);

function readStatem(r: Reporter, t: TableReader): KindSpec {
  t.required("states", 'the state names, e.g. ["idle", "running"]');
  const stateNodes = t.strings("states") ?? [];
  reportDuplicateItems(r, stateNodes, "states", t.where);
  if (stateNodes.length === 0 && t.has("states")) {
    r.error("E018", `${t.where} declares no states`, t.span("states"), 'list at least one, e.g. ["idle", "running"]');
  }
  const callbackMode = t.oneOf("callback_mode", ["state_functions", "handle_event_function"] as const) ?? "state_functions";
  for (const s of stateNodes) {
    // With state_functions every state is a function of the module: a leading `_` (`__block__`) cannot always be one.
    if (!isValidFunctionName(s.v) || s.v.startsWith("_") || GENERATED_FUNCTIONS.has(s.v) || ["callback_mode", "start_link"].includes(s.v)) {
      r.error("E025", `state "${s.v}" in ${t.where} must be a snake_case atom name usable as a function`, s.span, "use snake_case names not starting with `_`, like `idle` or `running`");
    }
  }
  const states = stateNodes.map((s) => s.v);
  const initialNode = t.stringNode("initial");
  const initial = initialNode?.v ?? states[0] ?? "";
  if (initialNode && !states.includes(initialNode.v)) {
    r.error("E018", `initial state "${initialNode.v}" is not one of the states`, initialNode.span, suggestion(initialNode.v, states, "states"));
  }
  const transitions: Transition[] = [];
  let unknownState = false;
  (t.tables("transitions") ?? []).forEach((table, i) => {
    const tt = new TableReader(r, table, `transition #${i + 1} of ${t.where}`);
    tt.onlyKeys(TRANSITION_KEYS);
    const ok = ["from", "event", "to"].map((k) => tt.required(k, k === "event" ? "the event name" : "a state name")).every(Boolean);
    if (!ok) return;
    const from = tt.stringNode("from");
    const to = tt.stringNode("to");
    const event = tt.stringNode("event");
    if (!from || !to || !event) return;
    for (const node of [from, to]) {
      if (!states.includes(node.v)) {
        unknownState = true;
        r.error("E018", `transition refers to unknown state "${node.v}"`, node.span, suggestion(node.v, states, "states"));
      }
    }
    // Each event becomes a public client function (`connect(server \\ __MODULE__)`).
    if (!isValidFunctionName(event.v)) r.error("E025", `event "${event.v}" must be a snake_case atom name`, event.span);
    else if (event.v.startsWith("_")) {
      r.error("E025", `event "${event.v}" starts with \`_\`, which its public client function cannot`, event.span, "drop the leading underscore");
    } else if (STATEM_FUNCTIONS.has(event.v)) {
      r.error("E025", `event "${event.v}" clashes with a function otpiser generates for the state machine`, event.span, "choose another name");
    }
    if (transitions.some((x) => x.from === from.v && x.event === event.v)) {
      r.error("E018", `a second transition from "${from.v}" on "${event.v}": a state machine must be deterministic`, event.span);
    }
    transitions.push({ from: from.v, event: event.v, to: to.v, span: from.span });
  });
  // Unreachable states: everything must be reachable from the initial state through the declared transitions.
  // a typo in a transition's `to` also made the intended state "unreachable" — a second
  // error for one mistake. Reachability is only judged once every transition names known states.
  if (states.includes(initial) && !unknownState) {
    const reached = new Set([initial]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const tr of transitions) {
        if (reached.has(tr.from) && !reached.has(tr.to)) {
          reached.add(tr.to);
          grew = true;
        }
      }
    }
    for (const s of stateNodes) {
      if (!reached.has(s.v)) {
        r.error("E018", `state "${s.v}" cannot be reached from the initial state "${initial}"`, s.span, `add a transition with to = "${s.v}", or remove the state`);
      }
    }
  }
  return { kind: "gen_statem", states, initial, transitions, callbackMode };
}

function readTables(r: Reporter, t: TableReader): EtsTable[] {
  const tables: EtsTable[] = [];
  (t.tables("tables") ?? []).forEach((table, i) => {
    const tt = new TableReader(r, table, `table #${i + 1} of ${t.where}`);
    tt.onlyKeys(TABLE_KEYS);
    if (!tt.required("name", "the table's atom name")) return;
    const name = tt.stringNode("name");
    if (!name) return;
    if (!/^[a-z_][A-Za-z0-9_]*$/.test(name.v)) {
      r.error("E025", `table name "${name.v}" must be a snake_case atom name`, name.span);
      return;
    }
    tables.push({
      name: name.v,
      type: tt.oneOf("type", ["set", "ordered_set", "bag", "duplicate_bag"] as const) ?? "set",
      access: tt.oneOf("access", ["public", "protected"] as const) ?? "protected",
      readConcurrency: tt.bool("read_concurrency") ?? false,
      writeConcurrency: tt.bool("write_concurrency") ?? false,
      span: name.span,
    });
  });
  if (tables.length === 0 && !t.has("tables")) r.error("E005", `${t.where} needs at least one \`[[...tables]]\` entry`, t.table.span);
  return uniqueNames(r, tables, "ETS table");
}
