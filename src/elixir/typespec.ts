/**
 * Placeholder values picked from the manifest's type expressions: the initial value of a state field, the reply of a
 * generated `handle_call`.
 *
 * The types are the validator's canonical strings, read again with the validator's own parser (`parseType`), so
 * there is one grammar. The common shapes (unions, tuples, lists, maps, literals, built-in and remote types) give a
 * value; anything else (and a text outside the grammar, which the validator never lets through) gives `undefined`,
 * and callers fall back to a documented default.
 */
import { type KeywordPair, type MapEntry, parseType, SyntaxProblem, type TypeNode } from "../manifest/elixir-syntax.js";

/** The type, or `undefined` when it is not in the manifest's grammar. */
function read(type: string): TypeNode | undefined {
  try {
    return parseType(type);
  } catch (e) {
    if (e instanceof SyntaxProblem) return undefined;
    throw e;
  }
}

/** `integer`, `String.t`: the name a type call is known by. */
function callName(node: Extract<TypeNode, { t: "call" }>): string {
  return node.module ? `${node.module}.${node.name}` : node.name;
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
    case "literal":
    case "int":
      return lit(node.text);
    case "range":
      return lit(node.from);
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
    case "empty_list":
    case "keywords":
      return lit("[]");
    case "list": {
      if (!node.nonEmpty) return lit("[]");
      const elem = inhabitant(node.elem);
      if (!elem) return undefined;
      return { expr: `[${elem.expr}]`, pattern: `[${elem.pattern}]`, constant: elem.constant };
    }
    case "map": {
      const parts = mapFields(node.entries).map((f) => ({ key: f.key, value: inhabitant(f.value) }));
      if (parts.some((p) => p.value === undefined)) return undefined;
      if (parts.length === 0) return lit("%{}");
      const render = (pick: (i: Inhabitant) => string): string =>
        `%{${parts.map((p) => `${p.key}: ${pick(p.value!)}`).join(", ")}}`;
      return {
        expr: render((i) => i.expr),
        pattern: render((i) => i.pattern),
        constant: parts.every((p) => p.value!.constant),
      };
    }
    case "call": {
      const name = callName(node);
      if (name === "nonempty_list" && node.args[0]) {
        const elem = inhabitant(node.args[0]);
        return elem && { expr: `[${elem.expr}]`, pattern: `[${elem.pattern}]`, constant: elem.constant };
      }
      return Object.hasOwn(BUILTINS, name) ? BUILTINS[name] : undefined;
    }
    case "struct":
    case "fun":
      return undefined;
  }
}

/** The entries of a map type with an atom key (`foo: t`, `:foo => t`), keys as in a keyword (`foo`). */
function mapFields(entries: MapEntry[]): KeywordPair[] {
  return entries.flatMap((e) => {
    if (e.kind === "keyword") return [e];
    if (e.kind === "assoc" && e.key.t === "atom") return [{ key: e.key.text.slice(1), value: e.value }];
    return [];
  });
}

/** Prefer the members that make the most natural placeholder: `:ok`, `nil`, a bare atom, literals, the rest. */
function rankMembers(members: TypeNode[]): TypeNode[] {
  const rank = (m: TypeNode): number => {
    if (m.t === "atom" && m.text === ":ok") return 0;
    if (m.t === "literal" && m.text === "nil") return 1;
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
    (m) => (m.t === "atom" && m.text === atomText) || (m.t === "call" && ATOM_TYPES.has(callName(m)) && m.args.length === 0),
  );
}

/** True when `nil` is a value of the type (a `nil` member, `atom()`, `term()`, `any()`, `module()`). */
export function admitsNil(node: TypeNode): boolean {
  return members(node).some(
    (m) =>
      (m.t === "literal" && m.text === "nil") ||
      (m.t === "call" && m.args.length === 0 && (ATOM_TYPES.has(callName(m)) || callName(m) === "module")),
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
  const node = read(returns);
  if (!node) return NOT_IMPLEMENTED;
  if (admitsAtom(node, ":ok") || members(node).some((m) => m.t === "call" && ANY_TYPES.has(callName(m)))) {
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
  const node = read(type);
  if (!node || admitsNil(node)) return "nil";
  const value = inhabitant(node);
  return value && value.constant ? value.expr : "nil";
}

/** True when the type is exactly `float()` (so an integral default such as `1` is written `1.0`). */
export function isFloatType(type: string): boolean {
  const node = read(type);
  return node?.t === "call" && callName(node) === "float" && node.args.length === 0;
}
