import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { call, defHead, defstruct, list, splitTopLevel, statement, structType, typespec, verticalList, wrapText } from "../../src/elixir/layout.js";
import { modulePath, testPath, underscore } from "../../src/elixir/naming.js";
import { tidyElixir } from "../../src/elixir/tidy.js";

describe("naming", () => {
  it("underscores like Macro.underscore", () => {
    expect(underscore("Payments.DbPool")).toBe("payments/db_pool");
    expect(underscore("HTTPClient")).toBe("http_client");
    expect(underscore("Payments.HTTP.V2")).toBe("payments/http/v2");
    expect(underscore("Foo2Bar")).toBe("foo2_bar");
    expect(underscore("ABC")).toBe("abc");
    expect(modulePath("Shop.CoreChain")).toBe("lib/shop/core_chain.ex");
    expect(testPath("Shop.CoreChain")).toBe("test/shop/core_chain_test.exs");
  });
});

describe("layout", () => {
  it("keeps short things on one line", () => {
    expect(call(4, "Supervisor.init", ["children", "strategy: :one_for_one"], { keywordsFrom: 1 })).toBe(
      "    Supervisor.init(children, strategy: :one_for_one)",
    );
    expect(typespec(2, "spec", "get", ["key :: term()"], "term()")).toBe("  @spec get(key :: term()) :: term()");
    expect(defstruct(2, [])).toBe("  defstruct []");
    expect(structType(2, [])).toBe("  @type t :: %__MODULE__{}");
  });

  it("breaks long things like mix format", () => {
    const kw = ["strategy: :rest_for_one", "max_restarts: 10_000", "max_seconds: 10_000", "extra_option: :something"];
    expect(call(4, "Supervisor.init", ["children", ...kw], { keywordsFrom: 1 })).toBe(
      ["    Supervisor.init(children,", ...kw.map((k, i) => `      ${k}${i < 3 ? "," : ""}`), "    )"].join("\n"),
    );
    const returns = "{:ok, pid()} | {:error, :timeout} | {:error, :something_very_long_here} | :ok";
    expect(typespec(2, "spec", "checkout2", ["timeout :: term()"], returns)).toBe(
      `  @spec checkout2(timeout :: term()) ::\n          ${returns}`,
    );
    expect(typespec(2, "spec", "x", [], `${returns} | :another_thing_here`).split("\n")).toHaveLength(6);
    expect(list(4, "opts = ", ["a: 1"])).toBe("    opts = [a: 1]");
    const head = defHead(2, "def", "handle_call", [
      "{:checkout, _timeout, _other_long_argument, _third_argument, _and_more}",
      "_from",
      "state",
    ]);
    expect(head).toBe(
      "  def handle_call(\n        {:checkout, _timeout, _other_long_argument, _third_argument, _and_more},\n        _from,\n        state\n      ) do",
    );
  });

  it("splits at the top level only", () => {
    expect(splitTopLevel("{:a | :b} | [c | d] | %{x => y}", "|")).toEqual(["{:a | :b}", "[c | d]", "%{x => y}"]);
  });

  it("wraps prose without breaking code spans", () => {
    const lines = wrapText("aaa `handle_continue(:init, state)` bbb", 20);
    expect(lines).toContain("`handle_continue(:init, state)`");
  });
});

describe("tidyElixir", () => {
  it("normalises blank lines outside heredocs only", () => {
    const src = ["defmodule A do", "", '  @moduledoc """', "  x do", "", "", "  y", '  """', "", "", "  def a do", "", "    :ok", "", "  end", "", "end", "", ""].join(
      "\n",
    );
    expect(tidyElixir(src)).toBe(
      ["defmodule A do", '  @moduledoc """', "  x do", "", "", "  y", '  """', "", "  def a do", "    :ok", "  end", "end", ""].join("\n"),
    );
  });
});

describe("layout agrees with mix format", () => {
  it("for short and long variants of every shape", async () => {
    const long = "a_rather_long_identifier_that_takes_room";
    const fields = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ key: `field_${i}:`, value: `"${"x".repeat(i * 4)}"`, type: "String.t() | nil" }));
    const struct = (name: string, n: number) =>
      [`defmodule ${name} do`, defstruct(2, fields(n)), "", structType(2, fields(n)), "end", ""].join("\n");
    const body = [
      struct("Short", 2),
      struct("Long", 5),
      "defmodule LayoutCheck do",
      typespec(2, "spec", "short", ["x :: term()"], ":ok"),
      typespec(2, "spec", "medium", ["x :: term()"], "{:ok, pid()} | {:error, :timeout} | {:error, :something_very_long_here} | :ok"),
      typespec(2, "spec", "many", Array.from({ length: 5 }, (_, i) => `${long}_${i} :: term()`), ":ok"),
      typespec(2, "spec", "union", [], Array.from({ length: 6 }, (_, i) => `{:error, :${long}_${i}}`).join(" | ")),
      defHead(2, "def", "short", ["x"]),
      statement(call(4, "GenServer.call", ["__MODULE__", "{:short, x}"])),
      "  end",
      "",
      defHead(2, "def", "long", [{ tuple: [":long", `_${long}`, `_${long}_2`] }, "_from", "state"]),
      statement(call(4, "GenServer.call", ["__MODULE__", { tuple: [":long", long, `${long}_2`] }])),
      statement(call(4, "Supervisor.init", ["children", "strategy: :rest_for_one", "max_restarts: 10_000", "max_seconds: 10_000", "extra: 1"], { keywordsFrom: 1 })),
      statement(call(4, "DynamicSupervisor.init", ["strategy: :one_for_one", "max_children: 100", `extra_arguments: [:${long}]`], { keywordsFrom: 0 })),
      statement(list(4, "opts = ", ["strategy: :one_for_one", "max_restarts: 3", "max_seconds: 5", `name: ${long}`])),
      statement(list(4, "short = ", ["a: 1"])),
      statement(verticalList(4, "children = ", ["A", "B"])),
      "    {opts, short, children}",
      "  end",
      "end",
    ].join("\n");
    const source = tidyElixir(body);
    const dir = mkdtempSync(join(tmpdir(), "otpiser-layout-"));
    writeFileSync(join(dir, "layout_check.ex"), source);
    const result = await execa("mix", ["format", "--check-formatted", "layout_check.ex"], { cwd: dir, reject: false, all: true });
    if (result.exitCode !== 0) {
      await execa("mix", ["format", "layout_check.ex"], { cwd: dir, reject: false });
      const { stdout } = await execa("diff", ["-u", "-", join(dir, "layout_check.ex")], { input: source, reject: false });
      rmSync(dir, { recursive: true, force: true });
      expect.fail(`not formatted:\n${stdout}`);
    }
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);
});
