/**
 * The JSON Schema of otpiser.toml (draft-07), built from the validator's own key lists (schema.ts, model.ts) so the
 * two cannot drift: every list must have a schema for exactly its keys, or building throws. Editors use it through
 * Taplo / Even Better TOML (`#:schema ./otpiser.schema.json`), which read only `properties`, `patternProperties`,
 * `oneOf`/`anyOf`/`allOf` and `$ref` for completion; so every key a table accepts is listed in its own
 * `properties` (the union over kinds for a service), and what depends on `kind` is an `if`/`then`/`else` chain
 * beside it, which validators honour and completion ignores. Objects that carry `properties` never have `allOf`
 * (Taplo then skips their own properties when completing).
 *
 * The schema checks what a schema can: keys (E003), types (E004), required keys (E005), enums and name patterns
 * (E006–E009, E025), ranges (E010), availability (E016), duplicates in id lists (E013). Whatever needs the whole
 * manifest — references between services, cycles, what a deploy target needs — stays with `otpiser validate`.
 * The legacy `[workload]` form is not described: editors flag it, `validate` translates it with W106.
 */
import { KINDS, type Kind } from "./model.js";
import { REQUIREMENT_SOURCE, RESERVED_WORDS } from "./names.js";
import {
  APP_KEYS, CALL_KEYS, CAST_KEYS, CI_KEYS, CI_PROVIDERS, CLUSTER_KEYS, COMMON_SERVICE_KEYS, DEFAULTS_KEYS, DEPLOY_KEYS,
  DEPLOY_TARGETS, FEATURES_KEYS, GENERATED_FUNCTIONS, GROUP_KEYS, HTTP_KEYS, INFO_KEYS, KIND_KEYS, SLA_KEYS,
  STATE_FIELD_KEYS, TABLE_KEYS, TELEMETRY_BACKENDS, TOP_LEVEL_KEYS, TRANSITION_KEYS,
} from "./schema.js";
import { RESTARTS, STRATEGIES, STATEM_FUNCTIONS } from "./validate-service.js";

/** A JSON Schema node (plain JSON). */
export type JsonSchema = { [keyword: string]: unknown };

/** File name of the schema, in the package (`schema/`) and in generated projects (beside otpiser.toml). */
export const SCHEMA_FILE_NAME = "otpiser.schema.json";

// Patterns: the validator's, written so that both JavaScript (`u` flag, as Ajv compiles them) and Rust's regex crate
// (Taplo) accept them: no lookaround, no needless escapes. test/manifest/json-schema.test.ts checks they agree with
// the validator on sample values.
const P = {
  id: "^[a-z][a-z0-9_]*$",
  alias: "^[A-Z][A-Za-z0-9_]*(\\.[A-Z][A-Za-z0-9_]*)*$",
  atom: "^[a-z_][A-Za-z0-9_]*$",
  /** A public function: snake_case, not `_`-prefixed, may end in `?` or `!`. */
  publicFunction: "^[a-z][a-zA-Z0-9_]*[?!]?$",
  function: "^[a-z_][a-zA-Z0-9_]*[?!]?$",
  variable: "^[a-z_][a-zA-Z0-9_]*$",
  argument: "^[a-z][a-zA-Z0-9_]*$",
  semver: "^[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$",
  requirement: REQUIREMENT_SOURCE,
  /** "99.9%": strictly between 0% and 100%, surrounding spaces allowed. */
  percent: "^\\s*0*([1-9][0-9]?(\\.[0-9]+)?|0\\.[0-9]*[1-9][0-9]*)\\s*%\\s*$",
  runTarget: "^[A-Z][A-Za-z0-9_]*(\\.[A-Z][A-Za-z0-9_]*)*\\.[a-z_][A-Za-z0-9_]*[?!]?$",
  probe: "^(alive|call):[a-z][a-z0-9_]*$|^mfa:[A-Z][A-Za-z0-9_]*(\\.[A-Z][A-Za-z0-9_]*)*\\.[a-z_][A-Za-z0-9_]*[?!]?$",
  node: "^[A-Za-z0-9_.-]+@[A-Za-z0-9_.-]+$",
  cron: "^[ \\t]*[^ \\t]+([ \\t]+[^ \\t]+){4}[ \\t]*$",
  /** Free text: no control character but tab and line breaks (E030). */
  text: "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$",
  dep: "^\\s*\\{\\s*:[a-z_][a-z0-9_]*\\s*,",
  image: "^[a-z0-9][a-z0-9._/:@-]*$",
  namespace: "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$",
  region: "^[a-z]{3}$",
  elixirVersion: "^[0-9]+\\.[0-9]+\\.[0-9]+$",
  otpVersion: "^[0-9]+(\\.[0-9]+){1,3}$",
  debianVersion: "^[a-z]+-[0-9]{8}-slim$",
  repoUrl: "^(https?|ssh|git)://\\S+$|^git@\\S+:\\S+$",
} as const;

