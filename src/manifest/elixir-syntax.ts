/**
 * A small, strict reader for the two kinds of Elixir text a manifest may contain:
 *  - type expressions (`state` field types, `returns`): a typespec subset, read into a `TypeNode` by `parseType`;
 *  - literal terms (`external.child_spec`, `external.deps`): aliases, atoms, numbers, strings, tuples, lists,
 *    keyword lists — no calls, no operators, no interpolation.
 * Anything else is rejected, which is what keeps a manifest from injecting code into the generated project
 * (`unquote(...)`, `#{...}`, `System.halt()` all fail here). The reader also prints its input back in the
 * spacing `mix format` uses, so user-written fragments land formatted.
 *
 * This is the only Elixir parser in otpiser: the planner reads the (canonical) types again with `parseType` to pick
 * placeholder values (src/elixir/typespec.ts).
 */

export class SyntaxProblem extends Error {
  constructor(
    message: string,
    /** Offset within the input string where the problem starts. */
    readonly at: number,
    readonly length = 1,
  ) {
    super(message);
  }
}

type TokenType = "alias" | "ident" | "key" | "atom" | "int" | "float" | "string" | "punct" | "end";
interface Token {
  type: TokenType;
  text: string;
  at: number;
}

const PUNCT = ["...", "=>", "->", "..", "%{", "|", ",", "(", ")", "{", "}", "[", "]", ".", "-", "%"];

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const rest = src.slice(i);
    let m: RegExpMatchArray | null;
    if ((m = rest.match(/^[A-Z][A-Za-z0-9_]*/))) {
      tokens.push({ type: "alias", text: m[0], at: i });
    } else if ((m = rest.match(/^[a-z_][A-Za-z0-9_]*[?!]?:(?=\s)/))) {
      tokens.push({ type: "key", text: m[0].slice(0, -1), at: i });
    } else if ((m = rest.match(/^[a-z_][A-Za-z0-9_]*[?!]?/))) {
      tokens.push({ type: "ident", text: m[0], at: i });
    } else if ((m = rest.match(/^:[a-zA-Z_][A-Za-z0-9_@]*[?!]?/))) {
      tokens.push({ type: "atom", text: m[0], at: i });
    } else if ((m = rest.match(/^[0-9][0-9_]*\.[0-9][0-9_]*(?:[eE][+-]?[0-9]+)?/))) {
      tokens.push({ type: "float", text: m[0], at: i });
    } else if ((m = rest.match(/^[0-9][0-9_]*/))) {
      tokens.push({ type: "int", text: m[0], at: i });
    } else if (ch === '"') {
      tokens.push(readString(src, i));
      m = [tokens[tokens.length - 1]!.text];
    } else {
      const p = PUNCT.find((candidate) => rest.startsWith(candidate));
      if (!p) {
        const hint = ch === "#" ? " (comments and interpolation are not allowed here)" : "";
        throw new SyntaxProblem(`unexpected character \`${ch}\`${hint}`, i);
      }
      tokens.push({ type: "punct", text: p, at: i });
      m = [p];
    }
    i += m[0].length;
  }
  tokens.push({ type: "end", text: "", at: src.length });
  return tokens;
}

/** A double-quoted string without interpolation; escapes are kept as written (`\"`, `\\`, `\n`). */
function readString(src: string, start: number): Token {
  let i = start + 1;
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === "\\") {
      const problem = escapeProblem(src, i);
      if (problem) throw new SyntaxProblem(problem, i, 2);
      i += 2;
      continue;
    }
    if (BIDI.test(ch)) throw new SyntaxProblem(bidiProblem(ch), i, 1);
    if (ch === "#" && src[i + 1] === "{") throw new SyntaxProblem("string interpolation `#{...}` is not allowed", i, 2);
    if (ch === '"') return { type: "string", text: src.slice(start, i + 1), at: start };
    if (ch === "\n") break;
    i++;
  }
  throw new SyntaxProblem("unterminated string", start);
}

/** Bidirectional formatting characters, which Elixir refuses raw in source ("Trojan Source"). */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/;

