/**
 * End to end: plan a project from a hand-built manifest and topology, write it with plain fs, and run
 * `mix compile --warnings-as-errors`, `mix format --check-formatted` and `mix test` on it for real.
 * Each fixture is generated once; its three mix commands share one `_build` (MIX_ENV=test throughout).
 */
import { describe, expect, it } from "vitest";
import { longNamesApp, shopApp, soloApp } from "./fixtures.js";
import { type App, planApp, proveProject, trackDirs } from "./mix-helpers.js";

trackDirs();

/** Added after the format check: proves the adversarial moduledoc stayed text (the compile would have halted otherwise). */
const DOCS_TEST = `defmodule OtpiserDocsTest do
  use ExUnit.Case, async: true

  test "the moduledoc is the manifest's text, not code" do
    {:docs_v1, _, :elixir, _, %{"en" => doc}, _, _} = Code.fetch_docs(Solo.Counter)
    assert doc =~ ~S|A doc with #{System.halt()} must stay text, as must """ and \\ and "quotes".|
  end
end
`;

async function generateAndCheck(name: string, fixture: App, extraTests: Record<string, string> = {}) {
  const plan = planApp(fixture);
  const { test } = await proveProject(plan, name, { extraTests });
  return { plan, test };
}

describe("generated projects compile, are formatted and pass their tests", () => {
  it.concurrent(
    "a one-service app",
    async () => {
      const { test } = await generateAndCheck("solo", soloApp(), { "test/otpiser_docs_test.exs": DOCS_TEST });
      // 1 initial-state test + value/0 + bump/1 + :tick + code_change, 1 supervision test, 3 lifecycle and 3 telemetry
      // shim tests, 2 shutdown tests, the docs check, and the 11 tests of the chaos task.
      expect(test.output).toMatch(/\b26 tests, 0 failures\b/);
    },
    120_000,
  );

  it.concurrent(
    "a rest_for_one chain, a one_for_one group, a computed sub-supervisor, registry, task/dynamic supervisors, a step and an external",
    async () => {
      const { plan, test } = await generateAndCheck("shop", shopApp());
      const paths = plan.files.map((f) => f.path);
      expect(paths).toContain("test/shop/core_chain_test.exs");
      expect(paths).toContain("test/shop/application_test.exs");
      expect(test.output).toMatch(/\b\d+ tests, 0 failures\b/);
    },
    120_000,
  );

  it.concurrent(
    "long names everywhere stay formatted",
    async () => {
      await generateAndCheck("long", longNamesApp());
    },
    120_000,
  );
});