const str = (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: "string", description, ...extra });
const bool = (description: string, dflt?: boolean): JsonSchema => ({ type: "boolean", description, ...(dflt === undefined ? {} : { default: dflt }) });
const int = (description: string, minimum: number, maximum?: number, dflt?: number): JsonSchema => ({
  type: "integer",
  description,
  minimum,
  ...(maximum === undefined ? {} : { maximum }),
  ...(dflt === undefined ? {} : { default: dflt }),
});
const oneOfStrings = (description: string, values: readonly string[], dflt?: string, docs?: readonly string[]): JsonSchema => ({
  type: "string",
  description,
  enum: [...values],
  ...(dflt === undefined ? {} : { default: dflt }),
  ...(docs ? { "x-taplo": { docs: { enumValues: [...docs] } } } : {}),
});
const strings = (description: string, items: JsonSchema = { type: "string" }, extra: JsonSchema = {}): JsonSchema => ({
  type: "array",
  description,
  items,
  ...extra,
});
const ids = (description: string, extra: JsonSchema = {}): JsonSchema =>
  strings(description, { type: "string", pattern: P.id }, { uniqueItems: true, ...extra });

/** A table with exactly `keys`: `props` must describe each key of the list and nothing else. */
function table<K extends string>(
  keys: readonly K[],
  props: Record<K, JsonSchema>,
  extra: JsonSchema = {},
): JsonSchema {
  return { type: "object", ...extra, properties: ordered(keys, props, "table"), additionalProperties: false };
}

/** `props` in the order of `keys`; throws when they do not describe exactly the same keys. */
function ordered<K extends string>(keys: readonly K[], props: Record<K, JsonSchema>, where: string): Record<string, JsonSchema> {
  const missing = keys.filter((k) => !(k in props));
  const extra = Object.keys(props).filter((k) => !(keys as readonly string[]).includes(k));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(`JSON Schema out of sync with the validator in ${where}: missing ${missing.join(", ") || "-"}; unknown ${extra.join(", ") || "-"}`);
  }
  return Object.fromEntries(keys.map((k) => [k, props[k]!]));
}

const SLA = table(SLA_KEYS, {
  availability: {
    description: 'Target availability: a percentage string such as "99.9%" or a number strictly between 0 and 1 (E016). Sets the restart intensity.',
    oneOf: [
      { type: "string", pattern: P.percent },
      { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 },
    ],
  },
  recovery_ms: int("Expected time in ms for a crashed child to be running again.", 1, 3_600_000),
  window_s: int("How long (s) the error budget is judged over; becomes `max_seconds` unless overridden.", 1, 86_400),
}, { description: "Availability target for the intensity calculator (all keys optional)." });

const RESTART = (description: string, dflt?: string): JsonSchema => oneOfStrings(description, RESTARTS, dflt, [
  "always restarted",
  "restarted only after an abnormal exit",
  "never restarted",
]);
const STRATEGY = oneOfStrings("Override the computed supervision strategy.", STRATEGIES, undefined, [
  "a crash restarts only the crashed child",
  "a crash restarts the crashed child and every child started after it",
  "a crash restarts every child",
]);
const MAX_RESTARTS = int("Override the computed restart intensity: restarts allowed within `max_seconds`.", 0, 1_000_000);
const MAX_SECONDS = int("Override the computed intensity window, in seconds.", 1, 86_400);
const FATE = oneOfStrings('`"shared"`: the members live and die together (forces one_for_all).', ["shared"]);
const MODULE = (what: string) => str(`Elixir module name of the ${what} (an alias such as \`Payments.DbPool\`, E008).`, { pattern: P.alias });
const DOC = str("Becomes the `@moduledoc` (escaped; it cannot inject code).", { pattern: P.text });
const MAX_CHILDREN = int("Maximum number of children at once.", 1);
const RUN = str('Function to run, as "Module.function" (no parentheses or arity; E021). Inside the app\'s namespace it is generated once as a user-owned stub returning :ok.', { pattern: P.runTarget });

