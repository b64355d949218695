import type { Kind } from "./model.js";

/**
 * The keys the manifest accepts, as data: the validator checks against these lists and the
 * "did you mean" hints choose from them. (The JSON Schema of a later issue will be tested against them.)
 */
export const TOP_LEVEL_KEYS = ["schema", "app", "sla", "defaults", "services", "groups", "cluster", "http", "deploy", "ci", "features"] as const;
export const LEGACY_TOP_LEVEL_KEYS = ["workload", "supervisors", "data", "options"] as const;
export const APP_KEYS = ["name", "module", "version", "elixir", "description"] as const;
export const SLA_KEYS = ["availability", "recovery_ms", "window_s"] as const;
export const DEFAULTS_KEYS = ["restart", "shutdown_ms"] as const;
export const GROUP_KEYS = ["members", "strategy", "max_restarts", "max_seconds", "fate", "module", "doc"] as const;
export const CLUSTER_KEYS = ["enabled", "discovery", "query", "nodes", "groups"] as const;
export const HTTP_KEYS = ["port"] as const;
export const DEPLOY_KEYS = [
  "targets", "replicas",
  // extensions: where images come from and go, and the versions the builder image uses
  "image", "repo_url", "namespace", "region", "elixir_version", "otp_version", "debian_version", "cpu_millis", "memory_mb",
] as const;
export const CI_KEYS = ["providers"] as const;
export const FEATURES_KEYS = ["telemetry"] as const;
/** `[features] telemetry`: the generated zero-dependency module, or the `:telemetry` hex package. */
export const TELEMETRY_BACKENDS = ["builtin", "telemetry"] as const;

export const DEPLOY_TARGETS = [
  "release", "docker", "compose", "kubernetes", "argocd", "nix", "systemd",
  "hop3", "volant", "fly", "render", "heroku", "monitoring",
] as const;
export const CI_PROVIDERS = ["github", "gitlab"] as const;

export const COMMON_SERVICE_KEYS = [
  "kind", "module", "restart", "shutdown_ms", "depends_on", "uses", "sla", "significant", "pg_group", "telemetry", "doc",
] as const;

export const KIND_KEYS: Record<Kind, readonly string[]> = {
  gen_server: ["state", "calls", "casts", "infos", "continue"],
  gen_statem: ["states", "initial", "transitions", "callback_mode"],
  supervisor: ["members", "strategy", "max_restarts", "max_seconds", "fate"],
  dynamic_supervisor: ["max_children", "child", "extra_arguments"],
  registry: ["keys", "partitions"],
  task_supervisor: ["max_children"],
  pool: ["size", "worker", "registry"],
  ets_owner: ["tables"],
  health: ["interval_ms", "probes"],
  circuit_breaker: ["protects", "failure_threshold", "reset_timeout_ms", "half_open_max_calls"],
  producer: ["buffer_size", "overflow"],
  consumer: ["subscribe_to", "max_demand", "min_demand"],
  step: ["run"],
  pg_scope: ["scope"],
  scheduled: ["cron", "every_ms", "run", "timeout_ms", "overlap", "history", "enabled"],
  external: ["child_spec", "type", "deps"],
};

/** Kinds whose process is a supervisor (they get `shutdown: :infinity` and `type: :supervisor`). */
export const SUPERVISOR_KINDS: ReadonlySet<Kind> = new Set(["supervisor", "dynamic_supervisor", "task_supervisor", "pool"]);

export const CALL_KEYS = ["name", "args", "returns"] as const;
export const CAST_KEYS = ["name", "args"] as const;
export const INFO_KEYS = ["name"] as const;
export const TRANSITION_KEYS = ["from", "event", "to"] as const;
export const TABLE_KEYS = ["name", "type", "access", "read_concurrency", "write_concurrency"] as const;
export const STATE_FIELD_KEYS = ["type", "default"] as const;

/** Functions every generated gen_server defines; a call/cast with one of these names would clash. */
export const GENERATED_FUNCTIONS = new Set([
  "start_link", "child_spec", "init", "handle_call", "handle_cast", "handle_info", "handle_continue",
  "terminate", "code_change", "format_status", "module_info",
]);
