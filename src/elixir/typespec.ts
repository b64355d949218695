/**
 * A small reader for the (already validated, canonical) Elixir type expressions of the manifest, used to pick
 * placeholder values: the initial value of a state field, the reply of a generated `handle_call`.
 *
 * It understands the common shapes (unions, tuples, lists, maps, literals, built-in and remote types) and gives up
 * (returns `undefined`) on anything else; callers then fall back to a documented default.
 */

export type TypeNode =
  | { t: "union"; members: TypeNode[] }
  | { t: "atom"; text: string }
  | { t: "int"; text: string }
  | { t: "range"; from: string }
  | { t: "call"; name: string; args: TypeNode[] }
  | { t: "tuple"; elems: TypeNode[] }
  | { t: "list"; elem?: TypeNode; nonEmpty: boolean; keyword: boolean }
  | { t: "map"; fields: { key: string; value: TypeNode }[]; otherEntries: { required: boolean }[] }
  | { t: "struct"; module: string }
  | { t: "binary" }
  | { t: "fun" }
  | { t: "var"; name: string };

type Token = { kind: string; text: string };

const PUNCT = ["...", "::", "=>", "->", "..", "%{", "<<", ">>", "{", "}", "[", "]", "(", ")", ",", "|"];

function tokenize(src: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const rest = src.slice(i);
    const ws = /^\s+/.exec(rest);
    if (ws) {
      i += ws[0].length;
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^:[a-z_][a-zA-Z0-9_]*\.[a-z_][a-zA-Z0-9_]*(?=\()/.exec(rest))) {
      tokens.push({ kind: "name", text: m[0] });
    } else if ((m = /^:"(?:[^"\\]|\\.)*"/.exec(rest)) || (m = /^:[a-zA-Z_][a-zA-Z0-9_@]*[?!]?/.exec(rest))) {
      tokens.push({ kind: "atom", text: m[0] });
    } else if ((m = /^%([A-Z][A-Za-z0-9_.]*|__MODULE__)\{/.exec(rest))) {
      tokens.push({ kind: "struct", text: m[1]! });
    } else if ((m = /^-?\d[\d_]*(\.\d[\d_]*(e[+-]?\d+)?)?/.exec(rest))) {
      tokens.push({ kind: m[1] ? "float" : "int", text: m[0] });
    } else if ((m = /^([a-zA-Z_][a-zA-Z0-9_]*[?!]?):(?!:)/.exec(rest))) {
      tokens.push({ kind: "key", text: m[1]! });
    } else if ((m = /^[A-Z][A-Za-z0-9_]*(\.[A-Z][A-Za-z0-9_]*)*(\.[a-z_][a-zA-Z0-9_]*)?/.exec(rest))) {
      tokens.push({ kind: "name", text: m[0] });
    } else if ((m = /^[a-z_][a-zA-Z0-9_]*/.exec(rest))) {
      tokens.push({ kind: "name", text: m[0] });
    } else {
      const p = PUNCT.find((q) => rest.startsWith(q));
      if (!p) return undefined;
      m = [p] as unknown as RegExpExecArray;
      tokens.push({ kind: p, text: p });
    }
    i += m[0].length;
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  private next(): Token {
    const tok = this.tokens[this.pos++];
    if (!tok) throw new SyntaxError("unexpected end of type");
    return tok;
  }

  private expect(kind: string): Token {
    const tok = this.next();
    if (tok.kind !== kind) throw new SyntaxError(`expected ${kind}, got ${tok.text}`);
    return tok;
  }

  private accept(kind: string): boolean {
    if (this.peek()?.kind === kind) {
      this.pos++;
      return true;
    }
    return false;
  }

  done(): boolean {
    return this.pos >= this.tokens.length;
  }

  /** type := annotated ('|' annotated)* */
  type(): TypeNode {
    const members = [this.annotated()];
    while (this.accept("|")) members.push(this.annotated());
    return members.length === 1 ? members[0]! : { t: "union", members };
  }

  /** `name :: type` annotations are read through. */
  private annotated(): TypeNode {
    if (this.peek()?.kind === "name" && this.peek(1)?.kind === "::") {
      this.pos += 2;
    }
    return this.primary();
  }

  private list(close: string): TypeNode[] {
    const items: TypeNode[] = [];
    if (this.accept(close)) return items;
    do items.push(this.type());
    while (this.accept(","));
    this.expect(close);
    return items;
  }

  private primary(): TypeNode {
    const tok = this.next();
    switch (tok.kind) {
      case "atom":
        return { t: "atom", text: tok.text };
      case "int": {
        if (this.accept("..")) {
          this.expect("int");
          return { t: "range", from: tok.text };
        }
        return { t: "int", text: tok.text };
      }
      case "float":
        return { t: "call", name: "float", args: [] };
      case "{":
        return { t: "tuple", elems: this.list("}") };
      case "<<":
        while (!this.accept(">>")) this.next();
        return { t: "binary" };
      case "(":
        this.skipUntilClose("(", ")");
        return { t: "fun" };
      case "[":
        return this.listType();
      case "%{":
        return this.mapType();
      case "struct":
        this.skipUntilClose("{", "}");
        return { t: "struct", module: tok.text };
      case "name": {
        if (this.accept("(")) return { t: "call", name: tok.text, args: this.list(")") };
        return { t: "var", name: tok.text };
      }
      default:
        throw new SyntaxError(`unexpected ${tok.text}`);
    }
  }

  /** Skips to the token closing an already opened `open` (nesting counted). */
  private skipUntilClose(open: string, close: string): void {
    const opens = open === "{" ? ["{", "%{", "struct"] : [open];
    let depth = 1;
    while (depth > 0) {
      const tok = this.next();
      if (opens.includes(tok.kind)) depth++;
      else if (tok.kind === close) depth--;
    }
  }

  private listType(): TypeNode {
    if (this.accept("]")) return { t: "list", nonEmpty: false, keyword: false };
    if (this.peek()?.kind === "key") {
      do {
        this.expect("key");
        this.type();
      } while (this.accept(","));
      this.expect("]");
      return { t: "list", nonEmpty: false, keyword: true };
    }
    const elem = this.type();
    let nonEmpty = false;
    if (this.accept(",")) {
      this.expect("...");
      nonEmpty = true;
    }
    this.expect("]");
    return { t: "list", elem, nonEmpty, keyword: false };
  }

  private mapType(): TypeNode {
    const fields: { key: string; value: TypeNode }[] = [];
    const otherEntries: { required: boolean }[] = [];
    if (this.accept("}")) return { t: "map", fields, otherEntries };
    do {
      if (this.peek()?.kind === "key") {
        const key = this.next().text;
        fields.push({ key, value: this.type() });
        continue;
      }
      const key = this.type();
      this.expect("=>");
      const value = this.type();
      if (key.t === "call" && key.name === "optional") otherEntries.push({ required: false });
      else if (key.t === "atom") fields.push({ key: key.text, value });
      else otherEntries.push({ required: true });
    } while (this.accept(","));
    this.expect("}");
    return { t: "map", fields, otherEntries };
  }
}