/** A call's or cast's name: a public client function that otpiser does not define itself. */
const CLIENT_FUNCTION: JsonSchema = {
  type: "string",
  description: "Function name (snake_case, not `_`-prefixed, not a function otpiser generates; E025).",
  pattern: P.publicFunction,
  not: { enum: [...new Set([...GENERATED_FUNCTIONS, ...RESERVED_WORDS])].sort() },
};
const STATE_NAME: JsonSchema = {
  type: "string",
  pattern: P.publicFunction,
  not: { enum: [...new Set([...GENERATED_FUNCTIONS, ...RESERVED_WORDS, "callback_mode", "start_link"])].sort() },
};
const EVENT_NAME: JsonSchema = { type: "string", pattern: P.publicFunction, not: { enum: [...new Set([...STATEM_FUNCTIONS, ...RESERVED_WORDS])].sort() } };
const ARGS = strings("Argument names of the client function (snake_case, not `state`, `from`, `server`).", {
  type: "string",
  pattern: P.argument,
  not: { enum: [...new Set([...RESERVED_WORDS, "state", "from", "server"])].sort() },
}, { uniqueItems: true, default: [] });
const TYPE_SPEC = (description: string) => str(`${description} A typespec such as \`{:ok, pid()} | {:error, :timeout}\` (E015 otherwise).`);

