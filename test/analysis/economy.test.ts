import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { restartedIds } from "../../src/analysis/simulate.js";
import type { CheckResult } from "../../src/pipeline.js";
import { checkText, dagModelArb, runs, timeoutFor, toToml, transitiveDependents } from "./helpers.js";

/**
 * Invariant 3 (economy), measured: over every single crash of a service, count the needless restarts — restarted
 * services that are neither the crashed one nor one of its transitive dependents — of the computed tree, and of the
 * naive safe tree: one flat rest_for_one of every service in topological order (manifest order among equals).
 * The computed tree must never do worse in total. Temporary services are not counted (see `needless`).
 * (Run harder with FC_NUM_RUNS, see helpers.ts.)
 */

const RUNS = 300;

/** Topological order of the services, dependencies first, manifest order among the ready ones. */
function naiveOrder(result: CheckResult): string[] {
  const services = result.graph!.services.map((s) => s.id);
  const waiting = new Map(services.map((id) => [id, 0]));
  for (const e of result.graph!.edges) waiting.set(e.from, waiting.get(e.from)! + 1);
  const order: string[] = [];
  const done = new Set<string>();
  while (order.length < services.length) {
    const next = services.find((id) => !done.has(id) && waiting.get(id) === 0)!;
    order.push(next);
    done.add(next);
    for (const e of result.graph!.edges) if (e.to === next) waiting.set(e.from, waiting.get(e.from)! - 1);
  }
  return order;
}

function needless(result: CheckResult): { computed: number; naive: number } {
  const root = result.topology!.root;
  const services = result.graph!.services;
  const temporary = new Set(services.filter((s) => s.restart === "temporary").map((s) => s.id));
  const order = naiveOrder(result);
  let computed = 0;
  let naive = 0;
  for (const s of services) {
    const needed = transitiveDependents(result, s.id).add(s.id);
    // Temporary services are left out of the count on both sides: OTP never restarts them as such. (In the computed
    // tree one inside a restarted sub-supervisor is started afresh with it; in the flat tree it is dropped.)
    for (const id of restartedIds(root, s.id)) if (result.graph!.byId.has(id) && !temporary.has(id) && !needed.has(id)) computed += 1;
    if (temporary.has(s.id)) continue; // a temporary crash restarts nothing in either tree
    for (const id of order.slice(order.indexOf(s.id))) if (!temporary.has(id) && !needed.has(id)) naive += 1;
  }
  return { computed, naive };
}

describe("economy: computed tree vs one flat rest_for_one", () => {
  it(
    "never more needless restarts than the naive tree, summed over every crash",
    () => {
      let computedTotal = 0;
      let naiveTotal = 0;
      fc.assert(
        fc.property(dagModelArb(), (m) => {
          const text = toToml(m);
          const { computed, naive } = needless(checkText(text));
          computedTotal += computed;
          naiveTotal += naive;
          expect(computed, `${text}\ncomputed ${computed} > naive ${naive}`).toBeLessThanOrEqual(naive);
        }),
        runs(RUNS),
      );
      console.log(`economy: ${computedTotal} needless restarts in computed trees vs ${naiveTotal} in flat rest_for_one (all runs)`);
    },
    timeoutFor(RUNS),
  );

  it("a worked example: two independent chains and a diamond", () => {
    const text = `
[app]
name = "e"
[services.a]
[services.x]
[services.b]
depends_on = ["a"]
[services.y]
depends_on = ["x"]
[services.top]
[services.l]
depends_on = ["top"]
[services.r]
depends_on = ["top"]
[services.bottom]
depends_on = ["l", "r"]
`;
    // flat order a, x, b, y, top, l, r, bottom: a crash of a restarts x, y, top, l, r, bottom needlessly (6),
    // x → b, top, l, r, bottom (5), b → y, top, l, r, bottom (5), y → 4, top → 0, l → r (1), r → 0, bottom → 0
    // computed: only inside the diamond, l → r (1)
    expect(needless(checkText(text))).toEqual({ computed: 1, naive: 21 });
  });
});
