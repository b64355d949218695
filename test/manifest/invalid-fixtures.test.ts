import { existsSync, readFileSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { CODES } from "../../src/diagnostics/codes.js";
import { sortDiagnostics } from "../../src/diagnostics/render.js";
import type { Diagnostic } from "../../src/diagnostics/types.js";
import { FIXTURES, checkFile, tomlFiles } from "./helpers.js";

/**
 * Table-driven: every `fixtures/invalid/<name>.toml` runs through check() and must yield exactly the diagnostics of
 * `<name>.expected.json`, in `sortDiagnostics` order. See fixtures/invalid/README.md for the format.
 */
interface Expected {
  code: string;
  /** 1-based; 0 for a diagnostic without a place in the source (E002 empty file, no [app]). */
  line: number;
  col: number;
  severity: "error" | "warning";
  hint_contains?: string;
  message_contains?: string;
}

const DIR = join(FIXTURES, "invalid");

/**
 * Known gaps outside the manifest stage (src/analysis): the expected file states the desired output, the test is
 * expected to fail until the analysis is fixed — then vitest reports it and the entry must be removed here.
 */
/** Fixtures that state the desired output of a known gap; they run as expected failures until it is closed. */
const KNOWN_GAPS: Record<string, string> = {};

function actual(d: Diagnostic): Expected {
  return { code: d.code, line: d.span?.line ?? 0, col: d.span?.col ?? 0, severity: d.severity };
}

function load(name: string): Expected[] {
  return JSON.parse(readFileSync(join(DIR, `${name}.expected.json`), "utf8")) as Expected[];
}

const fixtures = tomlFiles(DIR).map((path) => basename(path, ".toml"));

describe("invalid fixtures", () => {
  it("every fixture has an expected file and every expected file a fixture", () => {
    const expected = readdirSync(DIR)
      .filter((f) => f.endsWith(".expected.json"))
      .map((f) => f.replace(/\.expected\.json$/, ""))
      .sort();
    expect(expected).toEqual(fixtures);
    expect(fixtures.length).toBeGreaterThanOrEqual(50);
  });

  it("expected files are well-formed: known codes, sorted, non-empty", () => {
    for (const name of fixtures) {
      const list = load(name);
      expect(list.length, name).toBeGreaterThan(0);
      for (const e of list) {
        expect(Object.keys(CODES), `${name}: ${e.code}`).toContain(e.code);
        expect(e.severity, name).toBe(e.code.startsWith("W") ? "warning" : "error");
      }
    }
  });

  for (const name of fixtures) {
    const gap = KNOWN_GAPS[name];
    const test = gap ? it.fails : it;
    test(`${name}${gap ? ` (known gap: ${gap})` : ""}`, () => {
      const result = checkFile(join(DIR, `${name}.toml`));
      const diagnostics = sortDiagnostics(result.diagnostics);
      const expected = load(name);
      expect(diagnostics.map(actual)).toEqual(expected.map(({ code, line, col, severity }) => ({ code, line, col, severity })));
      expected.forEach((e, i) => {
        const d = diagnostics[i]!;
        if (e.hint_contains !== undefined) expect(d.hint ?? "", `${name} #${i} hint`).toContain(e.hint_contains);
        if (e.message_contains !== undefined) expect(d.message, `${name} #${i} message`).toContain(e.message_contains);
        // Every diagnostic names the file; every message is one readable line.
        expect(d.file).toContain(`${name}.toml`);
        expect(d.message).not.toMatch(/\n|undefined|\[object /);
      });
      // ok is false exactly when an error is expected.
      expect(result.ok).toBe(!expected.some((e) => e.severity === "error"));
    });
  }

  it("covers every manifest-level diagnostic code", () => {
    const covered = new Set(fixtures.flatMap((name) => load(name).map((e) => e.code)));
    // E023 (kind not generated) belongs to `generate`, E026 (file unreadable) to the CLI, E027 to legacy input.
    const required = Object.keys(CODES).filter((c) => !["E023", "E026", "E027", "W106", "W108"].includes(c));
    expect(required.filter((c) => !covered.has(c))).toEqual([]);
  });

  it("the README lists every fixture", () => {
    const readme = join(DIR, "README.md");
    expect(existsSync(readme)).toBe(true);
    const text = readFileSync(readme, "utf8");
    expect(fixtures.filter((name) => !text.includes(`\`${name}\``))).toEqual([]);
  });
});
