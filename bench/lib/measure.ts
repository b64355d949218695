/**
 * Side-by-side timing: contenders run in alternation (A B A B …) so that a noisy neighbour slows both alike, the
 * first round is a discarded warm-up (page cache, JIT, disk), and figures are medians, never means.
 */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** What one timed run reports when it measures itself: wall time, and CPU time (user + system) when known. */
export interface Measured {
  ms: number;
  cpuMs?: number;
}

export interface Contender {
  name: string;
  /** Untimed preparation before each run (a fresh output directory, …). */
  setup?: () => void;
  /** The timed part. Returns its own measurement, or nothing and its wall time is taken. */
  run: () => Measured | void;
  /** Untimed cleanup after each run. */
  teardown?: () => void;
}

/** Milliseconds per contender, warm-up excluded, in run order. */
export type Samples = Record<string, number[]>;

/** Wall times of every contender; CPU times of those that report them (on a loaded machine they vary far less). */
export interface Timings {
  wall: Samples;
  cpu: Samples;
}

/** Runs `warmup` discarded rounds then `reps` timed rounds of every contender, alternating A B A B. */
export function interleave(contenders: Contender[], reps: number, warmup = 1): Timings {
  const wall: Samples = Object.fromEntries(contenders.map((c) => [c.name, []]));
  const cpu: Samples = {};
  for (let round = 0; round < warmup + reps; round++) {
    for (const c of contenders) {
      c.setup?.();
      const started = performance.now();
      const measured = c.run();
      const ms = measured?.ms ?? performance.now() - started;
      c.teardown?.();
      if (round < warmup) continue;
      wall[c.name]!.push(ms);
      if (measured?.cpuMs !== undefined) (cpu[c.name] ??= []).push(measured.cpuMs);
    }
  }
  return { wall, cpu };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs a command to completion; throws with its output when it fails, so a broken run is never timed as fast. */
export function run(command: string, args: string[], options: SpawnSyncOptions = {}): { stdout: string; stderr: string } {
  const r = spawnSync(command, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, ...options });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited ${r.status ?? r.signal}\n${String(r.stdout ?? "").slice(-2000)}\n${String(r.stderr ?? "").slice(-2000)}`);
  }
  return { stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? "") };
}

const CPU_REPORT = join(import.meta.dirname, "cpu-report.cjs");
let cpuFiles = 0;

/**
 * A contender that runs one command (stdout discarded) and is timed from spawn to exit. With `cpu` (Node commands
 * only), the process also reports its CPU time (user + system) through the preloaded cpu-report.cjs.
 */
export function command(
  name: string,
  cmd: string,
  args: () => string[],
  hooks: Pick<Contender, "setup" | "teardown"> = {},
  options: SpawnSyncOptions & { cpu?: boolean } = {},
): Contender {
  const { cpu, ...spawnOptions } = options;
  const base: SpawnSyncOptions = { stdio: ["ignore", "ignore", "pipe"], ...spawnOptions };
  if (cpu !== true) return { name, ...hooks, run: () => void run(cmd, args(), base) };
  const file = join(tmpdir(), `otpiser-bench-cpu-${process.pid}-${cpuFiles++}`);
  return {
    name,
    ...hooks,
    run: () => {
      rmSync(file, { force: true });
      const env = { ...(spawnOptions.env ?? process.env), BENCH_CPU_FILE: file };
      const started = performance.now();
      run(cmd, ["--require", CPU_REPORT, ...args()], { ...base, env });
      const ms = performance.now() - started;
      const cpuMs = Number(readFileSync(file, "utf8")) / 1000;
      rmSync(file, { force: true });
      return { ms, cpuMs };
    },
  };
}

/** Least-squares slope of log(y) over log(x): 1 is linear growth, 2 quadratic. */
export function growthExponent(points: readonly { x: number; y: number }[]): number {
  const xs = points.map((p) => Math.log(p.x));
  const ys = points.map((p) => Math.log(p.y));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return num / den;
}
