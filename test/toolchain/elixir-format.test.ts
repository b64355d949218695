import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlannedFile } from "../../src/plan/types.js";
import { ElixirFormatError, formatElixirFiles } from "../../src/toolchain/elixir-format.js";
import { findExecutable } from "../../src/toolchain/find-executable.js";

const hasElixir = (await findExecutable("elixir")) !== undefined && (await findExecutable("mix")) !== undefined;

const MIX_EXS = `defmodule Probe.MixProject do
  use Mix.Project

  def project do
    [app: :probe, version: "0.1.0"]
  end
end
`;
// What `mix new` generates: the configuration the formatter pass must match.
const FORMATTER_EXS = `# Used by "mix format"
[
  inputs: ["{mix,.formatter}.exs", "{config,lib,test}/**/*.{ex,exs}"]
]
`;

const ugly: PlannedFile[] = [
  { path: "lib/probe.ex", content: "defmodule Probe do\ndef  f( x ),do: x\nend", ownership: "owned" },
  {
    path: "lib/probe/long.ex",
    content:
      "defmodule Probe.Long do\n  @type t :: %{required(:name) => String.t(), optional(:children) => [t()], optional(:restart) => :permanent | :transient | :temporary}\n  def g(a,b),   do: {a,   b}\nend\n",
    ownership: "user",
  },
  // 100 columns once formatted: over the default line_length of 98, under any "generous" custom one.
  { path: "lib/probe/wide.ex", content: "defmodule Probe.Wide do\n  def h, do: Enum.zip([:argument_one, :argument_two, :argument_three], [:value_one, :value_two, :v3])\nend\n", ownership: "owned" },
  { path: "config/config.exs", content: "import Config\nconfig :probe,key: [a: 1,b: 2]\n", ownership: "owned" },
  { path: "README.md", content: "def  f( x ),do: x\n", ownership: "owned" },
  { path: "test/empty.exs", content: "", ownership: "owned" },
];

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "otpiser-format-test-"));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** A throwaway mix project holding `files`; returns `mix format --check-formatted`'s exit code. */
async function checkFormatted(files: PlannedFile[]): Promise<{ exitCode: number | undefined; output: string }> {
  const dir = await fs.mkdtemp(path.join(tmp, "proj-"));
  await fs.writeFile(path.join(dir, "mix.exs"), MIX_EXS);
  await fs.writeFile(path.join(dir, ".formatter.exs"), FORMATTER_EXS);
  for (const f of files) {
    await fs.mkdir(path.dirname(path.join(dir, f.path)), { recursive: true });
    await fs.writeFile(path.join(dir, f.path), f.content);
  }
  const r = await execa("mix", ["format", "--check-formatted"], { cwd: dir, reject: false, all: true });
  return { exitCode: r.exitCode, output: r.all ?? "" };
}

