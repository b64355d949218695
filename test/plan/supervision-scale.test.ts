import { describe, expect, it } from "vitest";
import { MAX_KILL_TESTS_PER_SUPERVISOR, sampleEvenly } from "../../src/plan/supervisors.js";
import { contentOf, countTests, planToml, proveProject, trackDirs } from "./mix-helpers.js";

/**
 * Crash tests stay bounded on wide supervisors: each restarts the application, so past MAX_KILL_TESTS_PER_SUPERVISOR
 * children they sample evenly (ends included) and say so. Before this, a 10 000-service chain produced 51 MB of
 * supervision tests and planning a chain of that size ran out of string length.
 */
trackDirs();

/** `n` independent gen_servers in one one_for_one group, plus a chain of `chain` services (a rest_for_one). */
function wide(n: number, chain = 0): string {
  const members = Array.from({ length: n }, (_, i) => `"w${i}"`).join(", ");
  const lines = ['[app]\nname = "wide"\n'];
  if (n > 0) lines.push(`[groups.crowd]\nstrategy = "one_for_one"\nmax_restarts = 100\nmax_seconds = 5\nmembers = [${members}]\n`);
  for (let i = 0; i < n; i++) lines.push(`[services.w${i}]\nkind = "gen_server"\n`);
  for (let i = 0; i < chain; i++) lines.push(`[services.c${i}]\nkind = "gen_server"\n${i > 0 ? `depends_on = ["c${i - 1}"]\n` : ""}`);
  return lines.join("\n");
}

describe("sampling crash tests", () => {
  it("keeps every item up to the bound, then spreads them evenly with both ends", () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    expect(sampleEvenly(items.slice(0, 30), 30)).toEqual(items.slice(0, 30));
    const picked = sampleEvenly(items, 30);
    expect(picked).toHaveLength(30);
    expect(picked[0]).toBe(0);
    expect(picked.at(-1)).toBe(99);
    expect(new Set(picked).size).toBe(30);
    expect([...picked].sort((a, b) => a - b)).toEqual(picked);
    const gaps = picked.slice(1).map((v, i) => v - picked[i]!);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThanOrEqual(1);
  });

  it("a wide group gets the bounded number of tests and a note; a small one is exhaustive and has none", () => {
    const plan = planToml(wide(MAX_KILL_TESTS_PER_SUPERVISOR + 15));
    const crowd = contentOf(plan, "test/wide/crowd_test.exs");
    expect(countTests(crowd)).toBe(MAX_KILL_TESTS_PER_SUPERVISOR);
    expect(crowd).toContain(`# ${MAX_KILL_TESTS_PER_SUPERVISOR} of its ${MAX_KILL_TESTS_PER_SUPERVISOR + 15} children are crash-tested`);
    expect(crowd).toContain('test "crashing w0 restarts only w0" do');
    expect(crowd).toContain(`test "crashing w${MAX_KILL_TESTS_PER_SUPERVISOR + 14} restarts only w${MAX_KILL_TESTS_PER_SUPERVISOR + 14}" do`);
    const small = contentOf(planToml(wide(5)), "test/wide/crowd_test.exs");
    expect(countTests(small)).toBe(5);
    expect(small).not.toContain("crash-tested");
  });

  it("a 10 000-service chain plans, with supervision tests that grow linearly, not quadratically", () => {
    const plan = planToml(wide(0, 10_000));
    const tests = plan.files.filter((f) => f.path.startsWith("test/") && f.content.includes("restarted_after_crash"));
    const bytes = tests.reduce((sum, f) => sum + f.content.length, 0);
    for (const f of tests) expect(countTests(f.content)).toBeLessThanOrEqual(MAX_KILL_TESTS_PER_SUPERVISOR);
    // Each sampled test lists at most every service once: bounded by tests × services × a line per atom.
    expect(bytes).toBeLessThan(MAX_KILL_TESTS_PER_SUPERVISOR * 10_000 * 16);
  });

  it("a sampled suite compiles, is formatted and passes", async () => {
    const { test } = await proveProject(planToml(wide(MAX_KILL_TESTS_PER_SUPERVISOR + 5)), "wide");
    expect(test.summary).toMatch(/^\d+ tests, 0 failures/);
  }, 240_000);
});
