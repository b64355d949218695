import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { contents, listing } from "../writer/helpers.js";
import { mix, otpiser, tempDir } from "../helpers/cli.js";

/**
 * Regeneration that keeps the user's edits, through the built CLI: a generated GenServer is filled in, the manifest
 * changes what otpiser generates for that same file, and `generate` merges the two three ways (base: the bytes it
 * wrote last time, in .otpiser/base). Plus `generate --check`, the CI drift check. `--no-format` keeps runs short
 * where the formatter is not the point; the one test with a real mix run formats, like a user's run.
 */
const v1 = `[app]\nname = "shop"\n\n[services.config]\n\n[services.cache]\n\n[[services.cache.calls]]\nname = "lookup"\nargs = ["key"]\nreturns = "term()"\n`;
// Changes cache.ex in its moduledoc and on its `use GenServer` line, nowhere near handle_call.
const v2 = v1.replace("[services.cache]\n", '[services.cache]\ndepends_on = ["config"]\nshutdown_ms = 10_000\n');
// And again, elsewhere in the moduledoc (a doc line for the service).
const v3 = v2.replace("[services.cache]\n", '[services.cache]\ndoc = "Caches lookups."\n');

const CACHE = join("lib", "shop", "cache.ex");

/** The user fills in the generated placeholder: a struct field and a real reply. */
function fillIn(generated: string): string {
  const filled = generated
    .replace("defstruct []", "defstruct entries: %{}")
    .replace("def handle_call({:lookup, _key}, _from, state) do\n    {:reply, :ok, state}", "def handle_call({:lookup, key}, _from, state) do\n    {:reply, Map.get(state.entries, key), state}");
  expect(filled, "the generated GenServer no longer has the placeholders this test fills in").not.toBe(generated);
  return filled;
}

async function project(manifest = v1, format = false): Promise<{ dir: string; m: string; file: string; gen: (...args: string[]) => ReturnType<typeof otpiser> }> {
  const dir = await tempDir();
  const m = join(dir, "otpiser.toml");
  await writeFile(m, manifest);
  const gen = (...args: string[]) => otpiser(["generate", "-m", m, ...(format ? [] : ["--no-format"]), ...args]);
  const first = await gen();
  expect(first.exitCode, first.stderr).toBe(0);
  return { dir, m, file: join(dir, CACHE), gen };
}