describe.skipIf(!hasElixir)("formatElixirFiles with Elixir installed", () => {
  it("formats badly spaced Elixir and leaves other files alone", async () => {
    const r = await formatElixirFiles(ugly);
    expect(r.formatted).toBe(true);
    expect(r.reason).toBeUndefined();
    expect(r.files.map((f) => f.path)).toEqual(ugly.map((f) => f.path));
    expect(r.files[0]!.content).toBe("defmodule Probe do\n  def f(x), do: x\nend\n");
    // Past line_length 98, so it is broken across lines.
    expect(r.files[1]!.content).toContain("  @type t :: %{\n");
    expect(r.files[1]!.content).toContain("def g(a, b), do: {a, b}\n");
    expect(r.files[1]!.ownership).toBe("user");
    expect(r.files[2]!.content).toContain("  def h,\n    do:");
    expect(r.files[3]!.content).toBe("import Config\nconfig :probe, key: [a: 1, b: 2]\n");
    expect(r.files[4]).toBe(ugly[4]); // Markdown: untouched, same object
    expect(r.files[5]!.content).toBe(""); // mix format keeps an empty file empty
    expect(r.changed).toEqual(["config/config.exs", "lib/probe.ex", "lib/probe/long.ex", "lib/probe/wide.ex"]);
    expect(ugly[0]!.content).toBe("defmodule Probe do\ndef  f( x ),do: x\nend"); // input not mutated
  });

  it("produces exactly what `mix format --check-formatted` accepts (and the raw input is rejected)", async () => {
    const raw = await checkFormatted(ugly);
    expect(raw.exitCode).not.toBe(0);
    expect(raw.output).toContain("lib/probe.ex");

    const r = await formatElixirFiles(ugly);
    const checked = await checkFormatted(r.files);
    expect(checked.output).toBe("");
    expect(checked.exitCode).toBe(0);
  });

  it("is idempotent: already formatted input comes back byte-identical and is not reported as changed", async () => {
    const once = await formatElixirFiles(ugly);
    const twice = await formatElixirFiles(once.files);
    expect(twice.files.map((f) => f.content)).toEqual(once.files.map((f) => f.content));
    expect(twice.changed).toEqual([]);
  });

  it("rejects Elixir that does not parse with a typed error naming every broken file and Elixir's message", async () => {
    const broken: PlannedFile[] = [
      { path: "lib/ok.ex", content: "defmodule Ok do\nend\n", ownership: "owned" },
      { path: "lib/broken.ex", content: "defmodule Broken do\n  def f(x) do\n    x\n", ownership: "owned" },
      { path: "lib/also_broken.exs", content: '"unterminated', ownership: "owned" },
    ];
    const err = await formatElixirFiles(broken).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ElixirFormatError);
    const e = err as ElixirFormatError;
    expect(e.failures.map((f) => f.path)).toEqual(["lib/also_broken.exs", "lib/broken.ex"]);
    expect(e.path).toBe("lib/also_broken.exs");
    expect(e.failures[1]!.exception).toBe("TokenMissingError");
    expect(e.failures[1]!.message).toMatch(/^lib\/broken\.ex:\d+:\d+: missing terminator: end/);
    expect(e.message).toContain("lib/also_broken.exs");
  });

  it("handles non-ASCII content and odd file names", async () => {
    const files: PlannedFile[] = [
      { path: "lib/ünïcode name.ex", content: 'defmodule U do\n  def s, do:   "héllo ✓"\nend\n', ownership: "owned" },
    ];
    const r = await formatElixirFiles(files);
    expect(r.files[0]!.content).toBe('defmodule U do\n  def s, do: "héllo ✓"\nend\n');
  });

  it("boots the BEAM once for all files", async () => {
    // A wrapper `elixir` that counts its invocations, then runs the real one.
    const real = (await findExecutable("elixir"))!;
    const bin = await fs.mkdtemp(path.join(tmp, "bin-"));
    const counter = path.join(bin, "count");
    await fs.writeFile(path.join(bin, "elixir"), `#!/bin/sh\necho x >> '${counter}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
    const many: PlannedFile[] = Array.from({ length: 40 }, (_, i) => ({
      path: `lib/m${i}.ex`,
      content: `defmodule M${i} do\ndef  f( x ),do: x\nend\n`,
      ownership: "owned",
    }));
    const r = await formatElixirFiles(many, { env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}` } });
    expect(r.formatted).toBe(true);
    expect(r.changed).toHaveLength(40);
    expect((await fs.readFile(counter, "utf8")).trim().split("\n")).toHaveLength(1);
  });

  it("leaves nothing behind in the temp directory", async () => {
    const before = (await fs.readdir(os.tmpdir())).filter((n) => n.startsWith("otpiser-format-") && !tmp.endsWith(n));
    await formatElixirFiles(ugly);
    await formatElixirFiles([{ path: "lib/x.ex", content: "def (", ownership: "owned" }]).catch(() => undefined);
    const after = (await fs.readdir(os.tmpdir())).filter((n) => n.startsWith("otpiser-format-") && !tmp.endsWith(n));
    expect(after.sort()).toEqual(before.sort());
  });
});

describe("formatElixirFiles without Elixir", () => {
  it("returns the files unchanged with formatted: false and a reason when elixir is not on PATH", async () => {
    const r = await formatElixirFiles(ugly, { env: { ...process.env, PATH: "" } });
    expect(r.formatted).toBe(false);
    expect(r.reason).toMatch(/elixir.*not found on PATH/);
    expect(r.files).toEqual(ugly);
    expect(r.changed).toEqual([]);
  });

  it("also when PATH is emptied in the process environment itself", async () => {
    const saved = process.env.PATH;
    process.env.PATH = "";
    try {
      const r = await formatElixirFiles(ugly);
      expect(r.formatted).toBe(false);
      expect(r.files).toEqual(ugly);
    } finally {
      process.env.PATH = saved;
    }
  });

  it("reports a broken toolchain (elixir found but failing) as not formatted, not as a crash", async () => {
    const bin = await fs.mkdtemp(path.join(tmp, "badbin-"));
    await fs.writeFile(path.join(bin, "elixir"), "#!/bin/sh\necho 'erl: not found' >&2\nexit 127\n", { mode: 0o755 });
    const r = await formatElixirFiles(ugly, { env: { PATH: bin } });
    expect(r.formatted).toBe(false);
    expect(r.reason).toContain("erl: not found");
    expect(r.files).toEqual(ugly);
  });

  it("does not need Elixir when there is no Elixir file", async () => {
    const md: PlannedFile[] = [{ path: "README.md", content: "# hi\n", ownership: "owned" }];
    const r = await formatElixirFiles(md, { env: { PATH: "" } });
    expect(r).toMatchObject({ formatted: true, files: md, changed: [] });
  });
});
