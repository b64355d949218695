import { execa } from "execa";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { flatManifest, syntheticManifest } from "../../bench/manifests.js";
import { check } from "../../src/pipeline.js";
import { ROOT } from "../helpers/cli.js";

/**
 * The benchmark harness itself (bench/): its inputs are manifests a user could write, and a tiny run produces the
 * table and the JSON the README describes. No timing is asserted here: numbers are bench/'s business.
 */
const dir = mkdtempSync(join(tmpdir(), "otpiser-bench-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const serviceTables = (text: string) => text.split("\n").filter((l) => /^\[services\.[a-z0-9_]+\]$/.test(l)).length;

describe("synthetic manifests", () => {
  for (const n of [1, 2, 3, 10, 49, 50, 51, 237]) {
    it(`${n} service(s): exactly ${n} services, no errors, every kind of the mix once there is room`, () => {
      const text = syntheticManifest(n);
      expect(serviceTables(text)).toBe(n);
      const result = check({ path: "bench.toml", text });
      expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(result.manifest!.services).toHaveLength(n);
      if (n >= 50) {
        const kinds = new Set(result.manifest!.services.map((s) => s.spec.kind));
        expect([...kinds].sort()).toEqual(["dynamic_supervisor", "gen_server", "pool", "registry", "supervisor", "task_supervisor"]);
        expect(result.graph!.edges.length).toBeGreaterThan(n / 4);
      }
    });
  }

  it("the Elixir benchmark's manifest is n independent gen_servers directly under the root, 100 restarts per 1 s", () => {
    const result = check({ path: "flat.toml", text: flatManifest(20) });
    expect(result.ok).toBe(true);
    const root = result.topology!.root;
    expect(root.children.map((c) => c.id)).toEqual(Array.from({ length: 20 }, (_, i) => `w${i}`));
    expect([root.strategy, root.maxRestarts, root.maxSeconds]).toEqual(["one_for_one", 100, 1]);
  });
});

describe("npm run bench -- --quick", { timeout: 120_000 }, () => {
  it("prints the table and writes it as JSON with the machine's facts", async () => {
    const out = join(dir, "result.json");
    const r = await execa(join(ROOT, "node_modules", ".bin", "tsx"), ["bench/run.ts", "--quick", "--only", "coldstart,generate", "--sizes", "10", "--reps", "1", "--out", out], {
      cwd: ROOT, reject: false, stdin: "ignore",
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const json = JSON.parse(readFileSync(out, "utf8")) as {
      complete: boolean;
      machine: { cpu: string; cores: number; node: string };
      rows: { figure: string; unit: string; otpiser: number; baseline?: number; ratio?: number; target?: string; pass?: boolean }[];
    };
    expect(json.complete).toBe(true);
    expect(json.machine.cores).toBeGreaterThan(0);
    expect(json.machine.node).toBe(process.version);
    const figures = json.rows.map((row) => row.figure);
    expect(figures).toEqual(expect.arrayContaining([
      "cold start: otpiser --version vs node -e 0",
      "cold start: otpiser validate (10 services) vs node -e 0",
      "generate 10 services --no-format vs durable baseline",
      "formatter changes nothing at 10 services (files differing)",
    ]));
    for (const row of json.rows) {
      expect(Number.isFinite(row.otpiser), row.figure).toBe(true);
      // The JSON keeps 6 significant digits: the ratio matches its two medians to that precision.
      if (row.baseline !== undefined) expect(Math.abs((row.ratio ?? Number.NaN) / (row.otpiser / row.baseline) - 1), row.figure).toBeLessThan(1e-4);
      const target = row.target?.match(/^([≤≥=]) ([\d.]+)$/);
      if (target) {
        const value = target[1] === "=" ? row.otpiser : row.ratio!;
        const limit = Number(target[2]);
        expect(row.pass, row.figure).toBe(target[1] === "≤" ? value <= limit : target[1] === "≥" ? value >= limit : value === limit);
      }
    }
    const stdout = String(r.stdout);
    expect(stdout).toMatch(/^\| figure +\| +otpiser \| +baseline \| +ratio \| +target \| +result \|$/m);
    for (const figure of figures) expect(stdout).toContain(figure);
    expect(stdout).toContain(`written to ${out}`);
  });
});
