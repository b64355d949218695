import type { LiteralValue } from "../manifest/model.js";
import { ALIAS_PATTERN, isValidVariableName } from "../manifest/names.js";

/**
 * The one place where user-written text becomes Elixir source.
 *
 * Every string that comes from the manifest (docs, defaults, names) and lands in generated code goes
 * through one of these functions. They never trust their input: a doc of `"#{System.halt()}"` must
 * end up as text, not as code.
 */

/** Thrown when a value cannot be written as Elixir source at all (NaN, a non-finite number, ...). */
export class ElixirEscapeError extends Error {
  override readonly name = "ElixirEscapeError";
}

const NAMED_ESCAPES: Record<string, string> = {
  "\0": "\\0",
  "\x07": "\\a",
  "\b": "\\b",
  "\t": "\\t",
  "\n": "\\n",
  "\v": "\\v",
  "\f": "\\f",
  "\r": "\\r",
  "\x1b": "\\e",
  "\x7f": "\\d",
};

/** C0 and C1 control characters (tab and newline are handled by the callers). */
function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/**
 * Bidirectional formatting characters (U+202A–U+202E, U+2066–U+2069): Elixir refuses them raw in strings and
 * comments ("Trojan Source", CVE-2021-42574) and asks for their `\uXXXX` form instead.
 */
function isBidi(code: number): boolean {
  return (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

function hex4(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, "0");
}

/** `\uXXXX` (or a short named escape) for a control or bidi formatting character. */
function controlEscape(ch: string): string {
  return NAMED_ESCAPES[ch] ?? `\\u${hex4(ch.charCodeAt(0))}`;
}

/**
 * Lone UTF-16 surrogates cannot be encoded as UTF-8 (and Elixir rejects `\uD800`): they become U+FFFD.
 * Everything else, unicode included, is kept as it is.
 */
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

/** The body of a double-quoted Elixir string (without the quotes). */
function stringBody(s: string): string {
  let out = "";
  const text = wellFormed(s);
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const code = ch.charCodeAt(0);
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "#" && text[i + 1] === "{") out += "\\#";
    else if (isControl(code) || isBidi(code)) out += controlEscape(ch);
    else out += ch;
  }
  return out;
}

/** A double-quoted Elixir string literal for `s`: `"..."` with `\`, `"`, `#{`, control and bidi characters escaped. */
export function elixirString(s: string): string {
  return `"${stringBody(s)}"`;
}

/**
 * The content lines of a heredoc for `s` (no indentation, no delimiters): `\` and `#{` escaped, no run of
 * three unescaped double quotes (so nothing can close the heredoc early), control characters escaped
 * (tabs kept), trailing whitespace and leading/trailing blank lines dropped, `\r\n` normalised.
 */
export function heredocLines(s: string): string[] {
  const text = wellFormed(s).replace(/\r\n?/g, "\n");
  const lines = text.split("\n").map((line) => escapeHeredocLine(line.replace(/[ \t]+$/u, "")));
  while (lines.length > 0 && lines[0] === "") lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function escapeHeredocLine(line: string): string {
  let out = "";
  let quoteRun = 0;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    const code = ch.charCodeAt(0);
    if (ch === '"') {
      quoteRun++;
      // Escape every third quote of a run: `"""` can then never appear unescaped.
      if (quoteRun === 3) {
        out += '\\"';
        quoteRun = 0;
      } else {
        out += '"';
      }
      continue;
    }
    quoteRun = 0;
    if (ch === "\\") out += "\\\\";
    else if (ch === "#" && line[i + 1] === "{") out += "\\#";
    else if (ch === "\t") out += "\t";
    else if (isControl(code) || isBidi(code)) out += controlEscape(ch);
    else out += ch;
  }
  return out;
}

/**
 * A complete heredoc, indented by `indent` spaces: `"""`, the escaped lines, `"""`.
 * The opening delimiter is not indented (it follows e.g. `@moduledoc `); content and closing delimiter are.
 */
export function heredoc(s: string, indent = 2): string {
  const pad = " ".repeat(indent);
  const body = heredocLines(s).map((line) => (line === "" ? "" : pad + line));
  return ['"""', ...body, `${pad}"""`].join("\n");
}

const ASCII_ATOM = /^[a-zA-Z_][a-zA-Z0-9_@]*[?!]?$/;
const RESERVED_ATOMS = new Set(["nil", "true", "false"]);

/**
 * An Elixir atom literal: `:foo` for plain ASCII names, `:"..."` otherwise.
 * `nil`, `true` and `false` are written bare, as the formatter does.
 * Non-ASCII names are always quoted (valid, if not what the formatter would choose).
 */
export function atom(name: string): string {
  if (RESERVED_ATOMS.has(name)) return name;
  if (ASCII_ATOM.test(name)) return `:${name}`;
  return `:${elixirString(name)}`;
}

/** A keyword-list / map key, without the trailing space: `foo:` or `"foo bar":`. */
export function keywordKey(name: string): string {
  if (ASCII_ATOM.test(name)) return `${name}:`;
  return `${elixirString(name)}:`;
}

/** An integer literal as the formatter writes it: digits grouped by `_` from 10_000 up. */
export function integer(n: number | bigint): string {
  if (typeof n === "number" && !Number.isSafeInteger(n)) {
    throw new ElixirEscapeError(`not a safe integer: ${n}`);
  }
  const big = BigInt(n);
  const negative = big < 0n;
  const digits = (negative ? -big : big).toString();
  const grouped = digits.length >= 5 ? digits.replace(/\B(?=(\d{3})+(?!\d))/g, "_") : digits;
  return negative ? `-${grouped}` : grouped;
}

/** A float literal Elixir accepts: digits on both sides of the dot, exponent written `e`. */
export function float(n: number): string {
  if (!Number.isFinite(n)) throw new ElixirEscapeError(`Elixir has no literal for ${n}`);
  if (Object.is(n, -0)) return "-0.0";
  const text = String(n);
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(text);
  if (!match) throw new ElixirEscapeError(`cannot write ${n} as an Elixir float`);
  const [, sign, int, frac, exp] = match;
  const mantissa = `${sign}${int}.${frac ?? "0"}`;
  return exp === undefined ? mantissa : `${mantissa}e${Number(exp)}`;
}

/** An Elixir literal for a manifest value: strings, integers, floats, booleans, lists, maps with atom keys. */
export function literal(value: LiteralValue, hint?: { float?: boolean }): string {
  if (typeof value === "string") return elixirString(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (Number.isInteger(value) && !hint?.float && !Object.is(value, -0)) return integer(value);
    return float(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => literal(v)).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "%{}";
    return `%{${entries.map(([k, v]) => `${keywordKey(k)} ${literal(v)}`).join(", ")}}`;
  }
  throw new ElixirEscapeError(`cannot write ${String(value)} as an Elixir literal`);
}

/** A plain ASCII variable name (`conn`, `_opts`, `timeout2`), not a reserved word. */
export function isIdentifier(s: string): boolean {
  return isValidVariableName(s);
}

/** A function name: an identifier optionally ending in `?` or `!`. */
export function isFunctionName(s: string): boolean {
  const base = s.replace(/[?!]$/, "");
  return isIdentifier(base) && (base === s || !base.startsWith("_"));
}

/** An Elixir alias: `Payments`, `Payments.DbPool`, `HTTP.V2` (ASCII segments starting with an uppercase letter). */
export function isElixirAlias(s: string): boolean {
  return ALIAS_PATTERN.test(s);
}