/** Schemas of the keys of each kind; each list must match KIND_KEYS (checked when the schema is built). */
const KIND_PROPS: { [K in Kind]: Record<string, JsonSchema> } = {
  gen_server: {
    state: {
      type: "object",
      description: 'Typed state: field = Elixir type ("non_neg_integer()"), or a table { type, default } with a literal default. Becomes @type t and the initial state.',
      propertyNames: { pattern: P.variable, not: { enum: [...RESERVED_WORDS].sort() } },
      additionalProperties: {
        anyOf: [
          TYPE_SPEC("The field's Elixir type."),
          table(STATE_FIELD_KEYS, {
            type: TYPE_SPEC("The field's Elixir type."),
            default: { description: "A literal default value (string, number, boolean, array or table)." },
          }, { required: ["type"] }),
        ],
      },
    },
    calls: {
      type: "array",
      description: "Client API functions with `@spec`, a handle_call clause and a test ([[services.<id>.calls]]).",
      items: table(CALL_KEYS, {
        name: CLIENT_FUNCTION,
        args: ARGS,
        returns: TYPE_SPEC("Return type (default `term()`)."),
      }, { required: ["name"] }),
    },
    casts: {
      type: "array",
      description: "Fire-and-forget client functions with a handle_cast clause ([[services.<id>.casts]]).",
      items: table(CAST_KEYS, {
        name: CLIENT_FUNCTION,
        args: ARGS,
      }, { required: ["name"] }),
    },
    infos: {
      description: 'Messages handled by handle_info: ["tick"], or [[services.<id>.infos]] with `name`.',
      anyOf: [
        strings("Message atoms.", { type: "string", pattern: P.function, not: { enum: [...RESERVED_WORDS].sort() } }),
        { type: "array", items: table(INFO_KEYS, { name: str("The message atom.", { pattern: P.function, not: { enum: [...RESERVED_WORDS].sort() } }) }, { required: ["name"] }) },
      ],
    },
    continue: bool("`init` returns `{:continue, :init}`: defer remote work to handle_continue.", false),
  },
  gen_statem: {
    states: strings("State names (snake_case atoms; the first is the initial state by default).", STATE_NAME, { minItems: 1, uniqueItems: true }),
    initial: str("The initial state (default: the first of `states`)."),
    transitions: {
      type: "array",
      description: "[[services.<id>.transitions]]: one per (from, event); every state reachable from `initial` (E018).",
      items: table(TRANSITION_KEYS, {
        from: str("The state the transition leaves."),
        event: { ...EVENT_NAME, description: "The event; becomes a public client function (snake_case)." },
        to: str("The state the transition enters."),
      }, { required: ["from", "event", "to"] }),
    },
    callback_mode: oneOfStrings("How the generated :gen_statem dispatches events.", ["state_functions", "handle_event_function"], "state_functions"),
  },
  supervisor: {
    members: ids("Ids of the services it supervises.", { minItems: 1 }),
    strategy: STRATEGY,
    max_restarts: MAX_RESTARTS,
    max_seconds: MAX_SECONDS,
    fate: FATE,
  },
  dynamic_supervisor: {
    max_children: MAX_CHILDREN,
    child: str("Id of the gen_server or gen_statem service used as the template of its children (not started at boot).", { pattern: P.id }),
    extra_arguments: strings("Literal Elixir terms prepended to each child's start arguments, such as `:fast` or `[retries: 3]` (E019)."),
  },
  registry: {
    keys: oneOfStrings("Registry key mode.", ["unique", "duplicate"], "unique"),
    partitions: int("Number of partitions.", 1, 1024, 1),
  },
  task_supervisor: { max_children: MAX_CHILDREN },
  pool: {
    size: int("Number of workers.", 1, 100_000),
    worker: str("Id of the gen_server used as the worker template.", { pattern: P.id }),
    registry: str("Id of a registry service the workers register in (an implied depends_on).", { pattern: P.id }),
  },
  ets_owner: {
    tables: {
      type: "array",
      description: "[[services.<id>.tables]]: the named ETS tables this process owns (with an heir, so they survive its restart).",
      items: table(TABLE_KEYS, {
        name: str("The table's atom name.", { pattern: P.atom }),
        type: oneOfStrings("ETS table type.", ["set", "ordered_set", "bag", "duplicate_bag"], "set"),
        access: oneOfStrings("ETS access.", ["public", "protected"], "protected"),
        read_concurrency: bool("ETS read_concurrency.", false),
        write_concurrency: bool("ETS write_concurrency.", false),
      }, { required: ["name"] }),
    },
  },
  health: {
    interval_ms: int("How often the probes run, in ms.", 10, 86_400_000, 5000),
    probes: strings('Probes: "alive:<id>", "call:<id>" or "mfa:Module.fun".', { type: "string", pattern: P.probe }),
  },
  circuit_breaker: {
    protects: str("Id of the service it guards.", { pattern: P.id }),
    failure_threshold: int("Failures that open the circuit.", 1, 1_000_000, 5),
    reset_timeout_ms: int("How long the circuit stays open before trying again, in ms.", 1, 86_400_000, 30_000),
    half_open_max_calls: int("Calls let through while half open.", 1, 1_000_000, 1),
  },
  producer: {
    buffer_size: int("Events buffered before `overflow` applies.", 1, 100_000_000, 1000),
    overflow: oneOfStrings("What a full buffer does with a new event.", ["drop_oldest", "drop_newest", "reject"], "drop_oldest"),
  },
  consumer: {
    subscribe_to: ids("Ids of the producers it consumes (implied depends_on).", { minItems: 1 }),
    max_demand: int("Maximum events asked for at once.", 1, 1_000_000, 10),
    min_demand: int("Ask for more when this many are left (default max_demand / 2; below max_demand).", 0, 1_000_000),
  },
  step: { run: RUN },
  pg_scope: { scope: str("The :pg scope's atom name (default: the service id).", { pattern: P.atom }) },
  scheduled: {
    cron: str('Five-field cron expression, such as "*/5 * * * *" (exactly one of cron and every_ms).', { pattern: P.cron }),
    every_ms: int("Run interval in ms (exactly one of cron and every_ms).", 1, 31_536_000_000),
    run: RUN,
    timeout_ms: int("A run is killed after this many ms.", 1, 86_400_000, 60_000),
    overlap: oneOfStrings("What happens when a run is due while the last is still running.", ["skip", "allow", "queue"], "skip"),
    history: int("Runs kept in the history.", 0, 100_000, 50),
    enabled: bool("Whether the schedule starts enabled.", true),
  },
  external: {
    child_spec: str('The child spec, a literal Elixir term such as "{Phoenix.PubSub, name: MyApp.PubSub}" (no calls; E019).'),
    type: oneOfStrings("Whether the child is a worker or a supervisor.", ["worker", "supervisor"], "worker"),
    deps: strings('Hex dependencies for mix.exs, such as "{:phoenix_pubsub, \\"~> 2.1\\"}".', { type: "string", pattern: P.dep }),
  },
};

