/**
 * A small, strict reader for the two kinds of Elixir text a manifest may contain:
 *  - type expressions (`state` field types, `returns`): a typespec subset;
 *  - literal terms (`external.child_spec`, `external.deps`): aliases, atoms, numbers, strings, tuples, lists,
 *    keyword lists — no calls, no operators, no interpolation.
 * Anything else is rejected, which is what keeps a manifest from injecting code into the generated project
 * (`unquote(...)`, `#{...}`, `System.halt()` all fail here). The reader also prints its input back in the
 * spacing `mix format` uses, so user-written fragments land formatted.
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
      i += 2;
      continue;
    }
    if (ch === "#" && src[i + 1] === "{") throw new SyntaxProblem("string interpolation `#{...}` is not allowed", i, 2);
    if (ch === '"') return { type: "string", text: src.slice(start, i + 1), at: start };
    if (ch === "\n") break;
    i++;
  }
  throw new SyntaxProblem("unterminated string", start);
}

class Reader {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}
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

function unexpected(t: Token, wanted: string): SyntaxProblem {
  if (t.type === "end") return new SyntaxProblem(`unexpected end, expected ${wanted}`, t.at);
  return new SyntaxProblem(`unexpected \`${t.text}\`, expected ${wanted}`, t.at, Math.max(1, t.text.length));
}

// ---------------------------------------------------------------- types

/** Validates a type expression and returns it in canonical (mix format) spacing. Throws SyntaxProblem. */
export function canonicalType(src: string): string {
  const r = new Reader(tokenize(src));
  if (r.peek().type === "end") throw new SyntaxProblem("empty type", 0);
  const out = parseUnion(r);
  if (r.peek().type !== "end") throw unexpected(r.peek(), "end of type");
  return out;
}

function parseUnion(r: Reader): string {
  const parts = [parseTypeTerm(r)];
  while (r.isPunct("|")) {
    r.next();
    parts.push(parseTypeTerm(r));
  }
  return parts.join(" | ");
}

function parseTypeList(r: Reader, close: string): string[] {
  const items: string[] = [];
  if (r.isPunct(close)) return items;
  for (;;) {
    items.push(parseUnion(r));
    if (!r.isPunct(",")) break;
    r.next();
  }
  return items;
}

