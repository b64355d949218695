import { describe, expect, it } from "vitest";
import { canonicalTerm, canonicalType, parseType, printType, SyntaxProblem, type TypeNode } from "../../src/manifest/elixir-syntax.js";

/** The SyntaxProblem `f` throws, as `{ message, at, length }`. */
function problem(f: () => unknown): { message: string; at: number; length: number } {
  try {
    f();
  } catch (e) {
    if (!(e instanceof SyntaxProblem)) throw e;
    return { message: e.message, at: e.at, length: e.length };
  }
  throw new Error("no SyntaxProblem");
}

const call = (name: string, ...args: TypeNode[]): TypeNode => ({ t: "call", name, args });

describe("parseType", () => {
  it("builds the tree of every shape", () => {
    expect(parseType("{:ok, pid()} | {:error, :timeout} | nil")).toEqual({
      t: "union",
      members: [
        { t: "tuple", elems: [{ t: "atom", text: ":ok" }, call("pid")] },
        { t: "tuple", elems: [{ t: "atom", text: ":error" }, { t: "atom", text: ":timeout" }] },
        { t: "literal", text: "nil" },
      ],
    });
    expect(parseType("- 5..1_000")).toEqual({ t: "range", from: "-5", to: "1_000" });
    expect(parseType("-1")).toEqual({ t: "int", text: "-1" });
    expect(parseType("Foo.Bar.t(atom())")).toEqual({ t: "call", module: "Foo.Bar", name: "t", args: [call("atom")] });
    expect(parseType("[]")).toEqual({ t: "empty_list" });
    expect(parseType("[atom(), ...]")).toEqual({ t: "list", elem: call("atom"), nonEmpty: true });
    expect(parseType("[a: true, b?: false]")).toEqual({
      t: "keywords",
      pairs: [
        { key: "a", value: { t: "literal", text: "true" } },
        { key: "b?", value: { t: "literal", text: "false" } },
      ],
    });
    expect(parseType("%{required(:a) => integer(), optional(atom()) => term(), 1 => :one, b: binary()}")).toEqual({
      t: "map",
      entries: [
        { kind: "required", key: { t: "atom", text: ":a" }, value: call("integer") },
        { kind: "optional", key: call("atom"), value: call("term") },
        { kind: "assoc", key: { t: "int", text: "1" }, value: { t: "atom", text: ":one" } },
        { kind: "keyword", key: "b", value: call("binary") },
      ],
    });
    expect(parseType("%Payments.User{id: integer()}")).toEqual({
      t: "struct",
      module: "Payments.User",
      entries: [{ kind: "keyword", key: "id", value: call("integer") }],
    });
    expect(parseType("(-> :ok)")).toEqual({ t: "fun", params: [], returns: { t: "atom", text: ":ok" } });
    expect(parseType("(... -> :ok)")).toEqual({ t: "fun", params: "...", returns: { t: "atom", text: ":ok" } });
    expect(parseType("(atom(), term() -> :ok)")).toEqual({
      t: "fun",
      params: [call("atom"), call("term")],
      returns: { t: "atom", text: ":ok" },
    });
  });

  it("reads a parenthesised union flat, as it prints", () => {
    expect(parseType("(:a | :b) | (:c)")).toEqual(parseType(":a | :b | :c"));
    expect(canonicalType("(:a | :b) | (:c)")).toBe(":a | :b | :c");
  });

  it("reads `required`/`optional` with other than one argument as a plain key", () => {
    expect(parseType("%{required(:a, :b) => term()}")).toMatchObject({ entries: [{ kind: "assoc", key: { t: "call" } }] });
  });

  it("rejects what the manifest may not write", () => {
    for (const t of [
      "",
      "{:ok,",
      "@@",
      "%__MODULE__{a: 1}",
      "<<_::8>>",
      ":inet.ip_address()",
      "timeout :: non_neg_integer()",
      ':"quoted atom"',
    ]) {
      expect(() => parseType(t), t).toThrow(SyntaxProblem);
    }
  });
});

