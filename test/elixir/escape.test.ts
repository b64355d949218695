import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import {
  atom,
  ElixirEscapeError,
  elixirString,
  float,
  heredoc,
  heredocLines,
  integer,
  isElixirAlias,
  isFunctionName,
  isIdentifier,
  keywordKey,
  literal,
} from "../../src/elixir/escape.js";

/** Inputs meant to break out of a string or heredoc, or to smuggle code into it. */
const ADVERSARIAL = [
  "",
  "plain",
  '"',
  '""',
  '"""',
  '""""',
  '"""""""',
  '  """',
  'a"""b',
  '"""\n"""',
  "\\",
  "\\\\",
  "ends with backslash\\",
  '\\"',
  "\\n (backslash n, not a newline)",
  "#{System.halt()}",
  "\\#{System.halt()}",
  "##{1}",
  "#{",
  "#",
  "{}",
  "line one\nline two",
  "windows\r\nline",
  "tab\there",
  "nul\0byte",
  "bell\x07 esc\x1b del\x7f c1\x85",
  "unicode: héllo wörld 日本語 🚀 \u2028 \u200b",
  "lone surrogate \ud800 end",
  "'single' `backtick` ~s(sigil)",
  "\"\"\"\n#{System.halt()}\n\"\"\"",
  "trailing spaces   \nand tabs\t\n",
  "\n\nleading and trailing blank lines\n\n",
];

/** Lone surrogates become U+FFFD: the only change from the input. */
const expectedString = (s: string): string =>
  s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");

/** What a heredoc of `s` holds: normalised line ends, trailing whitespace and outer blank lines dropped. */
const expectedHeredoc = (s: string): string => {
  const lines = expectedString(s)
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((l) => l.replace(/[ \t]+$/, ""));
  while (lines.length > 0 && lines[0] === "") lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
};

function longestUnescapedQuoteRun(line: string): number {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === "\\") {
      i++;
      run = 0;
    } else if (line[i] === '"') {
      run++;
      longest = Math.max(longest, run);
    } else {
      run = 0;
    }
  }
  return longest;
}