function parseTypeTerm(r: Reader): string {
  const t = r.peek();
  if (t.type === "atom") {
    r.next();
    return t.text;
  }
  if (t.type === "int" || (t.type === "punct" && t.text === "-")) {
    const lo = parseInteger(r);
    if (r.isPunct("..")) {
      r.next();
      return `${lo}..${parseInteger(r)}`;
    }
    return lo;
  }
  if (t.type === "ident") {
    r.next();
    if (["nil", "true", "false"].includes(t.text)) return t.text;
    if (!r.isPunct("(")) {
      throw new SyntaxProblem(`\`${t.text}\` is not a type; did you mean \`${t.text}()\`?`, t.at, t.text.length);
    }
    if (["unquote", "unquote_splicing", "quote"].includes(t.text)) {
      throw new SyntaxProblem(`\`${t.text}\` is not allowed in a type`, t.at, t.text.length);
    }
    r.next();
    const args = parseTypeList(r, ")");
    r.expect(")");
    return `${t.text}(${args.join(", ")})`;
  }
  if (t.type === "alias") {
    const mod = parseAlias(r);
    r.expect(".");
    const fn = r.next();
    if (fn.type !== "ident") throw unexpected(fn, "a type name after the module");
    r.expect("(");
    const args = parseTypeList(r, ")");
    r.expect(")");
    return `${mod}.${fn.text}(${args.join(", ")})`;
  }
  if (t.type === "punct") {
    switch (t.text) {
      case "{": {
        r.next();
        const items = parseTypeList(r, "}");
        r.expect("}");
        return `{${items.join(", ")}}`;
      }
      case "[": {
        r.next();
        if (r.isPunct("]")) {
          r.next();
          return "[]";
        }
        if (r.peek().type === "key") {
          const pairs = parseKeywordTypes(r);
          r.expect("]");
          return `[${pairs.join(", ")}]`;
        }
        const inner = parseUnion(r);
        if (r.isPunct(",")) {
          r.next();
          r.expect("...");
          r.expect("]");
          return `[${inner}, ...]`;
        }
        r.expect("]");
        return `[${inner}]`;
      }
      case "%{": {
        r.next();
        const pairs = parseMapTypePairs(r);
        r.expect("}");
        return `%{${pairs.join(", ")}}`;
      }
      case "%": {
        r.next();
        const mod = parseAlias(r);
        r.expect("{");
        const pairs = parseMapTypePairs(r);
        r.expect("}");
        return `%${mod}{${pairs.join(", ")}}`;
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

function parseKeywordTypes(r: Reader): string[] {
  const pairs: string[] = [];
  for (;;) {
    const key = r.next();
    if (key.type !== "key") throw unexpected(key, "a `key:`");
    pairs.push(`${key.text}: ${parseUnion(r)}`);
    if (!r.isPunct(",")) return pairs;
    r.next();
  }
}

function parseMapTypePairs(r: Reader): string[] {
  const pairs: string[] = [];
  if (r.isPunct("}")) return pairs;
  let keywords = false;
  for (;;) {
    const t = r.peek();
    if (t.type === "key") {
      keywords = true;
      r.next();
      pairs.push(`${t.text}: ${parseUnion(r)}`);
    } else {
      // keyword pairs must come last in a map: a later `=>` pair is an Elixir syntax error
      if (keywords) throw unexpected(t, "a `key:` (keyword pairs must come last)");
      const key = parseUnion(r);
      r.expect("=>");
      pairs.push(`${key} => ${parseUnion(r)}`);
    }
    if (!r.isPunct(",")) return pairs;
    r.next();
  }
}

/** After `(`: a fun type `(args -> ret)`, `(... -> ret)`, `(-> ret)`, or a parenthesised type. */
function parseFunOrParens(r: Reader): string {
  if (r.isPunct("->")) {
    r.next();
    const ret = parseUnion(r);
    r.expect(")");
    return `(-> ${ret})`;
  }
  if (r.isPunct("...")) {
    r.next();
    r.expect("->");
    const ret = parseUnion(r);
    r.expect(")");
    return `(... -> ${ret})`;
  }
  const first = parseTypeList(r, ")");
  if (r.isPunct("->")) {
    r.next();
    const ret = parseUnion(r);
    r.expect(")");
    return `(${first.join(", ")} -> ${ret})`;
  }
  r.expect(")");
  if (first.length !== 1) throw new SyntaxProblem("a parenthesised type holds exactly one type", r.peek().at);
  return first[0]!;
}

// ---------------------------------------------------------------- literal terms

/** Validates a literal term (no calls) and returns it in canonical spacing. Throws SyntaxProblem. */
export function canonicalTerm(src: string): string {
  const r = new Reader(tokenize(src));
  if (r.peek().type === "end") throw new SyntaxProblem("empty term", 0);
  const out = parseTerm(r);
  if (r.peek().type !== "end") throw unexpected(r.peek(), "end of term");
  return out;
}

function parseTerm(r: Reader): string {
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
      if (["nil", "true", "false"].includes(t.text)) {
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
  const items: string[] = [];
  if (r.isPunct(close)) return items;
  let keywords = false;
  for (;;) {
    const t = r.peek();
    if (t.type === "key") {
      keywords = true;
      r.next();
      items.push(`${t.text}: ${parseTerm(r)}`);
    } else {
      if (keywords) throw unexpected(t, "a `key:` (keyword pairs must come last)");
      const value = parseTerm(r);
      if (close === "}" && r.isPunct("=>")) {
        r.next();
        items.push(`${value} => ${parseTerm(r)}`);
      } else {
        items.push(value);
      }
    }
    if (!r.isPunct(",")) return items;
    r.next();
  }
}
