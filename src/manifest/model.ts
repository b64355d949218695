import type { Span } from "../diagnostics/types.js";

/**
 * The validated, typed manifest. Everything here has defaults applied and names checked;
 * `spans` keep where each value came from so later stages can still point at the source.
 */

export const KINDS = [
  "gen_server",
  "gen_statem",
  "supervisor",
  "dynamic_supervisor",
  "registry",
  "task_supervisor",
  "pool",
  "ets_owner",
  "health",
  "circuit_breaker",
  "producer",
  "consumer",
  "step",
  "pg_scope",
  "scheduled",
  "external",
] as const;
export type Kind = (typeof KINDS)[number];

export type Restart = "permanent" | "transient" | "temporary";
export type Strategy = "one_for_one" | "rest_for_one" | "one_for_all";

export interface Sla {
  /** Fraction in (0, 1), e.g. 0.999. */
  availability?: number;
  recoveryMs?: number;
  windowS?: number;
}

/** A TOML value converted to a plain JS value, used for state defaults (rendered via the escape helper). */
export type LiteralValue = string | number | boolean | LiteralValue[] | { [key: string]: LiteralValue };

export interface StateField {
  name: string;
  /** Canonical Elixir type expression, already validated by `elixir-type.ts`. */
  type: string;
  /** Explicit default from the manifest, if any; otherwise the planner derives one from the type. */
  default?: LiteralValue;
  span: Span;
}

export interface CallSpec {
  name: string;
  args: string[];
  /** Canonical Elixir type expression; default `term()`. */
  returns: string;
  span: Span;
}

export interface CastSpec {
  name: string;
  args: string[];
  span: Span;
}

export interface InfoSpec {
  name: string;
  span: Span;
}

export interface Transition {
  from: string;
  event: string;
  to: string;
  span: Span;
}

export interface EtsTable {
  name: string;
  type: "set" | "ordered_set" | "bag" | "duplicate_bag";
  access: "public" | "protected";
  readConcurrency: boolean;
  writeConcurrency: boolean;
  span: Span;
}

/** Kind-specific settings. `kind` discriminates. */
export type KindSpec =
  | { kind: "gen_server"; state: StateField[]; calls: CallSpec[]; casts: CastSpec[]; infos: InfoSpec[]; continue: boolean }
  | {
      kind: "gen_statem";
      states: string[];
      initial: string;
      transitions: Transition[];
      callbackMode: "state_functions" | "handle_event_function";
    }
  | { kind: "supervisor"; members: string[]; strategy?: Strategy; maxRestarts?: number; maxSeconds?: number }
  | { kind: "dynamic_supervisor"; maxChildren?: number; child?: string; extraArguments: string[] }
  | { kind: "registry"; keys: "unique" | "duplicate"; partitions: number }
  | { kind: "task_supervisor"; maxChildren?: number }
  | { kind: "pool"; size: number; worker: string; registry?: string }
  | { kind: "ets_owner"; tables: EtsTable[] }
  | { kind: "health"; intervalMs: number; probes: string[] }
  | { kind: "circuit_breaker"; protects: string; failureThreshold: number; resetTimeoutMs: number; halfOpenMaxCalls: number }
  | { kind: "producer"; bufferSize: number; overflow: "drop_oldest" | "drop_newest" | "reject" }
  | { kind: "consumer"; subscribeTo: string[]; maxDemand: number; minDemand: number }
  | { kind: "step"; run: string }
  | { kind: "pg_scope"; scope: string }
  | {
      kind: "scheduled";
      cron?: string;
      everyMs?: number;
      run: string;
      timeoutMs: number;
      overlap: "skip" | "allow" | "queue";
      history: number;
      enabled: boolean;
    }
  | { kind: "external"; childSpec: string; type: "worker" | "supervisor"; deps: string[] };

export interface Service {
  id: string;
  /** Fully qualified Elixir alias, e.g. `Payments.DbPool`. */
  module: string;
  restart: Restart;
  /** Milliseconds for workers. Supervisors always get :infinity (ignored for them). */
  shutdownMs: number;
  dependsOn: string[];
  uses: string[];
  sla: Sla;
  significant: boolean;
  pgGroup?: string;
  telemetry: boolean;
  doc?: string;
  spec: KindSpec;
  /** True when this service only serves as the template of a dynamic_supervisor `child` or a pool `worker`. */
  template: boolean;
  /** Span of the service's table key (`[services.<id>]`). */
  span: Span;
  /** Spans of individual keys' values, by key name (`depends_on`, `restart`, ...), for later diagnostics. */
  spans: Record<string, Span>;
  /** Spans of each element of `depends_on` / `uses` / `members`, by key then index. */
  itemSpans: Record<string, Span[]>;
}

export interface Group {
  name: string;
  module: string;
  members: string[];
  strategy?: Strategy;
  maxRestarts?: number;
  maxSeconds?: number;
  fate?: "shared";
  doc?: string;
  span: Span;
  spans: Record<string, Span>;
  itemSpans: Record<string, Span[]>;
}

export interface AppConfig {
  name: string;
  module: string;
  version: string;
  elixir: string;
  description?: string;
}

export interface ClusterConfig {
  enabled: boolean;
  discovery: "dns" | "epmd" | "static";
  query?: string;
  nodes: string[];
  groups: string[];
}

export interface DeployConfig {
  targets: string[];
  /** Span of each entry of `targets`, in order, for diagnostics about one target. */
  targetSpans: Span[];
  replicas: number;
  /** Container image the orchestrators run (default `<app-dns-name>:<version>`). */
  image: string;
  /** Git repository Argo CD syncs from (required with the argocd target). */
  repoUrl?: string;
  /** Kubernetes namespace (default: the app's DNS name). */
  namespace: string;
  /** fly.io primary region. */
  region: string;
  /** Exact versions for the builder image `hexpm/elixir:<elixir>-erlang-<otp>-debian-<debian>`. */
  elixirVersion: string;
  otpVersion: string;
  debianVersion: string;
  /** Resources per node (requests/limits, microVM size): CPU in millicores, memory in MiB. */
  cpuMillis: number;
  memoryMb: number;
}

export interface Features {
  /** `builtin`: a generated module with `:telemetry`'s API; `telemetry`: the hex package, called directly. */
  telemetry: "builtin" | "telemetry";
}

export interface Manifest {
  schema: 1;
  app: AppConfig;
  sla: Sla;
  defaults: { restart: Restart; shutdownMs: number };
  /** In manifest order. */
  services: Service[];
  groups: Group[];
  cluster?: ClusterConfig;
  http?: { port: number };
  deploy?: DeployConfig;
  ci?: { providers: string[] };
  /** `[features]`: optional library integrations. Absent means every default (`telemetry = "builtin"`). */
  features: Features;
  /** True when the input was a legacy `[workload]` manifest translated on the fly. */
  legacy: boolean;
  /** Spans of the top-level keys (`cluster`, `http`, …), for diagnostics about whole sections. */
  sectionSpans: Record<string, Span>;
}