describe("generate: three-way merge of edited files", { timeout: 120_000 }, () => {
  it("merges a filled-in GenServer with a manifest change to the same file, and the project still compiles", async () => {
    const { dir, m, file, gen } = await project(v1, true);
    const filled = fillIn(await readFile(file, "utf8"));
    await writeFile(file, filled);
    await writeFile(m, v2);

    const r = await gen();
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^merge\s+lib\/shop\/cache\.ex$/m);
    expect(r.stdout).toMatch(/^create\s+lib\/shop\/config_chain\.ex$/m);
    expect(r.stderr).toContain("1 merged with your edits");
    const merged = await readFile(file, "utf8");
    // The user's edits...
    expect(merged).toContain("defstruct entries: %{}");
    expect(merged).toContain("{:reply, Map.get(state.entries, key), state}");
    // ...and the new generation's.
    expect(merged).toContain("use GenServer, shutdown: 10_000");
    expect(merged).toContain("Depends on `Shop.Config` (`depends_on`)");
    expect(merged).not.toMatch(/^(<{7}|>{7})/m);
    // The base is now the new generation, byte for byte what a fresh run writes.
    const fresh = await tempDir();
    await writeFile(join(fresh, "otpiser.toml"), v2);
    expect((await otpiser(["generate", "-m", join(fresh, "otpiser.toml")])).exitCode).toBe(0);
    expect(await readFile(join(dir, ".otpiser", "base", CACHE), "utf8")).toBe(await readFile(join(fresh, CACHE), "utf8"));

    const compile = await mix(dir, ["compile", "--warnings-as-errors"]);
    expect(compile.exitCode, String(compile.all)).toBe(0);

    // Merging again with a later change keeps the edits merged so far.
    await writeFile(m, v3);
    const again = await gen();
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^merge\s+lib\/shop\/cache\.ex$/m);
    const twice = await readFile(file, "utf8");
    expect(twice).toContain("Caches lookups.");
    expect(twice).toContain("{:reply, Map.get(state.entries, key), state}");
    expect(twice).toContain("use GenServer, shutdown: 10_000");
  });

  it("writes conflict markers for overlapping edits (exit 3, listed), then refuses the file until it is resolved", async () => {
    const { dir, m, file, gen } = await project();
    const mine = (await readFile(file, "utf8")).replace("  use GenServer\n", "  use GenServer, restart: :transient\n");
    await writeFile(file, mine);
    await writeFile(m, v2);

    const r = await gen("--json");
    expect(r.exitCode).toBe(3);
    const report = JSON.parse(r.stdout) as { ok: boolean; status: string; merge_conflicts: unknown[]; files: Array<{ path: string; action: string }> };
    expect(report).toMatchObject({ ok: false, status: "written", merge_conflicts: [{ path: "lib/shop/cache.ex", hunks: 1 }] });
    expect(report.files).toContainEqual({ path: "lib/shop/cache.ex", action: "merge-conflict", ownership: "owned", conflict_hunks: 1 });
    // The rest of the change is written.
    expect(existsSync(join(dir, "lib", "shop", "config_chain.ex"))).toBe(true);
    const marked = await readFile(file, "utf8");
    expect(marked).toContain(
      "<<<<<<< yours\n  use GenServer, restart: :transient\n||||||| generated (previous)\n  use GenServer\n=======\n" +
        "  use GenServer, shutdown: 10_000\n>>>>>>> generated (new)\n",
    );
    // Clean hunks of the same file are merged as usual.
    expect(marked).toContain("Depends on `Shop.Config` (`depends_on`)");

    // Rerun without resolving (same manifest, then a further change): refused, nothing written, markers kept.
    const before = contents(await listing(dir));
    const refused = await gen();
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toMatch(/^CONFLICT\s+lib\/shop\/cache\.ex$/m);
    expect(refused.stderr).toContain("lib/shop/cache.ex (still has conflict markers)");
    expect(refused.stderr).toContain("Resolve the conflict markers");
    await writeFile(m, v3);
    expect((await gen()).exitCode).toBe(1);
    await writeFile(m, v2);
    expect(contents(await listing(dir))).toEqual(before);

    // Resolved by hand: kept as the user's version from then on.
    await writeFile(file, marked.replace(/<<<<<<< yours\n[^]*?>>>>>>> generated \(new\)\n/, "  use GenServer, restart: :transient, shutdown: 10_000\n"));
    const resolved = await gen();
    expect(resolved.exitCode, resolved.stderr).toBe(0);
    expect(resolved.stderr).toContain("is up to date");
    expect((await gen("--check")).exitCode).toBe(0);
  });

  it("the text report lists merge conflicts with what to do, and --no-merge refuses instead of merging", async () => {
    const { m, file, gen } = await project();
    const mine = (await readFile(file, "utf8")).replace("  use GenServer\n", "  use GenServer, restart: :transient\n");
    await writeFile(file, mine);
    await writeFile(m, v2);

    const off = await gen("--no-merge");
    expect(off.exitCode).toBe(1);
    expect(off.stderr).toContain("lib/shop/cache.ex (edited since generated)");
    expect(await readFile(file, "utf8")).toBe(mine);

    const dry = await gen("--dry-run", "--diff");
    expect(dry.exitCode).toBe(3);
    expect(dry.stdout).toMatch(/^MERGE-CONFLICT\s+lib\/shop\/cache\.ex$/m);
    expect(dry.stdout).toContain("+<<<<<<< yours\n");
    expect(await readFile(file, "utf8")).toBe(mine);

    const r = await gen();
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/^MERGE-CONFLICT\s+lib\/shop\/cache\.ex$/m);
    expect(r.stderr).toContain("1 merged with conflicts");
    expect(r.stderr).toContain("merge conflicts: your edits and otpiser's changes overlap in 1 file(s), written with conflict markers:");
    expect(r.stderr).toContain("  lib/shop/cache.ex (1 conflicting hunk)");
    expect(r.stderr).not.toContain("next: ");
  });

  it("without a merge base (lost, or a project from before bases existed) an edited file is refused, as before", async () => {
    const { dir, m, file, gen } = await project();
    await writeFile(file, fillIn(await readFile(file, "utf8")));
    await rm(join(dir, ".otpiser", "base"), { recursive: true });
    await writeFile(m, v2);
    const r = await gen();
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("lib/shop/cache.ex (edited since generated)");
    expect(r.stderr).toContain("merge base in .otpiser/base");
  });
});

