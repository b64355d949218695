/**
 * Synthetic manifests for the benchmarks: N services that look like a real system rather than N copies of one line.
 * Deterministic (seeded PRNG), so every run and every machine benchmarks the same input.
 *
 * Mix per block of 50 services (a subsystem): mostly gen_servers with typed state, calls and casts, wired by
 * `depends_on` chains and a sparse DAG that stay mostly inside the subsystem (plus a few edges to the app's core
 * services), and `uses` edges anywhere; then a registry, a task_supervisor, a dynamic_supervisor with its worker
 * template, a pool with its worker template, and a `kind = "supervisor"` service with its own members.
 */

import { prng } from "../test/helpers/prng.js";

export interface SyntheticOptions {
  seed?: number;
  /** App name (also the root module, in CamelCase). */
  app?: string;
}

/** A gen_server's body: typed state, one call, one cast, sometimes an info message and handle_continue. */
function genServer(lines: string[], id: string, random: () => number, deps: string[], uses: string[]): void {
  lines.push(`[services.${id}]`);
  if (deps.length > 0) lines.push(`depends_on = [${deps.map((d) => `"${d}"`).join(", ")}]`);
  if (uses.length > 0) lines.push(`uses = [${uses.map((d) => `"${d}"`).join(", ")}]`);
  if (random() < 0.1) lines.push("continue = true");
  if (random() < 0.2) lines.push('infos = ["tick"]');
  lines.push("", `[services.${id}.state]`, 'entries = "map()"', 'count = { type = "non_neg_integer()", default = 0 }', "");
  lines.push(`[[services.${id}.calls]]`, 'name = "fetch"', 'args = ["key"]', 'returns = "{:ok, term()} | :error"', "");
  lines.push(`[[services.${id}.casts]]`, 'name = "put"', 'args = ["key", "value"]', "");
}

/**
 * The manifest text of `n` services (exactly `n` `[services.*]` tables; templates and supervisor members count).
 * Validates without errors for any n ≥ 1.
 */
export function syntheticManifest(n: number, options: SyntheticOptions = {}): string {
  const random = prng(options.seed ?? 2026);
  const app = options.app ?? "bench";
  const lines = [`# ${n} synthetic services (bench/manifests.ts)`, "[app]", `name = "${app}"`, 'description = "Synthetic benchmark app"', ""];
  lines.push("[sla]", 'availability = "99.9%"', "recovery_ms = 20", "window_s = 60", "");
  /** Started gen_servers other services may depend on (ids in manifest order). */
  const servers: string[] = [];
  /** The same, per block of 50 services: a block is one subsystem. */
  const blocks: string[][] = [];
  let made = 0;
  const id = (prefix: string) => `${prefix}${made}`;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  /**
   * Dependencies stay mostly inside a subsystem, as in real code: a chain through the block's previous gen_server,
   * an edge to an earlier gen_server of this block or the one before, and now and then one of the first five
   * gen_servers of the app (its core: config, repo…) that services everywhere depend on.
   */
  const pickDeps = (): string[] => {
    const deps = new Set<string>();
    const block = blocks[Math.floor(made / 50)] ?? [];
    const previous = blocks[Math.floor(made / 50) - 1] ?? [];
    if (block.length > 0 && random() < 0.5) deps.add(block[block.length - 1]!);
    const near = [...previous, ...block];
    if (near.length > 0 && random() < 0.2) deps.add(pick(near));
    const core = servers.slice(0, 5);
    if (core.length > 0 && random() < 0.08) deps.add(pick(core));
    return [...deps];
  };
  /** A runtime-only edge to an earlier gen_server that is not already a dependency (W107 otherwise). */
  const pickUses = (deps: string[]): string[] => {
    if (servers.length === 0 || random() >= 0.2) return [];
    const used = servers[Math.floor(random() * servers.length)]!;
    return deps.includes(used) ? [] : [used];
  };

  while (made < n) {
    const slot = made % 50;
    const left = n - made;
    if (slot === 10 && left >= 1) {
      const s = id("reg");
      lines.push(`[services.${s}]`, 'kind = "registry"', 'keys = "unique"', "");
      made += 1;
    } else if (slot === 20 && left >= 1) {
      const s = id("tasks");
      lines.push(`[services.${s}]`, 'kind = "task_supervisor"', "max_children = 100", "");
      made += 1;
    } else if (slot === 30 && left >= 2) {
      const sup = id("dyn");
      const child = `${sup}_child`;
      lines.push(`[services.${sup}]`, 'kind = "dynamic_supervisor"', `child = "${child}"`, "max_children = 1000", "");
      genServer(lines, child, random, [], []);
      made += 2;
    } else if (slot === 40 && left >= 2) {
      const pool = id("pool");
      const worker = `${pool}_worker`;
      lines.push(`[services.${pool}]`, 'kind = "pool"', "size = 4", `worker = "${worker}"`, "");
      lines.push(`[services.${worker}]`, 'restart = "transient"', "");
      made += 2;
    } else if (slot === 45 && left >= 4) {
      const sup = id("sup");
      const members = [`${sup}_a`, `${sup}_b`, `${sup}_c`];
      lines.push(`[services.${sup}]`, 'kind = "supervisor"', `members = [${members.map((m) => `"${m}"`).join(", ")}]`, "");
      genServer(lines, members[0]!, random, [], []);
      genServer(lines, members[1]!, random, [members[0]!], []);
      genServer(lines, members[2]!, random, [members[1]!], []);
      made += 4;
    } else {
      const s = id("svc");
      const deps = pickDeps();
      genServer(lines, s, random, deps, pickUses(deps));
      servers.push(s);
      (blocks[Math.floor(made / 50)] ??= []).push(s);
      made += 1;
    }
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The manifest of the Elixir benchmark: `n` independent gen_servers, each with a `ping` call, under the
 * application root (one_for_one, flat — the same shape as the hand-written baseline). The SLA gives the root the
 * highest intensity otpiser computes (100 restarts per 1 s window), so the restart-latency figure can kill
 * workers one after another without the root giving up; the baseline uses the same intensity.
 */
export function flatManifest(n: number, app = "bench_gen"): string {
  const lines = [`# ${n} independent gen_servers for the Elixir benchmark (bench/manifests.ts)`, "[app]", `name = "${app}"`, ""];
  lines.push("[sla]", 'availability = "50%"', "recovery_ms = 1", "window_s = 1", "");
  for (let i = 0; i < n; i++) {
    lines.push(`[services.w${i}]`, "", `[[services.w${i}.calls]]`, 'name = "ping"', 'returns = ":pong"', "");
  }
  return `${lines.join("\n")}\n`;
}
