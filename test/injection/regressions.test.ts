/**
 * One regression case per break the injection matrix found, pinned at the unit that was fixed (the matrix in
 * injection.test.ts proves the whole pipeline; these say exactly what each fix does).
 */
import { describe, expect, it } from "vitest";
import { renderDiagnostic, visible } from "../../src/diagnostics/render.js";
import { elixirString, heredoc } from "../../src/elixir/escape.js";
import { validateCron } from "../../src/manifest/cron.js";
import { canonicalTerm } from "../../src/manifest/elixir-syntax.js";
import { REQUIREMENT_PATTERN } from "../../src/manifest/names.js";
import { check } from "../../src/pipeline.js";
import { readmeText } from "../../src/plan/project.js";

const manifest = (app: string, service = "") => `[app]\nname = "shop"\n${app}\n\n[services.worker]\n${service}\n`;
const codes = (text: string) => check({ path: "otpiser.toml", text }).diagnostics.filter((d) => d.severity === "error").map((d) => d.code);

describe("injection regressions", () => {
  it("bidi formatting characters reach Elixir as \\u escapes (Elixir refuses them raw: Trojan Source)", () => {
    expect(elixirString("a\u202Eb\u2066c")).toBe('"a\\u202Eb\\u2066c"');
    expect(heredoc("safe\u202Eevil")).toBe('"""\n  safe\\u202Eevil\n  """');
    // and the characters around them stay as they are
    expect(elixirString("\u200Fx\u2028")).toBe('"\u200Fx\u2028"');
  });

  it("E030: a control character other than tab and line breaks in any string, at the string", () => {
    const text = manifest('description = "Shop \\u001b[2J"', 'doc = "tab\\tand\\nlines\\r\\nare fine"');
    const result = check({ path: "otpiser.toml", text });
    const e030 = result.diagnostics.filter((d) => d.code === "E030");
    expect(e030).toHaveLength(1);
    expect(e030[0]!.message).toContain("U+001B");
    expect(text.slice(e030[0]!.span!.offset, e030[0]!.span!.endOffset)).toBe('"Shop \\u001b[2J"');
    for (const ch of ["\\u0000", "\\u0007", "\\u007f", "\\u0085", "\\u009b"]) {
      expect(codes(manifest(`description = "a${ch}b"`)), ch).toEqual(["E030"]);
      expect(codes(manifest("", `uses = ["x${ch}"]`)), ch).toEqual(["E030"]);
    }
  });

  it("diagnostics show control and bidi characters as visible ones, the caret still under the offending text", () => {
    expect(visible("a\u001b[31mb\rc\nd\u007f\u009b\u202E")).toBe("a\u241b[31mb\u240dc\u240ad\u2421\uFFFD\uFFFD");
    const text = '[app]\nname = "shop"\n"\\u001b[2J\\r" = 1\n\n[services.worker]\n';
    const result = check({ path: "otpiser.toml", text });
    const shown = result.diagnostics.map((d) => renderDiagnostic(d, { path: "otpiser.toml", text })).join("\n");
    expect(shown).toContain("unknown key `\u241b[2J\u240d`");
    // eslint-disable-next-line no-control-regex
    expect(shown).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it("README prose: a description cannot open a code fence or raw HTML, and keeps its Markdown", () => {
    expect(readmeText("intro\n```\n## Pwned")).toBe("intro\n\\```\n## Pwned");
    expect(readmeText("  ~~~ x")).toBe("  \\~~~ x");
    expect(readmeText('<img src=x onerror="alert(1)"></script><!--')).toBe('\\<img src=x onerror="alert(1)">\\</script>\\<!--');
    expect(readmeText("Handles `Map<K, V>`, *fast* and a < b")).toBe("Handles `Map<K, V>`, *fast* and a < b");
    expect(readmeText("``<img>`")).toBe("``\\<img>`");
  });

  it("Elixir terms: escapes Elixir would refuse, raw bidi characters and line continuations are E019", () => {
    for (const bad of ['"\\x"', '"\\xZZ"', '"\\u12"', '"\\u{110000}"', '"\\uD800"', '"\\u{}"', '"a\u202Eb"', '"a\\\u202Eb"', '"a\\\nb"']) {
      expect(() => canonicalTerm(`{Foo, ${bad}}`), bad).toThrow();
    }
    for (const good of ['"\\x41"', '"\\u00E9"', '"\\u{1F600}"', '"\\n\\t\\e\\0"', '"\\q"', '"\\#{x}"']) {
      expect(canonicalTerm(`{Foo, ${good}}`), good).toBe(`{Foo, ${good}}`);
    }
  });

  it("cron fields are separated by spaces and tabs only, as the generated scheduler's String.split/1 agrees", () => {
    expect(validateCron("*/5 *\t* * *")).toBeUndefined();
    expect(validateCron("*/5\u00a0*\u2007*\u202f* *")).toBeDefined();
    expect(validateCron("*/5\n* * * *")).toBeDefined();
  });

  it("[app] elixir: exactly what Version.parse_requirement/1 accepts", () => {
    for (const ok of ["~> 1.14", "~>1.14", " ~> 1.14 ", ">= 1.14.0 and < 2.0.0", "~> 1.14.0-rc.1", "1.14.0", "~> 1.14 or ~> 1.15"]) {
      expect(REQUIREMENT_PATTERN.test(ok), ok).toBe(true);
    }
    for (const bad of ["~> 1", ">= 1.0", "1.14", "~> 1.14\n", "~> 1.14\t", "~> 1.14\u00a0", "~> 01.14", "~> 1.14 and", "~> 1.14and~> 1.15", "latest"]) {
      expect(REQUIREMENT_PATTERN.test(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it("names Mix or the compiler cannot take: nil/true/false as app, service or group, a state field __struct__", () => {
    for (const name of ["nil", "true", "false"]) {
      expect(codes(`[app]\nname = "${name}"\n\n[services.worker]\n`), name).toEqual(["E006"]);
      expect(codes(manifest("", `[services.${name}]`)), name).toEqual(["E007"]);
      expect(codes(manifest("", `[groups.${name}]\nmembers = ["worker"]`)), name).toEqual(["E007"]);
    }
    expect(codes(manifest("", '[services.worker.state]\n__struct__ = "term()"'))).toEqual(["E025"]);
    expect(codes(manifest("", '[services.worker.state]\nopts = { type = "map()", default = { __struct__ = "x" } }'))).toEqual(["E025"]);
  });
});