const bidiProblem = (ch: string) => {
  const hex = ch.charCodeAt(0).toString(16).toUpperCase();
  return `the bidirectional formatting character U+${hex} is not allowed raw in a string; write it as \`\\u${hex}\``;
};

/**
 * Why the escape at `src[i]` (a backslash) would not compile, if it would not: the string is copied into the
 * generated code as written, so `\x` and `\u` must be complete (`\xHH`, `\uHHHH`, `\u{H…}` naming a code point).
 */
function escapeProblem(src: string, i: number): string | undefined {
  const next = src[i + 1] ?? "";
  if (BIDI.test(next)) return bidiProblem(next);
  // A backslash before a line break continues the string on the next line: the term would no longer be one line
  // where otpiser quotes it (README's tree, moduledocs).
  if (next === "\n" || next === "\r") return "a line break is not allowed in a string here; write `\\n`";
  const rest = src.slice(i + 2);
  if (next === "x" && !/^[0-9A-Fa-f]{2}/.test(rest)) return "`\\x` takes two hexadecimal digits (`\\xHH`)";
  if (next !== "u") return undefined;
  const m = /^(?:([0-9A-Fa-f]{4})|\{([0-9A-Fa-f]{1,6})\})/.exec(rest);
  const code = m ? parseInt(m[1] ?? m[2]!, 16) : NaN;
  if (code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)) return undefined;
  return "`\\u` takes a Unicode code point: four hexadecimal digits (`\\u00E9`) or up to six in braces (`\\u{1F600}`), not a surrogate";
}

/**
 * How deeply types and terms may nest. The readers recurse once per level: without a bound, a 60 000-character
 * `((((...` overflowed the stack inside `check()`. No typespec needs more; it matches the manifest's own limit.
 */
export const MAX_SYNTAX_DEPTH = 100;

class Reader {
  private pos = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}
  /** Called on entering a nested type or term; a problem is thrown anyway, so leaving needs no `finally`. */
  enter(): void {
    if (++this.depth > MAX_SYNTAX_DEPTH) throw new SyntaxProblem(`nested more than ${MAX_SYNTAX_DEPTH} levels deep`, this.peek().at);
  }
  leave(): void {
    this.depth--;
  }
  peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }
  next(): Token {
    const t = this.peek();
    if (t.type !== "end") this.pos++;
    return t;
  }
  isPunct(text: string): boolean {
    const t = this.peek();
    return t.type === "punct" && t.text === text;
  }
  expect(text: string): Token {
    const t = this.peek();
    if (t.type !== "punct" || t.text !== text) throw unexpected(t, `\`${text}\``);
    return this.next();
  }
}

/** All of `src`, read by `parse`: a `what` ("type", "term") that is neither empty nor followed by more. */
function readWhole<T>(src: string, what: string, parse: (r: Reader) => T): T {
  const r = new Reader(tokenize(src));
  if (r.peek().type === "end") throw new SyntaxProblem(`empty ${what}`, 0);
  const out = parse(r);
  if (r.peek().type !== "end") throw unexpected(r.peek(), `end of ${what}`);
  return out;
}

function unexpected(t: Token, wanted: string): SyntaxProblem {
  if (t.type === "end") return new SyntaxProblem(`unexpected end, expected ${wanted}`, t.at);
  return new SyntaxProblem(`unexpected \`${t.text}\`, expected ${wanted}`, t.at, Math.max(1, t.text.length));
}

// ---------------------------------------------------------------- types

/**
 * A type expression of the manifest's typespec subset. It is what `parseType` reads, `printType` writes back in
 * canonical spacing, and the planner picks placeholder values from (src/elixir/typespec.ts).
 */
