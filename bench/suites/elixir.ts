/**
 * The generated code at run time: a generated app of n gen_servers (`flatManifest`) against the hand-written
 * baseline of n bare GenServers (bench/elixir/baseline.ts), same supervision shape. Both are compiled once with
 * MIX_ENV=prod into a cache keyed by a hash of their sources (so reruns skip the ~30 s compile), then measured by
 * bench/elixir/measure.exs: each VM loads both apps and alternates them repetition by repetition, so both see the
 * same VM and the same machine load.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { baselineProject } from "../elixir/baseline.js";
import { flatManifest } from "../manifests.js";
import { type BenchContext, CLI, NODE, ROOT, listFiles, remove, reps } from "../lib/context.js";
import { median, run } from "../lib/measure.js";
import { type Row, ratioRow } from "../lib/report.js";

const MEASURE = join(ROOT, "bench", "elixir", "measure.exs");
const CACHE = join(tmpdir(), "otpiser-bench-cache");

interface AppSamples {
  first_boot_us: number;
  boot_us: number[];
  restart_us: number[];
  single_caller_calls_per_s: number[];
  multi_caller_calls_per_s: number[];
}

interface VmResult {
  apps: Record<string, AppSamples>;
  callers: number;
  schedulers: number;
}

function treeHash(dir: string): string {
  const h = createHash("sha256");
  for (const p of listFiles(dir)) h.update(p).update("\0").update(readFileSync(join(dir, p))).update("\0");
  return h.digest("hex").slice(0, 16);
}

/** Moves the project at `staged` into the cache (unless already there) and compiles it for prod; returns its path. */
function compiledInCache(ctx: BenchContext, staged: string, label: string): string {
  const dir = join(CACHE, `${label}-${treeHash(staged)}`);
  const marker = join(dir, ".bench-compiled");
  if (existsSync(marker)) {
    ctx.log(`elixir: ${label} compiled earlier (${dir})`);
    remove(staged);
    return dir;
  }
  remove(dir);
  mkdirSync(dirname(dir), { recursive: true });
  renameSync(staged, dir);
  ctx.log(`elixir: compiling ${label} (MIX_ENV=prod mix compile) in ${dir}`);
  run("mix", ["compile"], { cwd: dir, env: { ...process.env, MIX_ENV: "prod" } });
  writeFileSync(marker, "");
  return dir;
}

const APPS = { generated: { app: "bench_gen", module: "BenchGen" }, baseline: { app: "bench_base", module: "BenchBase" } };

/**
 * One VM measuring both apps, alternating them (see measure.exs). The VM runs `mix run` in `host`, the other
 * app's compiled code is added to its code path.
 */
function measure(host: string, guest: { dir: string; app: string }, n: number, quick: boolean): VmResult {
  const env = {
    ...process.env,
    MIX_ENV: "prod",
    BENCH_APPS: `${APPS.generated.app}:${APPS.generated.module},${APPS.baseline.app}:${APPS.baseline.module}`,
    BENCH_PATHS: join(guest.dir, "_build", "prod", "lib", guest.app, "ebin"),
    BENCH_N: String(n),
    ...(quick ? { BENCH_BOOT_REPS: "5", BENCH_KILLS: "30", BENCH_CALLS: "20000", BENCH_CALL_REPS: "3" } : {}),
  };
  const { stdout } = run("mix", ["run", "--no-start", MEASURE], { cwd: host, env });
  const line = stdout.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
  if (line === undefined) throw new Error(`no BENCH_RESULT from ${host}:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice("BENCH_RESULT ".length)) as VmResult;
}

export function elixirSuite(ctx: BenchContext): Row[] {
  const n = ctx.quick ? 50 : 1_000;
  const manifest = join(ctx.work, `elixir-${n}.toml`);
  writeFileSync(manifest, flatManifest(n));
  const stagedGen = join(ctx.work, "elixir-generated");
  run(NODE, [CLI, "generate", "--no-format", "-m", manifest, "-o", stagedGen]);
  const stagedBase = join(ctx.work, "elixir-baseline");
  for (const [path, content] of Object.entries(baselineProject(n))) {
    mkdirSync(dirname(join(stagedBase, path)), { recursive: true });
    writeFileSync(join(stagedBase, path), content);
  }
  const generated = compiledInCache(ctx, stagedGen, `generated-${n}`);
  const baseline = compiledInCache(ctx, stagedBase, `baseline-${n}`);

  const rounds = reps(ctx, 3, 1);
  ctx.log(`elixir: ${n} workers, ${rounds} VM(s), each running both apps alternately`);
  const vms: VmResult[] = [];
  for (let r = 0; r < rounds; r++) {
    // The VM's host project alternates too, in case hosting matters.
    vms.push(
      r % 2 === 0
        ? measure(generated, { dir: baseline, app: APPS.baseline.app }, n, ctx.quick)
        : measure(baseline, { dir: generated, app: APPS.generated.app }, n, ctx.quick),
    );
  }
  const all = (app: string, k: keyof AppSamples) => vms.flatMap((v) => v.apps[app]![k]);
  const med = (who: keyof typeof APPS, k: keyof AppSamples) => median(all(APPS[who].app, k));
  const gen = (k: keyof AppSamples) => med("generated", k);
  const base = (k: keyof AppSamples) => med("baseline", k);
  const callers = vms[0]!.callers;
  const details = { workers: n, vms };
  return [
    ratioRow(`boot of ${n} gen_servers (ensure_all_started, warm)`, "ms", gen("boot_us") / 1000, base("boot_us") / 1000, { max: 1.2 }, details),
    ratioRow(`first boot of ${n} gen_servers (incl. code loading)`, "ms", gen("first_boot_us") / 1000, base("first_boot_us") / 1000),
    ratioRow("restart latency of a killed worker (until it answers)", "µs", gen("restart_us"), base("restart_us"), { max: 1.2 }),
    ratioRow("GenServer.call throughput, 1 caller", "calls/s", gen("single_caller_calls_per_s"), base("single_caller_calls_per_s"), { min: 0.9 }),
    ratioRow(`GenServer.call throughput, ${callers} callers`, "calls/s", gen("multi_caller_calls_per_s"), base("multi_caller_calls_per_s"), { min: 0.9 }),
  ];
}
