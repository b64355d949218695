/**
 * No-op regeneration: generate a 1 000-service project, then generate again from the same manifest. The second run
 * must write nothing (the writer's `up-to-date`, and every file's mtime unchanged across all timed runs) and should
 * cost little more than `validate` of the same manifest: parse + check + plan + compare with the disk.
 * Measured with `--no-format` (headline) and with the formatter on (the default command line), which runs an
 * external `elixir` process even when nothing changed.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { syntheticManifest } from "../manifests.js";
import { type BenchContext, CLI, NODE, mtimes, reps } from "../lib/context.js";
import { command, interleave, median, run } from "../lib/measure.js";
import { type Row, ratioRow } from "../lib/report.js";
import { assertValid } from "./generate.js";

interface GenerateJson {
  status: string;
  counts: Record<string, number>;
}

const STAMP = ".otpiser/stamp.json";

function writesNothing(json: GenerateJson): boolean {
  const c = json.counts;
  return json.status === "up-to-date" && (c["create"] ?? 0) + (c["update"] ?? 0) + (c["overwritten"] ?? 0) + (c["remove"] ?? 0) === 0;
}

export function noopSuite(ctx: BenchContext): Row[] {
  const n = ctx.quick ? 100 : 1_000;
  const manifest = join(ctx.work, `noop-${n}.toml`);
  writeFileSync(manifest, syntheticManifest(n));
  assertValid(manifest);
  const out = join(ctx.work, `noop-${n}`);
  run(NODE, [CLI, "generate", "-m", manifest, "-o", out]);

  // Files younger than 2 s are verified by hash and then the stamp is refreshed once (src/writer/stamp.ts): wait them
  // out, so that refresh happens in the untimed runs below and the timed ones measure the steady state.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2_100);
  const before = mtimes(out);
  const reported = [
    JSON.parse(run(NODE, [CLI, "generate", "--json", "--no-format", "-m", manifest, "-o", out]).stdout) as GenerateJson,
    JSON.parse(run(NODE, [CLI, "generate", "--json", "-m", manifest, "-o", out]).stdout) as GenerateJson,
  ];
  const stampBeforeTimed = mtimes(out).get(STAMP);
  const r = reps(ctx, 7, 3);
  ctx.log(`no-op regeneration of ${n} services: ${r} rounds of generate --no-format, validate, generate (formatter on)`);
  const s = interleave(
    [
      command("noop", NODE, () => [CLI, "generate", "--no-format", "-m", manifest, "-o", out]),
      command("validate", NODE, () => [CLI, "validate", "-m", manifest]),
      command("noop-formatter", NODE, () => [CLI, "generate", "-m", manifest, "-o", out]),
    ],
    r,
  ).wall;
  const after = mtimes(out);
  // The stat cache (.otpiser/stamp.json, not a project file) may be refreshed once, by the first run after its files
  // leave the racy window (src/writer/stamp.ts); never after that: it must not change during the timed runs.
  const stampRewrites = stampBeforeTimed === after.get(STAMP) ? 0 : 1;
  before.delete(STAMP);
  after.delete(STAMP);
  const rewritten = [...after].filter(([p, t]) => before.get(p) !== t).map(([p]) => p);
  const appeared = [...after.keys()].filter((p) => !before.has(p));
  const gone = [...before.keys()].filter((p) => !after.has(p));
  const changed = rewritten.length + appeared.length + gone.length;
  const validate = median(s["validate"]!);
  return [
    ratioRow(`no-op regeneration of ${n} services --no-format vs validate`, "ms", median(s["noop"]!), validate, { max: 1.5 }, { samples: s }),
    ratioRow(`no-op regeneration of ${n} services, formatter on vs validate`, "ms", median(s["noop-formatter"]!), validate),
    {
      figure: `no-op regeneration: files written (mtimes, over ${2 * (r + 1) + 2} runs)`,
      unit: "",
      otpiser: changed,
      target: "= 0",
      pass: changed === 0 && stampRewrites === 0 && reported.every(writesNothing),
      details: { stamp_rewrites_in_timed_runs: stampRewrites, reported: reported.map(({ status, counts }) => ({ status, counts })), rewritten: rewritten.slice(0, 20), appeared: appeared.slice(0, 20), gone: gone.slice(0, 20), files: before.size },
    },
  ];
}