export type TypeNode =
  /** `a | b | c`: two or more members, none of them a union (a parenthesised union is read flat). */
  | { t: "union"; members: TypeNode[] }
  /** `:ok`, as written (with the colon). */
  | { t: "atom"; text: string }
  /** The atoms written without a colon. */
  | { t: "literal"; text: LiteralWord }
  /** `42`, `-1`, `1_000`, as written (with its sign). */
  | { t: "int"; text: string }
  /** `1..10`, `-5..-1`: the two integers as written. */
  | { t: "range"; from: string; to: string }
  /** `integer()`, `list(atom())` (no `module`), `String.t()` (`module` "String"), `Foo.Bar.t(k)`. */
  | { t: "call"; module?: string; name: string; args: TypeNode[] }
  /** `{a, b}`, `{}`. */
  | { t: "tuple"; elems: TypeNode[] }
  /** `[]`, the empty list. */
  | { t: "empty_list" }
  /** `[t]`, or with `nonEmpty` `[t, ...]`. */
  | { t: "list"; elem: TypeNode; nonEmpty: boolean }
  /** `[key: t, other: u]`. */
  | { t: "keywords"; pairs: KeywordPair[] }
  /** `%{...}`. */
  | { t: "map"; entries: MapEntry[] }
  /** `%Mod.Name{...}`. */
  | { t: "struct"; module: string; entries: MapEntry[] }
  /** `(a, b -> r)`; `params` is `[]` for `(-> r)`, `"..."` for `(... -> r)`. */
  | { t: "fun"; params: TypeNode[] | "..."; returns: TypeNode };

export type LiteralWord = "nil" | "true" | "false";

/** `key: value` (the key without its colon). */
export interface KeywordPair {
  key: string;
  value: TypeNode;
}

/** An entry of a map or struct type. */
export type MapEntry =
  /** `key: value`; keyword entries come last. */
  | ({ kind: "keyword" } & KeywordPair)
  /** `required(key) => value`, `optional(key) => value`. */
  | { kind: "required" | "optional"; key: TypeNode; value: TypeNode }
  /** `key => value`. */
  | { kind: "assoc"; key: TypeNode; value: TypeNode };

const LITERAL_WORDS: readonly string[] = ["nil", "true", "false"] satisfies LiteralWord[];
const isLiteralWord = (text: string): text is LiteralWord => LITERAL_WORDS.includes(text);

/** Validates a type expression and returns it in canonical (mix format) spacing. Throws SyntaxProblem. */
export function canonicalType(src: string): string {
  return printType(parseType(src));
}

/** Reads a type expression of the manifest's subset. Throws SyntaxProblem, with the offset of the problem. */
export function parseType(src: string): TypeNode {
  return readWhole(src, "type", parseUnion);
}

/** A type in canonical (mix format) spacing. */
export function printType(node: TypeNode): string {
  switch (node.t) {
    case "union":
      return node.members.map(printType).join(" | ");
    case "atom":
    case "literal":
    case "int":
      return node.text;
    case "range":
      return `${node.from}..${node.to}`;
    case "call":
      return `${node.module ? `${node.module}.` : ""}${node.name}(${printTypes(node.args)})`;
    case "tuple":
      return `{${printTypes(node.elems)}}`;
    case "empty_list":
      return "[]";
    case "list":
      return `[${printType(node.elem)}${node.nonEmpty ? ", ..." : ""}]`;
    case "keywords":
      return `[${node.pairs.map(printKeywordPair).join(", ")}]`;
    case "map":
      return `%{${printMapEntries(node.entries)}}`;
    case "struct":
      return `%${node.module}{${printMapEntries(node.entries)}}`;
    case "fun": {
      const params = node.params === "..." ? "... " : node.params.length === 0 ? "" : `${printTypes(node.params)} `;
      return `(${params}-> ${printType(node.returns)})`;
    }
  }
}

function printTypes(nodes: TypeNode[]): string {
  return nodes.map(printType).join(", ");
}

function printKeywordPair(pair: KeywordPair): string {
  return `${pair.key}: ${printType(pair.value)}`;
}

function printMapEntries(entries: MapEntry[]): string {
  return entries
    .map((e) => {
      switch (e.kind) {
        case "keyword":
          return printKeywordPair(e);
        case "assoc":
          return `${printType(e.key)} => ${printType(e.value)}`;
        default:
          return `${e.kind}(${printType(e.key)}) => ${printType(e.value)}`;
      }
    })
    .join(", ");
}

function parseUnion(r: Reader): TypeNode {
  r.enter();
  const members: TypeNode[] = [];
  for (;;) {
    const member = parseTypeTerm(r);
    // `(a | b) | c` is `a | b | c`, as it prints
    members.push(...(member.t === "union" ? member.members : [member]));
    if (!r.isPunct("|")) break;
    r.next();
  }
  r.leave();
  return members.length === 1 ? members[0]! : { t: "union", members };
}