describe("printType", () => {
  const samples = [
    "term()",
    "String.t() | nil",
    "{:ok, pid()} | {:error, :timeout}",
    "[atom()]",
    "[atom(), ...]",
    "[key: integer(), other: [atom()]]",
    "list(term())",
    "%{optional(atom()) => term()}",
    "%{required(:a) => integer(), b: String.t()}",
    "%{}",
    "%MapSet{}",
    "%Foo.Bar{a: -1..1}",
    "{}",
    "[]",
    "(integer(), atom() -> any())",
    "(-> :ok)",
    "(... -> :ok)",
    ":queue_ok? | true | false",
  ];

  it("reads the common shapes and prints a canonical type as it was written", () => {
    for (const t of samples) expect(printType(parseType(t)), t).toBe(t);
  });

  it("prints in mix format spacing", () => {
    const cases: [written: string, canonical: string][] = [
      ["{ :ok,pid() }|{:error ,  :timeout}", "{:ok, pid()} | {:error, :timeout}"],
      ["%{ required( :a )=>integer( ),b:  String . t()}", "%{required(:a) => integer(), b: String.t()}"],
      ["[ atom( ) , ... ]", "[atom(), ...]"],
      ["(  ->:ok )", "(-> :ok)"],
      ["( ...->:ok )", "(... -> :ok)"],
      ["(integer(),atom()->any())", "(integer(), atom() -> any())"],
      ["% Foo . Bar { a: - 1 .. 1 }", "%Foo.Bar{a: -1..1}"],
    ];
    for (const [written, canonical] of cases) expect(canonicalType(written), written).toBe(canonical);
  });
});

describe("type problems", () => {
  it("says where the problem is", () => {
    expect(problem(() => parseType("   "))).toEqual({ message: "empty type", at: 0, length: 1 });
    expect(problem(() => parseType("integer"))).toEqual({
      message: "`integer` is not a type; did you mean `integer()`?",
      at: 0,
      length: 7,
    });
    expect(problem(() => parseType("{unquote(x)}"))).toEqual({ message: "`unquote` is not allowed in a type", at: 1, length: 7 });
    expect(problem(() => parseType('String.t("#{x}")'))).toEqual({
      message: "string interpolation `#{...}` is not allowed",
      at: 10,
      length: 2,
    });
    expect(problem(() => parseType("%{a: atom(), :b => atom()}"))).toMatchObject({
      message: "unexpected `:b`, expected a `key:` (keyword pairs must come last)",
      at: 13,
    });
    expect(problem(() => parseType("(atom(), atom())"))).toEqual({
      message: "a parenthesised type holds exactly one type",
      at: 16,
      length: 1,
    });
    expect(problem(() => parseType("(... atom())"))).toMatchObject({ message: "unexpected `atom`, expected `->`", at: 5 });
    expect(problem(() => parseType("System.halt() | x"))).toMatchObject({ at: 16 });
  });
});

describe("canonicalTerm", () => {
  it("prints literal terms in canonical spacing", () => {
    expect(canonicalTerm("{ Task.Supervisor,name:  Flat.Plain }")).toBe("{Task.Supervisor, name: Flat.Plain}");
    expect(canonicalTerm('[ :a, - 1, 2.5, "s", nil, %{ :k=>1, b: [] } ]')).toBe('[:a, -1, 2.5, "s", nil, %{:k => 1, b: []}]');
  });

  it("rejects calls and misplaced keywords", () => {
    expect(problem(() => canonicalTerm("System.halt()"))).toMatchObject({ message: "unexpected `.`, expected end of term", at: 6 });
    expect(problem(() => canonicalTerm("[a: 1, :b]"))).toMatchObject({
      message: "unexpected `:b`, expected a `key:` (keyword pairs must come last)",
      at: 7,
    });
  });
});