describe("elixirString", () => {
  it("quotes and escapes", () => {
    expect(elixirString("plain")).toBe('"plain"');
    expect(elixirString('say "hi"')).toBe('"say \\"hi\\""');
    expect(elixirString("a\\b")).toBe('"a\\\\b"');
    expect(elixirString("#{System.halt()}")).toBe('"\\#{System.halt()}"');
    expect(elixirString("# not interpolation {")).toBe('"# not interpolation {"');
    expect(elixirString("a\nb\tc\rd")).toBe('"a\\nb\\tc\\rd"');
    expect(elixirString("nul\0")).toBe('"nul\\0"');
    expect(elixirString("\x01\x1f")).toBe('"\\u0001\\u001F"');
    expect(elixirString("héllo 🚀")).toBe('"héllo 🚀"');
  });

  it("never leaves an unescaped quote or interpolation", () => {
    for (const s of ADVERSARIAL) {
      const body = elixirString(s).slice(1, -1);
      expect(body).not.toMatch(/(^|[^\\])(\\\\)*"/);
      expect(body).not.toMatch(/(^|[^\\])(\\\\)*#\{/);
      expect(body).not.toMatch(/[\n\r\0]/);
    }
  });
});

describe("heredoc", () => {
  it("indents content and the closing delimiter", () => {
    expect(heredoc("Hello\n\nWorld", 2)).toBe('"""\n  Hello\n\n  World\n  """');
  });

  it("escapes backslashes, interpolation and triple quotes", () => {
    expect(heredocLines('a """ b')).toEqual(['a ""\\" b']);
    expect(heredocLines('""""""')).toEqual(['""\\"""\\"']);
    expect(heredocLines("#{x} \\")).toEqual(["\\#{x} \\\\"]);
  });

  it("never contains three unescaped quotes in a row", () => {
    for (const s of ADVERSARIAL) {
      for (const line of heredocLines(s)) expect(longestUnescapedQuoteRun(line), line).toBeLessThan(3);
    }
  });

  it("drops trailing whitespace and outer blank lines", () => {
    expect(heredocLines("\n\n  a  \n\tb\t\n\n")).toEqual(["  a", "\tb"]);
  });
});

describe("atom and keywordKey", () => {
  it("writes plain names bare and quotes the rest", () => {
    expect(atom("ok")).toBe(":ok");
    expect(atom("loaded?")).toBe(":loaded?");
    expect(atom("Foo")).toBe(":Foo");
    expect(atom("foo@bar")).toBe(":foo@bar");
    expect(atom("with space")).toBe(':"with space"');
    expect(atom('q"uote')).toBe(':"q\\"uote"');
    expect(atom("#{x}")).toBe(':"\\#{x}"');
    expect(atom("héllo")).toBe(':"héllo"');
    expect(atom("")).toBe(':""');
    expect(atom("1abc")).toBe(':"1abc"');
    expect(atom("nil")).toBe("nil");
    expect(atom("true")).toBe("true");
  });

  it("writes keyword keys", () => {
    expect(keywordKey("max")).toBe("max:");
    expect(keywordKey("with space")).toBe('"with space":');
  });
});

describe("numbers", () => {
  it("groups integers like the formatter", () => {
    expect(integer(0)).toBe("0");
    expect(integer(5000)).toBe("5000");
    expect(integer(10000)).toBe("10_000");
    expect(integer(123456789)).toBe("123_456_789");
    expect(integer(-100000)).toBe("-100_000");
    expect(() => integer(2 ** 60)).toThrow(ElixirEscapeError);
  });

  it("writes floats Elixir accepts", () => {
    expect(float(1)).toBe("1.0");
    expect(float(0.5)).toBe("0.5");
    expect(float(-2.25)).toBe("-2.25");
    expect(float(1e21)).toBe("1.0e21");
    expect(float(1.5e-7)).toBe("1.5e-7");
    expect(float(-0)).toBe("-0.0");
    expect(() => float(Number.NaN)).toThrow(ElixirEscapeError);
    expect(() => float(Number.POSITIVE_INFINITY)).toThrow(ElixirEscapeError);
  });
});

describe("literal", () => {
  it("writes manifest values", () => {
    expect(literal("a\"b")).toBe('"a\\"b"');
    expect(literal(42)).toBe("42");
    expect(literal(1.5)).toBe("1.5");
    expect(literal(2, { float: true })).toBe("2.0");
    expect(literal(true)).toBe("true");
    expect(literal([])).toBe("[]");
    expect(literal([1, "x", [false]])).toBe('[1, "x", [false]]');
    expect(literal({})).toBe("%{}");
    expect(literal({ max: 10, "with space": "#{x}" })).toBe('%{max: 10, "with space": "\\#{x}"}');
  });
});

describe("validation helpers", () => {
  it("recognises identifiers", () => {
    for (const ok of ["conn", "_opts", "timeout2", "camelCase"]) expect(isIdentifier(ok)).toBe(true);
    for (const bad of ["", "Conn", "2x", "a-b", "end", "nil", "when", "fn", "a b", "é"]) expect(isIdentifier(bad)).toBe(false);
  });

  it("recognises function names", () => {
    expect(isFunctionName("loaded?")).toBe(true);
    expect(isFunctionName("save!")).toBe(true);
    expect(isFunctionName("do")).toBe(false);
    expect(isFunctionName("a?b")).toBe(false);
  });

  it("recognises aliases", () => {
    for (const ok of ["Payments", "Payments.DbPool", "HTTP.V2"]) expect(isElixirAlias(ok)).toBe(true);
    for (const bad of ["payments", "Payments.", ".Payments", "Payments..X", "Payments.db", "Pay-ments", ""]) {
      expect(isElixirAlias(bad)).toBe(false);
    }
  });
});

describe("round trip through Elixir", () => {
  it("elixirString, heredoc and atom produce exactly the input", async () => {
    const dir = mkdtempSync(join(tmpdir(), "otpiser-escape-"));
    const lines = ["defmodule RoundTrip do", "  def values do", "    ["];
    for (const s of ADVERSARIAL) {
      lines.push(`      ${elixirString(s)},`);
      lines.push(`      ${heredoc(s, 6)},`);
      lines.push(`      Atom.to_string(${atom(s)}),`);
    }
    lines.push("    ]", "  end", "end", "", 'for v <- RoundTrip.values(), do: IO.puts(Base.encode64(v))');
    writeFileSync(join(dir, "round_trip.exs"), lines.join("\n"));
    const { stdout } = await execa("elixir", ["round_trip.exs"], { cwd: dir }).finally(() => rmSync(dir, { recursive: true, force: true }));
    // execa strips the final newline; empty values print as empty lines.
    const decoded = stdout
      .split("\n")
      .map((b64) => Buffer.from(b64, "base64").toString("utf8"));
    expect(decoded).toHaveLength(ADVERSARIAL.length * 3);
    ADVERSARIAL.forEach((s, i) => {
      expect(decoded[i * 3], `string ${JSON.stringify(s)}`).toBe(expectedString(s));
      expect(decoded[i * 3 + 1], `heredoc ${JSON.stringify(s)}`).toBe(expectedHeredoc(s));
      expect(decoded[i * 3 + 2], `atom ${JSON.stringify(s)}`).toBe(expectedString(s));
    });
  }, 30_000);
});