/** What each kind generates (the spec's table), for completion docs of `kind`. */
const KIND_DOCS: Record<Kind, string> = {
  gen_server: "GenServer with typed state, client API with @spec, callbacks and tests",
  gen_statem: ":gen_statem state machine with a test per transition",
  supervisor: "nested supervisor others can depend on",
  dynamic_supervisor: "DynamicSupervisor and a worker module for its children",
  registry: "Registry child with via/1 helpers",
  task_supervisor: "Task.Supervisor and a helper module",
  pool: "N identical workers under their own supervisor, in a Registry",
  ets_owner: "a process owning named ETS tables, with an heir",
  health: "health checks feeding /healthz and /readyz",
  circuit_breaker: "closed → open → half_open breaker guarding a dependency",
  producer: "demand-driven producer with a bounded buffer",
  consumer: "demand-driven consumer of producers",
  step: "a synchronous boot step (runs once in init, temporary)",
  pg_scope: "a :pg scope for process groups across nodes",
  scheduled: "a supervised cron/interval job runner",
  external: "a child spec you already have; otpiser supervises it",
};

/** Per-kind requirements beyond the keys themselves. */
const KIND_RULES: Partial<Record<Kind, JsonSchema>> = {
  gen_statem: { required: ["states"] },
  supervisor: { required: ["members"] },
  pool: { required: ["size", "worker"] },
  ets_owner: { required: ["tables"] },
  circuit_breaker: { required: ["protects"] },
  consumer: { required: ["subscribe_to"] },
  step: { required: ["run"], properties: { restart: { const: "temporary" } } },
  scheduled: { required: ["run"], oneOf: [{ required: ["cron"] }, { required: ["every_ms"] }] },
  external: { required: ["child_spec"] },
};

function commonServiceProps(): Record<(typeof COMMON_SERVICE_KEYS)[number], JsonSchema> {
  return {
    kind: oneOfStrings("What the service is; its kind-specific keys follow from it.", KINDS, "gen_server", KINDS.map((k) => KIND_DOCS[k])),
    module: MODULE("service (default `<App>.<CamelCaseId>`)"),
    restart: RESTART("Restart type (default: [defaults] restart; steps are always temporary)."),
    shutdown_ms: int("A worker's shutdown timeout: how long terminate/2 may take (default: [defaults] shutdown_ms).", 0, 3_600_000),
    depends_on: ids("Init-time dependencies: started first; this service restarts when they do."),
    uses: strings("Runtime-only dependencies: called by name later; no start order, no restart coupling.", { type: "string" }, { uniqueItems: true }),
    sla: SLA,
    significant: bool("OTP auto_shutdown: only on transient or temporary children below the root.", false),
    pg_group: str("A [cluster] group this service's process joins at init.", { pattern: P.atom }),
    telemetry: bool("Emit lifecycle telemetry events for this service's process.", true),
    doc: DOC,
  };
}