function parseTypeList(r: Reader, close: string): TypeNode[] {
  const items: TypeNode[] = [];
  if (r.isPunct(close)) return items;
  for (;;) {
    items.push(parseUnion(r));
    if (!r.isPunct(",")) break;
    r.next();
  }
  return items;
}

function parseTypeTerm(r: Reader): TypeNode {
  const t = r.peek();
  if (t.type === "atom") {
    r.next();
    return { t: "atom", text: t.text };
  }
  if (t.type === "int" || (t.type === "punct" && t.text === "-")) {
    const from = parseInteger(r);
    if (r.isPunct("..")) {
      r.next();
      return { t: "range", from, to: parseInteger(r) };
    }
    return { t: "int", text: from };
  }
  if (t.type === "ident") {
    r.next();
    if (isLiteralWord(t.text)) return { t: "literal", text: t.text };
    if (!r.isPunct("(")) {
      throw new SyntaxProblem(`\`${t.text}\` is not a type; did you mean \`${t.text}()\`?`, t.at, t.text.length);
    }
    if (["unquote", "unquote_splicing", "quote"].includes(t.text)) {
      throw new SyntaxProblem(`\`${t.text}\` is not allowed in a type`, t.at, t.text.length);
    }
    r.next();
    const args = parseTypeList(r, ")");
    r.expect(")");
    return { t: "call", name: t.text, args };
  }
  if (t.type === "alias") {
    const module = parseAlias(r);
    r.expect(".");
    const fn = r.next();
    if (fn.type !== "ident") throw unexpected(fn, "a type name after the module");
    r.expect("(");
    const args = parseTypeList(r, ")");
    r.expect(")");
    return { t: "call", module, name: fn.text, args };
  }
  if (t.type === "punct") {
    switch (t.text) {
      case "{": {
        r.next();
        const elems = parseTypeList(r, "}");
        r.expect("}");
        return { t: "tuple", elems };
      }
      case "[": {
        r.next();
        if (r.isPunct("]")) {
          r.next();
          return { t: "empty_list" };
        }
        if (r.peek().type === "key") {
          const pairs = parseKeywordTypes(r);
          r.expect("]");
          return { t: "keywords", pairs };
        }
        const elem = parseUnion(r);
        const nonEmpty = r.isPunct(",");
        if (nonEmpty) {
          r.next();
          r.expect("...");
        }
        r.expect("]");
        return { t: "list", elem, nonEmpty };
      }
      case "%{": {
        r.next();
        const entries = parseMapTypeEntries(r);
        r.expect("}");
        return { t: "map", entries };
      }
      case "%": {
        r.next();
        const module = parseAlias(r);
        r.expect("{");
        const entries = parseMapTypeEntries(r);
        r.expect("}");
        return { t: "struct", module, entries };
      }
      case "(": {
        r.next();
        return parseFunOrParens(r);
      }
    }
  }
  throw unexpected(t, "a type");
}

function parseInteger(r: Reader): string {
  let sign = "";
  if (r.isPunct("-")) {
    r.next();
    sign = "-";
  }
  const t = r.next();
  if (t.type !== "int") throw unexpected(t, "an integer");
  return sign + t.text;
}

function parseAlias(r: Reader): string {
  const first = r.next();
  if (first.type !== "alias") throw unexpected(first, "a module name");
  const parts = [first.text];
  while (r.isPunct(".") && r.peek(1).type === "alias") {
    r.next();
    parts.push(r.next().text);
  }
  return parts.join(".");
}

function parseKeywordTypes(r: Reader): KeywordPair[] {
  const pairs: KeywordPair[] = [];
  for (;;) {
    const key = r.next();
    if (key.type !== "key") throw unexpected(key, "a `key:`");
    pairs.push({ key: key.text, value: parseUnion(r) });
    if (!r.isPunct(",")) return pairs;
    r.next();
  }
}