/** Parses a type expression; `undefined` when it is not in the subset understood here. */
export function parseType(src: string): TypeNode | undefined {
  const tokens = tokenize(src);
  if (!tokens || tokens.length === 0) return undefined;
  try {
    const parser = new Parser(tokens);
    const node = parser.type();
    return parser.done() ? node : undefined;
  } catch {
    return undefined;
  }
}

/** A value that inhabits a type. */
export interface Inhabitant {
  /** Elixir expression for the value. */
  expr: string;
  /** A pattern that matches it (`_` where the value is not a literal), for test assertions. */
  pattern: string;
  /** Compile-time constant (usable as a struct default). */
  constant: boolean;
  /** For non-literal values, a guard that recognises them (`is_pid`), for test assertions. */
  guard?: string;
}

const lit = (expr: string): Inhabitant => ({ expr, pattern: expr, constant: true });

const BUILTINS: Record<string, Inhabitant> = {
  term: lit("nil"),
  any: lit("nil"),
  atom: lit(":ok"),
  module: lit("nil"),
  node: lit(":nonode@nohost"),
  boolean: lit("false"),
  integer: lit("0"),
  non_neg_integer: lit("0"),
  pos_integer: lit("1"),
  neg_integer: lit("-1"),
  number: lit("0"),
  arity: lit("0"),
  byte: lit("0"),
  char: lit("0"),
  timeout: lit("0"),
  float: { expr: "0.0", pattern: "_", constant: true, guard: "is_float" },
  binary: lit('""'),
  bitstring: lit('""'),
  nonempty_binary: lit('" "'),
  "String.t": lit('""'),
  iodata: lit('""'),
  iolist: lit("[]"),
  charlist: lit("[]"),
  list: lit("[]"),
  keyword: lit("[]"),
  maybe_improper_list: lit("[]"),
  map: lit("%{}"),
  tuple: lit("{}"),
  "MapSet.t": { expr: "MapSet.new()", pattern: "%MapSet{}", constant: true },
  pid: { expr: "self()", pattern: "_", constant: false, guard: "is_pid" },
  reference: { expr: "make_ref()", pattern: "_", constant: false, guard: "is_reference" },
  mfa: lit("{:erlang, :self, 0}"),
  "Keyword.t": lit("[]"),
  "Enumerable.t": lit("[]"),
  "Range.t": lit("0..0"),
};