/** The schema of `[services.<id>]`: the union of every kind's keys, narrowed to the kind's own by an if/else chain. */
function serviceSchema(): JsonSchema {
  const common = ordered(COMMON_SERVICE_KEYS, commonServiceProps(), "common service keys");
  const union: Record<string, JsonSchema> = {};
  const owners = new Map<string, Kind[]>();
  for (const kind of KINDS) {
    const props = ordered(KIND_KEYS[kind], KIND_PROPS[kind], `kind ${kind}`);
    for (const [key, schema] of Object.entries(props)) {
      if (key in common) throw new Error(`JSON Schema: key \`${key}\` of kind ${kind} is also a common service key`);
      const known = union[key];
      if (known !== undefined && JSON.stringify(known) !== JSON.stringify(schema)) {
        throw new Error(`JSON Schema: key \`${key}\` has different schemas in kinds ${owners.get(key)!.join(", ")} and ${kind}`);
      }
      union[key] = schema;
      owners.set(key, [...(owners.get(key) ?? []), kind]);
    }
  }
  const properties: Record<string, JsonSchema> = { ...common };
  for (const [key, schema] of Object.entries(union)) {
    const kinds = owners.get(key)!;
    const onlyFor = `Only for kind${kinds.length > 1 ? "s" : ""} ${kinds.join(", ")}.`;
    properties[key] = { ...schema, description: `${String(schema["description"] ?? "")} ${onlyFor}`.trim() };
  }
  const narrow = (kind: Kind): JsonSchema => ({
    ...KIND_RULES[kind],
    propertyNames: { enum: [...COMMON_SERVICE_KEYS, ...KIND_KEYS[kind]] },
  });
  // gen_server is the default kind, so it is the final `else`: `kind` absent (or gen_server itself).
  let chain: JsonSchema = narrow("gen_server");
  for (const kind of [...KINDS].reverse()) {
    if (kind === "gen_server") continue;
    chain = { if: { properties: { kind: { const: kind } }, required: ["kind"] }, then: narrow(kind), else: chain };
  }
  return {
    type: "object",
    description: "One supervised child; the key is its id ([a-z][a-z0-9_]*). Keys besides the common ones depend on `kind`.",
    properties,
    additionalProperties: false,
    ...chain,
  };
}

const GROUP = table(GROUP_KEYS, {
  members: ids("Ids of the services it supervises.", { minItems: 1 }),
  strategy: STRATEGY,
  max_restarts: MAX_RESTARTS,
  max_seconds: MAX_SECONDS,
  fate: FATE,
  module: MODULE("group's supervisor (default `<App>.<CamelCaseName>`)"),
  doc: DOC,
}, { description: "An explicit sub-supervisor; the key is its name (not a service id).", required: ["members"] });

const CLUSTER: JsonSchema = {
  ...table(CLUSTER_KEYS, {
    enabled: bool("Whether clustering is on.", true),
    discovery: oneOfStrings("How nodes find each other.", ["dns", "epmd", "static"], "epmd", [
      "look up `query` (a headless service) for peers",
      "the hosts' epmd",
      "connect to the listed `nodes`",
    ]),
    query: str('DNS name to look peers up under (required with discovery = "dns").', { pattern: P.text }),
    nodes: strings('Node names such as "payments@10.0.0.5" (required with discovery = "static").', { type: "string", pattern: P.node }),
    groups: strings(":pg groups services can join with `pg_group` (atom names).", { type: "string", pattern: P.atom }),
  }, { description: "Multi-node: discovery, reconnection, netsplit detection and :pg groups." }),
  if: { properties: { discovery: { const: "dns" } }, required: ["discovery"] },
  then: { required: ["query"] },
  else: {
    if: { properties: { discovery: { const: "static" } }, required: ["discovery"] },
    then: { required: ["nodes"], properties: { nodes: { type: "array", minItems: 1 } } },
  },
};

const TARGET_DOCS: Record<(typeof DEPLOY_TARGETS)[number], string> = {
  release: "mix release configuration (always written)",
  docker: "multi-stage Dockerfile and .dockerignore",
  compose: "docker-compose.yml running `replicas` nodes",
  kubernetes: "Deployment/StatefulSet, Services, PDB, HPA, NetworkPolicy (kustomize)",
  argocd: "Argo CD Application syncing deploy/kubernetes (needs kubernetes)",
  nix: "flake.nix building the release",
  systemd: "a hardened systemd unit",
  hop3: "hop3.toml and Procfile",
  volant: "Volant microVM manifest",
  fly: "fly.toml (needs docker)",
  render: "render.yaml Blueprint (needs docker)",
  heroku: "heroku.yml, app.json and Procfile (needs docker)",
  monitoring: "Prometheus scrape config, alert rules and a Grafana dashboard",
};

