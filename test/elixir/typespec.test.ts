import { describe, expect, it } from "vitest";
import { parseType } from "../../src/manifest/elixir-syntax.js";
import { admitsNil, initialValue, isFloatType, replyPlaceholder } from "../../src/elixir/typespec.js";

describe("replyPlaceholder", () => {
  const reply = (t: string): string => replyPlaceholder(t).expr;

  it("prefers :ok where the type allows it", () => {
    expect(reply("term()")).toBe(":ok");
    expect(reply("any()")).toBe(":ok");
    expect(reply(":ok")).toBe(":ok");
    expect(reply(":ok | {:error, term()}")).toBe(":ok");
    expect(reply("atom()")).toBe(":ok");
  });

  it("falls back on the error member", () => {
    expect(reply("{:ok, pid()} | {:error, :timeout}")).toBe("{:error, :timeout}");
    expect(reply("{:ok, term()} | {:error, term()}")).toBe("{:error, :not_implemented}");
    expect(reply("{:ok, term()} | {:error, atom()}")).toBe("{:error, :not_implemented}");
  });

  it("builds the simplest value otherwise", () => {
    expect(reply("non_neg_integer()")).toBe("0");
    expect(reply("pos_integer()")).toBe("1");
    expect(reply("boolean()")).toBe("false");
    expect(reply("String.t()")).toBe('""');
    expect(reply("[atom()]")).toBe("[]");
    expect(reply("[atom(), ...]")).toBe("[:ok]");
    expect(reply("%{optional(atom()) => term()}")).toBe("%{}");
    expect(reply("%{count: integer(), name: String.t() | nil}")).toBe("%{count: 0, name: nil}");
    expect(reply("{:ok, term()} | :miss")).toBe(":miss");
    expect(reply("{:ok, term()}")).toBe("{:ok, nil}");
    expect(reply(":idle | :busy")).toBe(":idle");
    expect(reply("pid() | nil")).toBe("nil");
    expect(reply("1..10")).toBe("1");
    expect(reply("pid()")).toBe("self()");
  });

  it("says when nothing fits", () => {
    expect(replyPlaceholder("DateTime.t()")).toMatchObject({ expr: "{:error, :not_implemented}", fallback: true });
    expect(replyPlaceholder("%Payments.User{}").fallback).toBe(true);
    expect(replyPlaceholder("(-> :ok)").fallback).toBe(true);
    expect(replyPlaceholder("not a type {").fallback).toBe(true);
    // a type name that is also an Object.prototype property is not a built-in
    expect(replyPlaceholder("constructor()").fallback).toBe(true);
  });

  it("gives patterns for non-literal parts", () => {
    expect(replyPlaceholder("{:ok, pid()}")).toMatchObject({ expr: "{:ok, self()}", pattern: "{:ok, _}", constant: false });
  });
});

describe("initialValue", () => {
  it("derives state defaults from types", () => {
    expect(initialValue("non_neg_integer()")).toBe("0");
    expect(initialValue("integer()")).toBe("0");
    expect(initialValue("String.t() | nil")).toBe("nil");
    expect(initialValue("String.t()")).toBe('""');
    expect(initialValue("boolean()")).toBe("false");
    expect(initialValue("list(term())")).toBe("[]");
    expect(initialValue("map()")).toBe("%{}");
    expect(initialValue("%{optional(atom()) => pid()}")).toBe("%{}");
    expect(initialValue("MapSet.t()")).toBe("MapSet.new()");
    expect(initialValue("term()")).toBe("nil");
    expect(initialValue("atom()")).toBe("nil");
    expect(initialValue("pid()")).toBe("nil");
    expect(initialValue("reference() | nil")).toBe("nil");
    expect(initialValue("DateTime.t()")).toBe("nil");
    expect(initialValue("float()")).toBe("0.0");
  });

  it("knows nil-able and float types", () => {
    expect(admitsNil(parseType("String.t() | nil")!)).toBe(true);
    expect(admitsNil(parseType("String.t()")!)).toBe(false);
    expect(isFloatType("float()")).toBe(true);
    expect(isFloatType("number()")).toBe(false);
  });
});