/** The simplest value of `node`, or `undefined` when none can be built from the type alone. */
export function inhabitant(node: TypeNode): Inhabitant | undefined {
  switch (node.t) {
    case "atom":
      return lit(node.text);
    case "int":
      return lit(node.text);
    case "range":
      return lit(node.from);
    case "var":
      return node.name === "nil" || node.name === "true" || node.name === "false" ? lit(node.name) : undefined;
    case "binary":
      return lit('""');
    case "union": {
      for (const member of rankMembers(node.members)) {
        const found = inhabitant(member);
        if (found) return found;
      }
      return undefined;
    }
    case "tuple": {
      const parts = node.elems.map(inhabitant);
      if (parts.some((p) => p === undefined)) return undefined;
      const ok = parts as Inhabitant[];
      return {
        expr: `{${ok.map((p) => p.expr).join(", ")}}`,
        pattern: `{${ok.map((p) => p.pattern).join(", ")}}`,
        constant: ok.every((p) => p.constant),
      };
    }
    case "list": {
      if (!node.nonEmpty) return lit("[]");
      const elem = node.elem && inhabitant(node.elem);
      if (!elem) return undefined;
      return { expr: `[${elem.expr}]`, pattern: `[${elem.pattern}]`, constant: elem.constant };
    }
    case "map": {
      const parts = node.fields.map((f) => ({ key: f.key, value: inhabitant(f.value) }));
      if (parts.some((p) => p.value === undefined)) return undefined;
      if (parts.length === 0) return lit("%{}");
      const render = (pick: (i: Inhabitant) => string): string =>
        `%{${parts.map((p) => `${mapKey(p.key)} ${pick(p.value!)}`).join(", ")}}`;
      return {
        expr: render((i) => i.expr),
        pattern: render((i) => i.pattern),
        constant: parts.every((p) => p.value!.constant),
      };
    }
    case "call": {
      if (node.name === "nonempty_list" && node.args[0]) {
        const elem = inhabitant(node.args[0]);
        return elem && { expr: `[${elem.expr}]`, pattern: `[${elem.pattern}]`, constant: elem.constant };
      }
      return BUILTINS[node.name];
    }
    case "struct":
    case "fun":
      return undefined;
  }
}

/** `:foo` (an atom key in a map type) or `foo` (a keyword key) → `foo:` as a map literal key. */
function mapKey(key: string): string {
  if (key.startsWith(":")) return `${key.slice(1)}:`;
  return `${key}:`;
}

