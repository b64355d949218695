/**
 * `npm run bench [-- --quick] [-- --only generate,coldstart,noop,elixir] [-- --reps N] [-- --sizes 10,100]
 *  [-- --out FILE] [-- --keep]`
 *
 * Runs the suites against the built CLI (dist/), prints the table on stdout (progress on stderr) and writes it,
 * with the machine's facts, to bench/results/<date>.json (or --out). Exit code 0 even when a target is missed:
 * the numbers are the result; a broken run (a command failing, an invalid manifest) exits 1.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { type BenchContext, ROOT, remove } from "./lib/context.js";
import { type Row, machine, table } from "./lib/report.js";
import { coldStartSuite } from "./suites/coldstart.js";
import { elixirSuite } from "./suites/elixir.js";
import { generateSuite } from "./suites/generate.js";
import { noopSuite } from "./suites/noop.js";

const SUITES: Record<string, (ctx: BenchContext) => Row[]> = {
  coldstart: coldStartSuite,
  generate: generateSuite,
  noop: noopSuite,
  elixir: elixirSuite,
};

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    reps: { type: "string" },
    sizes: { type: "string" },
    out: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});

const only = values.only?.split(",").map((s) => s.trim()).filter(Boolean) ?? Object.keys(SUITES);
const unknown = only.filter((s) => !(s in SUITES));
if (unknown.length > 0) {
  process.stderr.write(`unknown suite(s): ${unknown.join(", ")}; known: ${Object.keys(SUITES).join(", ")}\n`);
  process.exit(1);
}
if (!existsSync(join(ROOT, "dist", "commands"))) {
  process.stderr.write("dist/ is missing: run `npm run build` first (npm run bench does)\n");
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), "otpiser-bench-"));
const ctx: BenchContext = {
  work,
  quick: values.quick,
  ...(values.reps === undefined ? {} : { reps: Number(values.reps) }),
  ...(values.sizes === undefined ? {} : { sizes: values.sizes.split(",").map(Number) }),
  log: (line) => process.stderr.write(`bench: ${line}\n`),
};

const started = new Date();
const facts = machine();
const rows: Row[] = [];
const timings: Record<string, number> = {};
let failed = false;
try {
  for (const name of only) {
    const t0 = performance.now();
    rows.push(...SUITES[name]!(ctx));
    timings[name] = Math.round(performance.now() - t0);
  }
} catch (error) {
  failed = true;
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
} finally {
  if (!values.keep) remove(work);
}

/** Raw samples stay in the JSON, one array per line rather than one number per line. */
function compactNumberArrays(json: string): string {
  return json.replace(/\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]/g, (_m, body: string) => `[${body.split(/,\s*/).join(", ")}]`);
}

const stamp = started.toISOString().replace(/:/g, "-").replace(/\..*$/, "");
const out = values.out ?? join(ROOT, "bench", "results", `${stamp}.json`);
mkdirSync(dirname(out), { recursive: true });
const summary = { passed: rows.filter((r) => r.pass === true).length, failed: rows.filter((r) => r.pass === false).length };
const loadAverageAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);
writeFileSync(
  out,
  `${compactNumberArrays(
    JSON.stringify(
      { started: started.toISOString(), quick: ctx.quick, suites: only, machine: facts, loadAverageAtEnd, suiteMs: timings, summary, complete: !failed, rows },
      (_key, value: unknown) => (typeof value === "number" && !Number.isInteger(value) ? Number(value.toPrecision(6)) : value),
      2,
    ),
  )}\n`,
);

const m = facts;
process.stdout.write(
  `${table(rows)}\n\nmachine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}, node ${m.node}` +
    `${m.elixir ? `, Elixir ${m.elixir} / OTP ${m.otp}` : ""}; load average ${m.loadAverageAtStart.join(" ")} at start, ` +
    `${loadAverageAtEnd.join(" ")} at the end\n` +
    `${summary.passed} targets met, ${summary.failed} missed; written to ${out}\n`,
);
process.exitCode = failed ? 1 : 0;