function parseMapTypeEntries(r: Reader): MapEntry[] {
  return parseItems<MapEntry>(
    r,
    "}",
    (key) => ({ kind: "keyword", key, value: parseUnion(r) }),
    () => {
      const key = parseUnion(r);
      r.expect("=>");
      const value = parseUnion(r);
      if (key.t === "call" && !key.module && (key.name === "required" || key.name === "optional") && key.args.length === 1) {
        return { kind: key.name, key: key.args[0]!, value };
      }
      return { kind: "assoc", key, value };
    },
  );
}

/** After `(`: a fun type `(args -> ret)`, `(... -> ret)`, `(-> ret)`, or a parenthesised type. */
function parseFunOrParens(r: Reader): TypeNode {
  let params: TypeNode[] | "...";
  if (r.isPunct("->")) {
    params = [];
  } else if (r.isPunct("...")) {
    r.next();
    if (!r.isPunct("->")) throw unexpected(r.peek(), "`->`");
    params = "...";
  } else {
    params = parseTypeList(r, ")");
    if (!r.isPunct("->")) {
      r.expect(")");
      if (params.length !== 1) throw new SyntaxProblem("a parenthesised type holds exactly one type", r.peek().at);
      return params[0]!;
    }
  }
  r.next();
  const returns = parseUnion(r);
  r.expect(")");
  return { t: "fun", params, returns };
}

/**
 * Comma-separated items up to `close` (left for the caller to consume). `key:` pairs, read by `keyword`, may only
 * close the sequence, as in Elixir; the other items are read by `item`.
 */
function parseItems<T>(r: Reader, close: string, keyword: (key: string) => T, item: () => T): T[] {
  const items: T[] = [];
  if (r.isPunct(close)) return items;
  let keywords = false;
  for (;;) {
    const t = r.peek();
    if (t.type === "key") {
      keywords = true;
      r.next();
      items.push(keyword(t.text));
    } else {
      // keyword pairs must come last: a later item is an Elixir syntax error
      if (keywords) throw unexpected(t, "a `key:` (keyword pairs must come last)");
      items.push(item());
    }
    if (!r.isPunct(",")) return items;
    r.next();
  }
}

// ---------------------------------------------------------------- literal terms

/** Validates a literal term (no calls) and returns it in canonical spacing. Throws SyntaxProblem. */
export function canonicalTerm(src: string): string {
  return readWhole(src, "term", parseTerm);
}

function parseTerm(r: Reader): string {
  r.enter();
  const term = parseTermAt(r);
  r.leave();
  return term;
}

function parseTermAt(r: Reader): string {
  const t = r.peek();
  switch (t.type) {
    case "atom":
    case "string":
    case "float":
    case "int":
      r.next();
      return t.text;
    case "alias":
      return parseAlias(r);
    case "ident":
      if (isLiteralWord(t.text)) {
        r.next();
        return t.text;
      }
      throw new SyntaxProblem(
        `\`${t.text}\` is not a literal: only modules, atoms, numbers, strings, tuples, lists and keyword lists are allowed`,
        t.at,
        t.text.length,
      );
    case "punct":
      if (t.text === "-") {
        r.next();
        const n = r.next();
        if (n.type !== "int" && n.type !== "float") throw unexpected(n, "a number");
        return `-${n.text}`;
      }
      if (t.text === "{" || t.text === "[") {
        r.next();
        const close = t.text === "{" ? "}" : "]";
        const items = parseTermItems(r, close);
        r.expect(close);
        return t.text === "{" ? `{${items.join(", ")}}` : `[${items.join(", ")}]`;
      }
      if (t.text === "%{") {
        r.next();
        const items = parseTermItems(r, "}");
        r.expect("}");
        return `%{${items.join(", ")}}`;
      }
  }
  throw unexpected(t, "a literal term");
}

/** Elements of a tuple/list/map; keyword pairs (`name: X`) may close the sequence, as in Elixir. */
function parseTermItems(r: Reader, close: string): string[] {
  return parseItems(
    r,
    close,
    (key) => `${key}: ${parseTerm(r)}`,
    () => {
      const value = parseTerm(r);
      if (close !== "}" || !r.isPunct("=>")) return value;
      r.next();
      return `${value} => ${parseTerm(r)}`;
    },
  );
}
