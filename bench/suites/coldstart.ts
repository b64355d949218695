/**
 * CLI cold start: a fresh `node` process running `otpiser --version` and `otpiser validate` on a small manifest
 * (the 10-service fixture), against `node -e 0` — the floor any Node CLI pays. Many rounds: each run is short.
 * CPU time (user + system, reported by the process itself) is shown too: on a busy machine wall times of 50 ms
 * processes mostly measure the scheduler, CPU times much less so. `--help` goes through oclif: it shows what every
 * command not on the fast path costs.
 */
import { join } from "node:path";
import { type BenchContext, CLI, NODE, ROOT, reps } from "../lib/context.js";
import { command, interleave, median, run } from "../lib/measure.js";
import { type Row, ratioRow } from "../lib/report.js";

export const SMALL_MANIFEST = join(ROOT, "fixtures", "valid", "ten-services.toml");

export function coldStartSuite(ctx: BenchContext): Row[] {
  // Both must succeed before they are timed (run() throws on a non-zero exit).
  const version = run(NODE, [CLI, "--version"]).stdout.trim();
  run(NODE, [CLI, "validate", "-m", SMALL_MANIFEST]);
  const r = reps(ctx, 30, 5);
  ctx.log(`cold start: ${r} rounds of node -e 0, otpiser --version (${version}), otpiser validate (10 services)`);
  const cpu = { cpu: true };
  const t = interleave(
    [
      command("node", NODE, () => ["-e", "0"], {}, cpu),
      command("version", NODE, () => [CLI, "--version"], {}, cpu),
      command("validate", NODE, () => [CLI, "validate", "-m", SMALL_MANIFEST], {}, cpu),
      command("help", NODE, () => [CLI, "--help"], {}, cpu),
    ],
    r,
    2,
  );
  const wall = (k: string) => median(t.wall[k]!);
  const cpuOf = (k: string) => median(t.cpu[k] ?? []);
  const details = { samples: t, version, cpuMs: Object.fromEntries(Object.keys(t.cpu).map((k) => [k, cpuOf(k)])) };
  return [
    ratioRow("cold start: otpiser --version vs node -e 0", "ms", wall("version"), wall("node"), { max: 2.5 }, details),
    ratioRow("cold start: otpiser validate (10 services) vs node -e 0", "ms", wall("validate"), wall("node"), { max: 2.5 }),
    ratioRow("cold start: otpiser --help (oclif) vs node -e 0", "ms", wall("help"), wall("node")),
    ratioRow("cold start CPU time: otpiser --version vs node -e 0", "ms cpu", cpuOf("version"), cpuOf("node")),
    ratioRow("cold start CPU time: otpiser validate vs node -e 0", "ms cpu", cpuOf("validate"), cpuOf("node")),
  ];
}
