import { describe, expect, it } from "vitest";
import { check } from "../../src/pipeline.js";
import { checkLimits, MAX_NESTING_DEPTH, MAX_STRING_LENGTH } from "../../src/manifest/limits.js";
import { renderDiagnostic, sourceWindow, MAX_SHOWN_LINE } from "../../src/diagnostics/render.js";

const base = '[app]\nname = "x"\n\n[services.a]\n';
const nested = (depth: number) => `${base}doc = "x"\n[services.b]\nstate = { v = { type = "term()", default = ${"[".repeat(depth)}${"]".repeat(depth)} } }\n`;

describe("input limits (the TOML parser must never be handed what overflows its stack)", () => {
  it("accepts nesting up to the limit and rejects one level more with a located E028", () => {
    // `state = { v = { default = [[...]] } }` adds two levels of inline tables around the arrays.
    expect(check({ path: "m.toml", text: nested(MAX_NESTING_DEPTH - 2) }).diagnostics.filter((d) => d.code === "E028")).toEqual([]);
    const over = check({ path: "m.toml", text: nested(MAX_NESTING_DEPTH - 1) });
    expect(over.ok).toBe(false);
    expect(over.diagnostics).toMatchObject([{ code: "E028", span: { line: 7 } }]);
  });

  it("survives 100 000 levels and a 5 MB string with a diagnostic, not a crash", () => {
    const deep = check({ path: "m.toml", text: `${base}x = ${"[".repeat(100_000)}${"]".repeat(100_000)}\n` });
    expect(deep.diagnostics.map((d) => d.code)).toEqual(["E028"]);
    const long = check({ path: "m.toml", text: `${base}doc = "${"x".repeat(5_000_000)}"\n` });
    expect(long.diagnostics).toMatchObject([{ code: "E028", span: { line: 5, col: 7 } }]);
  });

  it("measures strings of every TOML form and ignores brackets inside strings and comments", () => {
    const at = (n: number) => "y".repeat(n);
    expect(checkLimits(`a = "${at(MAX_STRING_LENGTH - 2)}"`)).toBeUndefined();
    expect(checkLimits(`a = "${at(MAX_STRING_LENGTH - 1)}"`)?.message).toContain("longer than");
    expect(checkLimits(`a = '${at(MAX_STRING_LENGTH)}'`)?.offset).toBe(4);
    expect(checkLimits(`a = """\n${at(MAX_STRING_LENGTH)}"""`)?.offset).toBe(4);
    expect(checkLimits(`a = '''${at(MAX_STRING_LENGTH)}'''`)?.offset).toBe(4);
    expect(checkLimits(`a = "${"[".repeat(500)}" # ${"{".repeat(500)}\nb = '${"[".repeat(500)}'`)).toBeUndefined();
    expect(checkLimits(`a = "esc \\" ${"[".repeat(500)}"`)).toBeUndefined();
    expect(checkLimits(`a = """x "" ${"[".repeat(500)}"""`)).toBeUndefined();
  });
});

describe("long source lines in diagnostics", () => {
  it("are cut to a window around the caret, which still points at the right character", () => {
    const line = `${"a".repeat(1000)}BAD${"b".repeat(1000)}`;
    const w = sourceWindow(line, 1001, 3);
    expect(w.text.length).toBeLessThanOrEqual(MAX_SHOWN_LINE + 2);
    expect(w.text.slice(w.caretCol - 1, w.caretCol + 2)).toBe("BAD");
    expect(w.text.startsWith("…") && w.text.endsWith("…")).toBe(true);
    expect(sourceWindow("short", 2, 1)).toEqual({ text: "short", caretCol: 2, width: 1 });
  });

  it("keep a rendered diagnostic small whatever the input", () => {
    const text = `${base}doc = "${"x".repeat(5_000_000)}"\n`;
    const [d] = check({ path: "m.toml", text }).diagnostics;
    expect(renderDiagnostic(d!, { path: "m.toml", text }).length).toBeLessThan(600);
  });
});