/** Prefer the members that make the most natural placeholder: `:ok`, `nil`, a bare atom, literals, the rest. */
function rankMembers(members: TypeNode[]): TypeNode[] {
  const rank = (m: TypeNode): number => {
    if (m.t === "atom" && m.text === ":ok") return 0;
    if (m.t === "var" && m.name === "nil") return 1;
    if (m.t === "atom") return 2;
    const found = inhabitant(m);
    if (!found) return 5;
    return found.constant ? 3 : 4;
  };
  return [...members].sort((a, b) => rank(a) - rank(b));
}

function members(node: TypeNode): TypeNode[] {
  return node.t === "union" ? node.members : [node];
}

const ANY_TYPES = new Set(["term", "any"]);
const ATOM_TYPES = new Set(["term", "any", "atom"]);

function admitsAtom(node: TypeNode, atomText: string): boolean {
  return members(node).some(
    (m) => (m.t === "atom" && m.text === atomText) || (m.t === "call" && ATOM_TYPES.has(m.name) && m.args.length === 0),
  );
}

/** True when `nil` is a value of the type (a `nil` member, `atom()`, `term()`, `any()`, `module()`). */
export function admitsNil(node: TypeNode): boolean {
  return members(node).some(
    (m) =>
      (m.t === "var" && m.name === "nil") ||
      (m.t === "call" && m.args.length === 0 && (ATOM_TYPES.has(m.name) || m.name === "module")),
  );
}

/** What a generated `handle_call` replies, following the convention documented in the GenServer's moduledoc. */
export interface Placeholder extends Inhabitant {
  /** True when the type gave no value and `{:error, :not_implemented}` is used regardless. */
  fallback: boolean;
}

export const NOT_IMPLEMENTED: Placeholder = {
  expr: "{:error, :not_implemented}",
  pattern: "{:error, :not_implemented}",
  constant: true,
  fallback: true,
};

/**
 * The reply of a placeholder `handle_call` for a declared return type:
 *  1. `:ok` when the type admits it (`:ok`, `term()`, `any()`, `atom()`);
 *  2. `{:error, :not_implemented}` when there is an `{:error, reason}` member whose reason admits that atom,
 *     else that member's simplest value (e.g. `{:error, :timeout}`);
 *  3. the simplest value of the type (`nil` preferred, then literals: `0`, `[]`, `%{}`, `""`, ...);
 *  4. `{:error, :not_implemented}` when the type has no value that can be written down (e.g. `Date.t()`).
 */
export function replyPlaceholder(returns: string): Placeholder {
  const node = parseType(returns);
  if (!node) return NOT_IMPLEMENTED;
  if (admitsAtom(node, ":ok") || members(node).some((m) => m.t === "call" && ANY_TYPES.has(m.name))) {
    return { ...lit(":ok"), fallback: false };
  }
  for (const m of members(node)) {
    if (m.t === "tuple" && m.elems.length === 2 && m.elems[0]!.t === "atom" && m.elems[0]!.text === ":error") {
      const reason = m.elems[1]!;
      if (admitsAtom(reason, ":not_implemented")) return { ...NOT_IMPLEMENTED, fallback: false };
      const value = inhabitant(m);
      if (value) return { ...value, fallback: false };
    }
  }
  const value = inhabitant(node);
  return value ? { ...value, fallback: false } : NOT_IMPLEMENTED;
}

/**
 * The initial value of a state field of type `type` when the manifest gives no default: `nil` when allowed,
 * else the simplest constant of the type (integers 0, lists [], maps %{}, booleans false, strings ""), else `nil`.
 */
export function initialValue(type: string): string {
  const node = parseType(type);
  if (!node || admitsNil(node)) return "nil";
  const value = inhabitant(node);
  return value && value.constant ? value.expr : "nil";
}

/** True when the type is exactly `float()` (so an integral default such as `1` is written `1.0`). */
export function isFloatType(type: string): boolean {
  const node = parseType(type);
  return node?.t === "call" && node.name === "float" && node.args.length === 0;
}
