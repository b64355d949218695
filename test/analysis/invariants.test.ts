import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { startOrderIds } from "../../src/analysis/simulate.js";
import {
  checkText, codes, dagModelArb, errors, groupedModelArb, levelCycleExpected, orderViolation, runs, safetyViolation,
  timeoutFor, toToml,
} from "./helpers.js";

/**
 * Invariants 1 (order) and 2 (safety) of the manifest contract, over random manifests run through the whole
 * pipeline (`check()` on TOML text). Run harder with FC_NUM_RUNS (see helpers.ts).
 */

const RUNS = 300;

describe("invariants 1 and 2 on random dependency DAGs without groups", () => {
  it(
    "every DAG is accepted, with no warning that excuses a missing restart",
    () => {
      fc.assert(
        fc.property(dagModelArb(), (m) => {
          const text = toToml(m);
          const result = checkText(text);
          expect(errors(result), text).toEqual([]);
          expect(result.ok, text).toBe(true);
          // W102 (depends_on a temporary) is expected; W101/W103 must never appear without groups.
          expect(codes(result.diagnostics).filter((c) => c === "W101" || c === "W103"), text).toEqual([]);
        }),
        runs(RUNS),
      );
    },
    timeoutFor(RUNS),
  );

  it(
    "invariant 1: every dependency starts before its dependents (DFS start order, and topology.startOrder agrees)",
    () => {
      fc.assert(
        fc.property(dagModelArb(), (m) => {
          const text = toToml(m);
          const result = checkText(text);
          const topology = result.topology!;
          const dfs = startOrderIds(topology.root);
          expect(orderViolation(result, dfs), text).toBeUndefined();
          expect(topology.startOrder, text).toEqual(dfs.filter((id) => result.graph!.byId.has(id)));
          // every service exactly once
          expect([...topology.startOrder].sort(), text).toEqual(m.services.map((_, i) => `s${i}`).sort());
        }),
        runs(RUNS),
      );
    },
    timeoutFor(RUNS),
  );

  it(
    "invariant 2: any crash restarts the crashed node and everything that transitively depends on it (temporaries aside)",
    () => {
      fc.assert(
        fc.property(dagModelArb(), (m) => {
          const text = toToml(m);
          const result = checkText(text);
          expect(safetyViolation(result), text).toBeUndefined();
        }),
        runs(RUNS),
      );
    },
    timeoutFor(RUNS),
  );

  it(
    "invariant 2 without temporaries: the restart set of a service crash contains all its transitive dependents",
    () => {
      fc.assert(
        fc.property(dagModelArb({ temporaries: false }), (m) => {
          const text = toToml(m);
          const result = checkText(text);
          expect(safetyViolation(result), text).toBeUndefined();
          // the unconditional form, spelled out without the helper's exemptions
          expect(result.diagnostics.filter((d) => d.severity === "warning" && d.code !== "W104"), text).toEqual([]);
        }),
        runs(RUNS),
      );
    },
    timeoutFor(RUNS),
  );
});

describe("invariants 1 and 2 with explicit groups and supervisor services", () => {
  it(
    "rejected only for a circle between nested supervisors (E014), exactly when the model has one",
    () => {
      let valid = 0;
      fc.assert(
        fc.property(groupedModelArb(), (m) => {
          const text = toToml(m);
          const result = checkText(text);
          const expectCycle = levelCycleExpected(m);
          expect(codes(errors(result)), text).toEqual(expectCycle ? ["E014"] : []);
          if (expectCycle) {
            for (const e of errors(result)) expect(e.message, text).toMatch(/in a circle once nested supervisors are taken as a whole: \w+( → \w+)+$/);
          } else {
            valid += 1;
          }
        }),
        runs(RUNS),
      );
      // Dense graphs with several groups often loop between groups; the generator must still produce a good share of
      // valid manifests (about 55-60%), or the properties below test little.
      if (runs(RUNS).numRuns! >= 100) expect(valid).toBeGreaterThan(runs(RUNS).numRuns! * 0.35);
    },
    timeoutFor(RUNS),
  );

  it(
    "invariant 1 holds for every edge, warnings or not",
    () => {
      fc.assert(
        fc.property(groupedModelArb(), (m) => {
          const text = toToml(m);
          const result = checkText(text);
          fc.pre(result.ok);
          const dfs = startOrderIds(result.topology!.root);
          expect(orderViolation(result, dfs), text).toBeUndefined();
          expect(result.topology!.startOrder, text).toEqual(dfs.filter((id) => result.graph!.byId.has(id)));
        }),
        runs(RUNS),
      );
    },
    timeoutFor(RUNS),
  );

  it(
    "invariant 2 holds for every edge not covered by a W101 (forced one_for_one) or W103 (group boundary) warning",
    () => {
      fc.assert(
        fc.property(groupedModelArb(), (m) => {
          const text = toToml(m);
          const result = checkText(text);
          fc.pre(result.ok);
          expect(safetyViolation(result), text).toBeUndefined();
        }),
        runs(RUNS),
      );
    },
    timeoutFor(RUNS),
  );
});
