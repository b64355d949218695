/** One file the generator wants to exist. Paths are relative to the output directory, POSIX separators. */
export interface PlannedFile {
  path: string;
  content: string;
  /**
   * `owned`: otpiser regenerates it and protects user edits via the lock.
   * `user`: written once if missing (e.g. a stub the user fills in), never touched again.
   */
  ownership: "owned" | "user";
}

export interface Plan {
  files: PlannedFile[];
}

/**
 * What a cross-cutting feature (the HTTP endpoint, clustering, telemetry) adds to the project outside its own
 * modules. `planProject` merges these from every feature; each list is rendered in the order given.
 */
export interface ProjectNeeds {
  /** Child specs started under the root before the computed tree (e.g. the cluster watcher). */
  firstRootChildren: string[];
  /** Child specs started under the root after the computed tree (e.g. the HTTP endpoint): stopped first. */
  lastRootChildren: string[];
  /** OTP applications for `extra_applications` in mix.exs, besides `:logger`. */
  extraApplications: string[];
  /** Statements for config/config.exs (every environment), e.g. `config :payments, Payments.Http, port: 4000`. */
  config: string[];
  /** Statements for config/config.exs applied only when `config_env() == :test`. */
  testConfig: string[];
  /** Statements for config/runtime.exs (read at boot, e.g. from environment variables). */
  runtimeConfig: string[];
  /** Hex dependency tuples for mix.exs. */
  deps: string[];
  /** Statements run by `Application.start/2` before the tree starts (e.g. creating ETS tables the app master owns). */
  startSetup: string[];
}

export function emptyNeeds(): ProjectNeeds {
  return { firstRootChildren: [], lastRootChildren: [], extraApplications: [], config: [], testConfig: [], runtimeConfig: [], deps: [], startSetup: [] };
}