describe("generate --check", { timeout: 60_000 }, () => {
  it("exits 0 when up to date (user edits with nothing new generated included), 4 listing the drift otherwise; writes nothing", async () => {
    const { dir, m, file, gen } = await project();
    const up = await gen("--check");
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/is up to date/);
    expect(up.stdout).toBe("");

    // A filled-in module the manifest does not change: not drift.
    await writeFile(file, fillIn(await readFile(file, "utf8")));
    expect((await gen("--check")).exitCode).toBe(0);

    // The manifest changes: drift, listed, and nothing written.
    await writeFile(m, v2);
    const before = await listing(dir);
    const drift = await gen("--check");
    expect(drift.exitCode).toBe(4);
    expect(drift.stdout).toMatch(/^merge\s+lib\/shop\/cache\.ex$/m);
    expect(drift.stdout).toMatch(/^create\s+lib\/shop\/config_chain\.ex$/m);
    const listed = drift.stdout.trim().split("\n").length;
    expect(drift.stderr).toMatch(new RegExp(`out of date: .*: ${listed} file\\(s\\) would change; run \`otpiser generate\``));
    const j = await gen("--check", "--json");
    expect(j.exitCode).toBe(4);
    const report = JSON.parse(j.stdout) as { ok: boolean; status: string; changes: Array<{ path: string; action: string }> };
    expect(report).toMatchObject({ ok: false, status: "drift" });
    expect(report.changes).toContainEqual({ path: "lib/shop/cache.ex", action: "merged", ownership: "owned" });
    expect(report.changes.every((c) => c.action !== "unchanged" && c.action !== "preserved")).toBe(true);
    expect(await listing(dir)).toEqual(before);

    // Generated: up to date again.
    expect((await gen()).exitCode).toBe(0);
    const after = await gen("--check", "--json");
    expect(after.exitCode).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ ok: true, status: "up-to-date", changes: [] });
  });

  it("counts a removed generated file and a file in the way as drift", async () => {
    const { dir, gen } = await project();
    await rm(join(dir, "lib", "shop", "config.ex"));
    const missing = await gen("--check");
    expect(missing.exitCode).toBe(4);
    expect(missing.stdout).toMatch(/^create\s+lib\/shop\/config\.ex$/m);
    expect((await gen()).exitCode).toBe(0);
    // Without the lock, a file that differs from the generation is not known to be otpiser's.
    await rm(join(dir, ".otpiser", "lock.json"));
    await writeFile(join(dir, "lib", "shop", "config.ex"), "defmodule Shop.Config do\nend\n");
    const untracked = await gen("--check");
    expect(untracked.exitCode).toBe(4);
    expect(untracked.stdout).toMatch(/^CONFLICT\s+lib\/shop\/config\.ex \(not written by otpiser\)$/m);
  });
});
