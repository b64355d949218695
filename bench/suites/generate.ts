/**
 * `otpiser generate` on synthetic manifests of growing size, into a directory that does not exist yet, against a
 * Node script that writes the same bytes to the same paths (bench/baseline/write-files.mjs).
 *
 * Headline: `generate --no-format` against the durable baseline (stage, write + fsync every file, fsync every
 * directory, rename, fsync the parent — what otpiser's writer guarantees). The templates are already formatted, so
 * the formatter pass changes nothing; this suite checks that on every run (sizes ≤ 1 000) and reports a difference
 * as a failing row. The formatter is an external `elixir` process, so its cost is shown in rows of its own (default
 * `generate`), and so is the plain-writeFile baseline (no durability at all).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { syntheticManifest } from "../manifests.js";
import { type BenchContext, CLI, NODE, ROOT, packTree, remove, reps, treeDifferences } from "../lib/context.js";
import { command, growthExponent, interleave, median, run } from "../lib/measure.js";
import { type Row, ratioRow } from "../lib/report.js";

const BASELINE = join(ROOT, "bench", "baseline", "write-files.mjs");
/** The formatter pass is measured (and its output compared) up to this size: beyond it one run takes minutes. */
const FORMAT_UP_TO = 1_000;

/** Validates the manifest through the CLI: the benchmark input must be a manifest a user could have written. */
export function assertValid(manifest: string): { warnings: number } {
  const r = run(NODE, [CLI, "validate", "--json", "-m", manifest]);
  const json = JSON.parse(r.stdout) as { ok: boolean; summary: string; diagnostics: { severity: string }[] };
  if (!json.ok || json.diagnostics.some((d) => d.severity === "error")) throw new Error(`synthetic manifest ${manifest} does not validate: ${json.summary}`);
  return { warnings: json.diagnostics.length };
}

export function generateSuite(ctx: BenchContext): Row[] {
  const sizes = ctx.sizes ?? (ctx.quick ? [10, 100] : [10, 100, 1_000, 10_000]);
  const rows: Row[] = [];
  const perService: { n: number; otpiser: number; durable: number; plain: number }[] = [];
  for (const n of sizes) {
    const manifest = join(ctx.work, `generate-${n}.toml`);
    writeFileSync(manifest, syntheticManifest(n));
    const { warnings } = assertValid(manifest);

    // The reference output, generated once before timing: the bytes the baselines write.
    const reference = join(ctx.work, `reference-${n}`);
    run(NODE, [CLI, "generate", "--no-format", "-m", manifest, "-o", reference]);
    const pack = join(ctx.work, `pack-${n}`);
    const { files, bytes } = packTree(reference, pack);
    const withFormatter = n <= FORMAT_UP_TO;
    let formatterDiff: string[] = [];
    if (withFormatter) {
      const formatted = join(ctx.work, `reference-formatted-${n}`);
      run(NODE, [CLI, "generate", "-m", manifest, "-o", formatted]);
      formatterDiff = treeDifferences(reference, formatted);
      remove(formatted);
    }
    remove(reference);

    let k = 0;
    const out = (who: string) => join(ctx.work, `out-${who}-${n}-${k}`);
    const fresh = (who: string) => ({ setup: () => void (k += 1), teardown: () => remove(out(who)) });
    const contenders = [
      command("otpiser", NODE, () => [CLI, "generate", "--no-format", "-m", manifest, "-o", out("otpiser")], fresh("otpiser")),
      command("durable", NODE, () => [BASELINE, pack, out("durable"), "--durable"], fresh("durable")),
      command("plain", NODE, () => [BASELINE, pack, out("plain"), "--plain"], fresh("plain")),
      ...(withFormatter ? [command("formatter", NODE, () => [CLI, "generate", "-m", manifest, "-o", out("formatter")], fresh("formatter"))] : []),
    ];
    const r = n >= 10_000 ? reps(ctx, 5, 2) : reps(ctx, 7, 3);
    ctx.log(`generate ${n} services (${files} files, ${(bytes / 1e6).toFixed(1)} MB): ${r} rounds of ${contenders.map((c) => c.name).join(", ")}`);
    const s = interleave(contenders, r).wall;
    const m = Object.fromEntries(Object.entries(s).map(([name, xs]) => [name, median(xs)]));
    const details = { services: n, files, bytes, warnings, samples: s };
    rows.push(ratioRow(`generate ${n} services --no-format vs durable baseline`, "ms", m["otpiser"]!, m["durable"]!, n === 1_000 ? { max: 2 } : undefined, details));
    rows.push(ratioRow(`generate ${n} services --no-format vs plain writeFile`, "ms", m["otpiser"]!, m["plain"]!));
    if (withFormatter) {
      rows.push(ratioRow(`generate ${n} services, formatter on (default) vs durable`, "ms", m["formatter"]!, m["durable"]!));
      rows.push({
        figure: `formatter changes nothing at ${n} services (files differing)`,
        unit: "",
        otpiser: formatterDiff.length,
        target: "= 0",
        pass: formatterDiff.length === 0,
        ...(formatterDiff.length > 0 ? { details: { differing: formatterDiff.slice(0, 50) } } : {}),
      });
    }
    perService.push({ n, otpiser: m["otpiser"]!, durable: m["durable"]!, plain: m["plain"]! });
  }

  for (const p of perService) {
    rows.push(ratioRow(`generate time per service at ${p.n}`, "µs", (p.otpiser * 1000) / p.n, (p.durable * 1000) / p.n));
  }
  // Growth: the fixed cost of starting Node dominates small sizes, so the slope is fitted from 100 services up.
  const fitted = perService.filter((p) => p.n >= 100);
  if (fitted.length >= 2) {
    const otp = growthExponent(fitted.map((p) => ({ x: p.n, y: p.otpiser })));
    const base = growthExponent(fitted.map((p) => ({ x: p.n, y: p.durable })));
    const last = fitted.slice(-2);
    const tail = growthExponent(last.map((p) => ({ x: p.n, y: p.otpiser })));
    rows.push({
      figure: `generate growth exponent (log-log slope, ${fitted[0]!.n}→${fitted[fitted.length - 1]!.n})`,
      unit: "",
      otpiser: otp,
      baseline: base,
      target: "≤ 1.15",
      pass: otp <= 1.15,
      details: { lastStep: { from: last[0]!.n, to: last[1]!.n, exponent: tail } },
    });
  }
  return rows;
}
