/**
 * The nastiest text the validator accepts, in every field that accepts text, through a real build: the generated
 * project (after the formatter pass `otpiser generate` makes) passes `mix format --check-formatted`,
 * `mix compile --warnings-as-errors` and `mix test` (no warning), and
 * an added test reads every text back at run time — the app's description, the moduledocs, a state default, the
 * cluster query, an external child's options — equal to what the manifest says, with no payload run.
 * The names are Elixir keywords the id pattern accepts (`end`, `when`, `do`).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { elixirString } from "../../src/elixir/escape.js";
import { tomlString } from "../../src/plan/deploy/escape.js";
import { formatElixirFiles } from "../../src/toolchain/elixir-format.js";
import { checkToml, mix, planApp, runTests, track, trackDirs, writePlan } from "../plan/mix-helpers.js";
import { PWNED_FILE } from "./payloads.js";

trackDirs();

/** One text holding a payload for every format, line by line. */
const NASTY = [
  'say "hi" to "#{Pwned.boom()}" and \\#{not.this}',
  "'''",
  '"""',
  '  """ indented',
  "end",
  "defmodule Pwned do",
  "<%= Pwned.boom() %> <% x %>",
  "C:\\path\\n trailing \\",
  "bidi \u202Eevil\u2066 and a line separator \u2028 here",
  `$(touch ${PWNED_FILE}) \`touch ${PWNED_FILE}\` \${HOME} %n %% '' \${x}`,
  "```",
  "<script>alert(1)</script>",
  "\ttab\r\nCRLF",
  "🎉 ünïcødé: yes, null, &anchor *alias, !!python/object",
].join("\n");

/** The text as an @moduledoc heredoc keeps it: `\r\n` read as a line break, trailing blanks dropped. */
const HEREDOC = NASTY.replace(/\r\n?/g, "\n").split("\n").map((l) => l.replace(/[ \t]+$/, "")).join("\n");

/** Elixir source inside a string literal of an external child spec (the user writes Elixir there), and its value. */
const CODE_SOURCE = String.raw`say \"hi\" \#{Pwned.boom()} ''' \"\"\" <%= x %> \\ \u202E \u{1F389} $(touch x) end \x41`;
const CODE_VALUE = 'say "hi" #{Pwned.boom()} \'\'\' """ <%= x %> \\ \u202E 🎉 $(touch x) end A';

const MANIFEST = `
[app]
name = "ledger"
description = ${tomlString(NASTY)}

[services.end]
doc = ${tomlString(NASTY)}
uses = [${tomlString(NASTY)}]

[services.end.state]
label = { type = "String.t()", default = ${tomlString(NASTY)} }

[services.when]
depends_on = ["end"]

[services.registry]
kind = "external"
type = "supervisor"
child_spec = ${tomlString(`{Registry, keys: :unique, name: Ledger.Names, meta: [note: "${CODE_SOURCE}"]}`)}

[groups.do]
members = ["when"]
doc = ${tomlString(NASTY)}

[cluster]
discovery = "dns"
query = ${tomlString(NASTY)}
`;

const READ_BACK = `defmodule Ledger.InjectionTest do
  use ExUnit.Case, async: false

  @text ${elixirString(NASTY)}
  @heredoc ${elixirString(HEREDOC)}
  @code ${elixirString(CODE_VALUE)}

  defp moduledoc(module) do
    {:docs_v1, _, _, _, %{"en" => doc}, _, _} = Code.fetch_docs(module)
    doc
  end

  test "the app's description is the manifest's" do
    assert Application.spec(:ledger, :description) == String.to_charlist(@text)
  end

  test "moduledocs hold the docs as written" do
    assert moduledoc(Ledger.End) =~ @heredoc
    assert moduledoc(Ledger.Do) =~ @heredoc
  end

  test "a state default, the cluster query and an external child's option are the texts" do
    assert :sys.get_state(Ledger.End).label == @text
    assert Application.get_env(:ledger, Ledger.Cluster)[:query] == @text
    assert Registry.meta(Ledger.Names, :note) == {:ok, @code}
  end

  test "no payload ran" do
    refute Code.ensure_loaded?(Pwned)
    refute File.exists?(${elixirString(PWNED_FILE)})
  end
end
`;

describe("injection: a generated project with every accepted text field full of payloads", () => {
  it("formats, compiles without a warning, passes its tests and reads every text back", { timeout: 300_000 }, async () => {
    const app = checkToml(MANIFEST);
    // As `otpiser generate` does: long texts make lines the formatter would break, so the plan goes through it.
    const formatted = await formatElixirFiles(planApp(app).files);
    expect(formatted.formatted, formatted.reason).toBe(true);
    const dir = track(writePlan({ ...planApp(app), files: formatted.files }, "injection"));
    const format = await mix(dir, ["format", "--check-formatted"]);
    expect(format.exitCode, format.output).toBe(0);
    writeFileSync(join(dir, "test", "injection_test.exs"), READ_BACK);
    const compile = await mix(dir, ["compile", "--warnings-as-errors"]);
    expect(compile.exitCode, compile.output).toBe(0);
    expect(compile.output).not.toMatch(/warning:/);
    // The three-node cluster test boots peer nodes: slow, and nothing in it reads a manifest text.
    await runTests(dir, ["--exclude", "cluster"]);
    // and the read-back test did run, all of it
    const readBack = await runTests(dir, ["test/injection_test.exs"]);
    expect(readBack.summary).toMatch(/^4 tests, 0 failures$/);
  });
});
