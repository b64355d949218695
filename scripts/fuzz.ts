/**
 * The long fuzz run: `npm run fuzz -- --runs 100000 [--seed N] [--property NAME] [--hang-ms MS] [--out DIR] [--no-shrink]`
 *
 * Splits --runs between the properties of test/fuzz/properties.ts (or runs one with --property) and checks each
 * input in a worker thread, so that an input that never comes back is caught as a hang (the worker is killed and
 * replaced) instead of stalling the run. Prints progress every few seconds; on failure prints the seed, the
 * fast-check path and the shrunk counterexample, saves it under --out (default tmp/fuzz) and exits 1.
 * Replay one failure with `--property NAME --seed N --path P`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import fc from "fast-check";
import { IsolatedChecker } from "../test/fuzz/isolated.js";
import { PROPERTIES } from "../test/fuzz/properties.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "10000" },
    seed: { type: "string" },
    property: { type: "string" },
    path: { type: "string" },
    "hang-ms": { type: "string", default: "20000" },
    out: { type: "string", default: "tmp/fuzz" },
    "no-shrink": { type: "boolean", default: false },
  },
});

const totalRuns = Number(values.runs);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
const hangMs = Number(values["hang-ms"]);
const selected = values.property === undefined ? PROPERTIES : PROPERTIES.filter((p) => p.name === values.property);
if (selected.length === 0 || !Number.isFinite(totalRuns) || !Number.isFinite(seed)) {
  console.error(`usage: npm run fuzz -- --runs N [--seed N] [--property ${PROPERTIES.map((p) => p.name).join("|")}]`);
  process.exit(2);
}

const checker = new IsolatedChecker(hangMs);
const perProperty = Math.max(1, Math.floor(totalRuns / selected.length));
let failures = 0;
let executed = 0;
const startedAll = performance.now();
console.log(`fuzz: ${selected.length} properties × ${perProperty} runs, seed ${seed}`);

for (const [i, property] of selected.entries()) {
  const propertySeed = seed + i;
  let runs = 0;
  const started = performance.now();
  const progress = setInterval(() => {
    const s = (performance.now() - started) / 1000;
    console.log(`  ${property.name}: ${runs} inputs, ${Math.round(runs / s)}/s, ${failures} failure(s) so far`);
  }, 10_000);
  const details = await fc.check(
    fc.asyncProperty(property.arb, async (text) => {
      runs += 1;
      const failure = await checker.run(text);
      if (failure !== undefined) throw new Error(failure);
    }),
    {
      numRuns: perProperty,
      seed: propertySeed,
      ...(values.path === undefined ? {} : { path: values.path }),
      endOnFailure: values["no-shrink"],
    },
  );
  clearInterval(progress);
  const s = (performance.now() - started) / 1000;
  executed += details.numRuns;
  if (!details.failed) {
    console.log(`✓ ${property.name}: ${details.numRuns} inputs in ${s.toFixed(1)} s (${Math.round(details.numRuns / s)}/s)`);
    continue;
  }
  failures += 1;
  const text = String(details.counterexample?.[0] ?? "");
  const message = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  mkdirSync(values.out, { recursive: true });
  const file = join(values.out, `${property.name}-seed${propertySeed}.toml`);
  writeFileSync(file, text);
  writeFileSync(`${file}.txt`, `property: ${property.name}\nseed: ${propertySeed}\npath: ${details.counterexamplePath}\n\n${message}\n`);
  console.log(
    `✗ ${property.name}: failed after ${details.numRuns} inputs (${details.numShrinks} shrinks)\n` +
      `  replay: npm run fuzz -- --property ${property.name} --seed ${propertySeed} --path ${details.counterexamplePath}\n` +
      `  saved: ${file}\n${message.replace(/^/gm, "    ")}\n  counterexample (${text.length} characters):\n${text.slice(0, 2_000).replace(/^/gm, "    | ")}`,
  );
}

await checker.close();
const total = (performance.now() - startedAll) / 1000;
console.log(`fuzz: ${executed} inputs in ${total.toFixed(1)} s, ${failures} failing propert${failures === 1 ? "y" : "ies"} (seed ${seed})`);
process.exit(failures > 0 ? 1 : 0);