const DEPLOY = table(DEPLOY_KEYS, {
  targets: strings("Deployment artifacts to generate, one emitter per target.", {
    type: "string",
    enum: [...DEPLOY_TARGETS],
    "x-taplo": { docs: { enumValues: DEPLOY_TARGETS.map((t) => TARGET_DOCS[t]) } },
  }, { uniqueItems: true }),
  replicas: int("Number of nodes.", 1, 10_000, 1),
  image: str("Container image reference (default `<app-name>:<version>`).", { pattern: P.image }),
  repo_url: str("Git repository Argo CD syncs from (needed by argocd).", { pattern: P.repoUrl }),
  namespace: str("Kubernetes namespace (default: the app name, hyphenated).", { pattern: P.namespace }),
  region: str("fly.io primary region.", { pattern: P.region, default: "ams" }),
  elixir_version: str("Exact Elixir version of the hexpm/elixir builder image.", { pattern: P.elixirVersion, default: "1.14.4" }),
  otp_version: str("Exact OTP version of the builder image.", { pattern: P.otpVersion, default: "25.3.1" }),
  debian_version: str("Debian tag of the builder and runner images.", { pattern: P.debianVersion, default: "bullseye-20230227-slim" }),
  cpu_millis: int("CPU per node, in millicores.", 10, 256_000, 500),
  memory_mb: int("Memory per node, in MiB.", 64, 1_048_576, 512),
}, { description: "Deployment artifacts (see docs/deploy.md)." });

/** The JSON Schema of otpiser.toml, schema 1. Pure: the same object on every call. */
export function manifestJsonSchema(): JsonSchema {
  const top = ordered(TOP_LEVEL_KEYS, {
    schema: { type: "integer", const: 1, default: 1, description: "Manifest schema version; only 1 (E024)." },
    app: table(APP_KEYS, {
      name: str("OTP application name: [a-z][a-z0-9_]* (no hyphens; E006).", { pattern: P.id }),
      module: MODULE("application's root namespace (default: `name` in CamelCase)"),
      version: str('Semantic version, such as "0.1.0".', { pattern: P.semver, default: "0.1.0" }),
      elixir: str('Elixir version requirement written into mix.exs, such as "~> 1.14".', { pattern: P.requirement, default: "~> 1.14" }),
      description: str("Free text (escaped).", { pattern: P.text }),
    }, { description: "The OTP application.", required: ["name"], "x-taplo": { initKeys: ["name"] } }),
    sla: SLA,
    defaults: table(DEFAULTS_KEYS, {
      restart: RESTART("Restart type of every service that does not set its own.", "permanent"),
      shutdown_ms: int("Shutdown timeout of every worker that does not set its own, in ms.", 0, 3_600_000, 5000),
    }, { description: "Defaults for every service." }),
    services: {
      type: "object",
      description: "The supervised children, one table each: [services.<id>].",
      minProperties: 1,
      patternProperties: { [P.id]: { $ref: "#/definitions/service" } },
      additionalProperties: false,
    },
    groups: {
      type: "object",
      description: "Optional explicit nesting: named sub-supervisors, [groups.<name>].",
      patternProperties: { [P.id]: { $ref: "#/definitions/group" } },
      additionalProperties: false,
    },
    cluster: CLUSTER,
    http: table(HTTP_KEYS, {
      port: int("TCP port of /healthz, /readyz and /metrics (PORT overrides it at boot).", 1, 65_535),
    }, { description: "The zero-dependency health and metrics endpoint (:inets httpd).", required: ["port"] }),
    deploy: DEPLOY,
    ci: table(CI_KEYS, {
      providers: strings("CI pipelines to generate.", { type: "string", enum: [...CI_PROVIDERS] }, { uniqueItems: true }),
    }, { description: "Continuous integration." }),
    features: table(FEATURES_KEYS, {
      telemetry: oneOfStrings("Telemetry backend of the generated code.", TELEMETRY_BACKENDS, "builtin", [
        "a generated <App>.Telemetry module with :telemetry's API (no dependency)",
        'the :telemetry hex package ({:telemetry, "~> 1.2"})',
      ]),
    }, { description: "Opt-in library integrations." }),
  }, "the top level");
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    $comment: "Generated by otpiser from src/manifest/json-schema.ts (`npm run schema`); do not edit.",
    title: "otpiser.toml",
    description: "The otpiser manifest, schema 1: an Elixir/OTP application as services and their dependencies. `otpiser validate` checks the rest (references, cycles, deploy targets).",
    type: "object",
    required: ["app", "services"],
    properties: top,
    additionalProperties: false,
    definitions: { service: serviceSchema(), group: GROUP },
  };
}

/** The schema as written to `schema/otpiser.schema.json` and generated projects: 2-space JSON, final newline. */
export function renderJsonSchema(): string {
  return `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`;
}
