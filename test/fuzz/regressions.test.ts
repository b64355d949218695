import { describe, expect, it } from "vitest";
import { check } from "../../src/pipeline.js";
import { MAX_SYNTAX_DEPTH } from "../../src/manifest/elixir-syntax.js";
import { MAX_KEY_DEPTH } from "../../src/manifest/limits.js";
import { SUGGESTION_BUDGET } from "../../src/manifest/references.js";
import { checkInvariant } from "./properties.js";

/**
 * What the fuzzers found, each as the smallest input that showed it. Every case also goes through the fuzz
 * invariant, so a regression is caught with the same reasons the fuzzer gives.
 */
const service = (body: string) => `[app]\nname = "x"\n\n[services.a]\n${body}`;
const codesOf = (text: string) => check({ path: "m.toml", text }).diagnostics.map((d) => d.code);

describe("fuzz regressions", () => {
  it("a deeply nested type is an E015 inside the string, not a stack overflow", () => {
    // found by hostile-values: `ratio = "[[[[…"` (40 000 characters) threw RangeError out of check()
    for (const [open, close] of [["(", ")"], ["[", "]"], ["list(", ")"], ["{", "}"]]) {
      const text = service(`[services.a.state]\nx = "${open!.repeat(5_000)}integer()${close!.repeat(5_000)}"\n`);
      expect(checkInvariant(text)).toBeUndefined();
      const [d] = check({ path: "m.toml", text }).diagnostics;
      expect(d).toMatchObject({ code: "E015", span: { line: 6 } });
      expect(d!.message).toContain(`nested more than ${MAX_SYNTAX_DEPTH} levels deep`);
    }
    // at the limit, still read
    const fine = `${"list(".repeat(MAX_SYNTAX_DEPTH - 1)}integer()${")".repeat(MAX_SYNTAX_DEPTH - 1)}`;
    expect(codesOf(service(`[services.a.state]\nx = "${fine}"\n`))).toEqual([]);
  });

  it("a deeply nested term (child_spec, extra_arguments) is an E019, not a stack overflow", () => {
    const text = service(`kind = "external"\nchild_spec = "${"{".repeat(30_000)}"\n`);
    expect(checkInvariant(text)).toBeUndefined();
    expect(codesOf(text)).toEqual(["E019"]);
    expect(checkInvariant(service(`kind = "dynamic_supervisor"\nextra_arguments = ["${"[".repeat(5_000)}${"]".repeat(5_000)}"]\n`))).toBeUndefined();
  });

  it("dotted keys nested beyond the limit are an E028 at the key, wherever they are", () => {
    // found by hostile-values: a state default `{ k.k.k… = 1 }` 20 000 keys deep overflowed the stack in the validator
    const deep = (n: number) => Array.from({ length: n }, () => "k").join(".");
    for (const text of [
      service(`[services.a.state.v]\ntype = "term()"\ndefault = { ${deep(20_000)} = 1 }\n`),
      service(`${deep(MAX_KEY_DEPTH + 1)} = 1\n`),
      `[${deep(MAX_KEY_DEPTH + 1)}]\n`,
    ]) {
      expect(checkInvariant(text)).toBeUndefined();
      expect(check({ path: "m.toml", text }).diagnostics).toMatchObject([{ code: "E028", message: `keys are nested more than ${MAX_KEY_DEPTH} tables deep` }]);
    }
    // within the limit: an ordinary unknown-key error
    expect(codesOf(service(`${deep(MAX_KEY_DEPTH - 4)} = 1\n`))).toEqual(["E003"]);
  });

  it("a type that ends too early points at the closing quote, not at an empty span", () => {
    // found by mutated-fixtures: `returns = "String.t() |"` gave E015 with an empty span (nothing to underline)
    const text = service(`[[services.a.calls]]\nname = "c"\nreturns = "String.t() |"\n`);
    expect(checkInvariant(text)).toBeUndefined();
    const [d] = check({ path: "m.toml", text }).diagnostics;
    expect(d!.code).toBe("E015");
    expect(text.slice(d!.span!.offset, d!.span!.endOffset)).toBe('"');
  });

  it("W104 on a path that ends in a computed supervisor points at the override, not nowhere", () => {
    // found by service-graphs: the path root → g → a_chain ended in a computed supervisor, and W104 had no span
    const text = `[app]\nname = "x"\n\n[services.a]\n\n[services.b]\ndepends_on = ["a"]\n\n[services.c]\n\n[groups.g]\nmembers = ["a", "b", "c"]\nmax_restarts = 10000\n`;
    expect(checkInvariant(text)).toBeUndefined();
    const w104 = check({ path: "m.toml", text }).diagnostics.filter((d) => d.code === "W104");
    expect(w104.map((d) => d.message)).toContainEqual(expect.stringContaining("root → g → a_chain"));
    for (const d of w104) expect(text.slice(d.span!.offset, d.span!.endOffset)).toBe("10000");
  });

  it("\"did you mean\" over the service ids stops after a budget, so thousands of typos stay linear", () => {
    // found while fuzzing at scale: a typo in each of 4 000 references to 4 000 services took 65 s in check()
    const n = 1_000;
    const lines = ['[app]', 'name = "x"'];
    for (let i = 0; i < n; i++) lines.push(`[services.service_${i}]`, `depends_on = ["servise_${i}"]`);
    const text = lines.join("\n");
    const hints = check({ path: "m.toml", text }).diagnostics.map((d) => d.hint);
    expect(hints).toHaveLength(n);
    expect(hints[0]).toBe("did you mean `service_0`?");
    const suggested = hints.filter((h) => h?.startsWith("did you mean")).length;
    expect(suggested).toBe(Math.floor(SUGGESTION_BUDGET / n));
    expect(hints[n - 1]).toBe(`known services: ${Array.from({ length: 12 }, (_, i) => `service_${i}`).join(", ")}, … (${n - 12} more)`);
    // a 60 000-character unknown id is not compared character by character with 5 000 ids (17 s before; the
    // invariant's time bound is the hang detector here)
    const services = Array.from({ length: 5_000 }, (_, i) => `[services.s${i}]`).join("\n");
    expect(checkInvariant(`[app]\nname = "x"\n${services}\n[services.z]\ndepends_on = ["${"q".repeat(60_000)}"]\n`)).toBeUndefined();
  });

  it("special floats are quoted as written: `nan` is not \"NaN\", and `1e308` has no decimal point to drop", () => {
    // found by hostile-values: `availability = nan` said "found NaN"; `shutdown_ms = 1e308` hinted "write `1e+308`"
    const diagnostics = (v: string) => check({ path: "m.toml", text: `[app]\nname = "x"\n[sla]\navailability = ${v}\n[services.a]\nshutdown_ms = ${v}\n` }).diagnostics;
    for (const v of ["nan", "-inf", "1e308"]) {
      const [e016, e004] = diagnostics(v);
      expect(e016!.message).toMatch(new RegExp(`found ${v.replace("+", "\\+")}$`));
      expect(e004).toMatchObject({ code: "E004" });
      expect(e004!.hint).toBeUndefined();
    }
    expect(diagnostics("5000.0")[1]!.hint).toBe("write `5000` without the decimal point");
  });
});
