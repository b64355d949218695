import * as fs from "node:fs/promises";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BaseStoreError } from "../../src/writer/errors.js";
import { parseLock, sha256 } from "../../src/writer/lock.js";
import { writePlan } from "../../src/writer/write.js";
import { ageTree, cleanup, contents, listing, owned, plan, read, scratch, user, write } from "./helpers.js";

const V = { generatorVersion: "0.1.0" };

let tmp: string;
let out: string;
beforeEach(async () => {
  tmp = await scratch();
  out = path.join(tmp, "app");
});
afterEach(async () => cleanup(tmp));

const server = (extra = "") => `defmodule App.Cache do\n  use GenServer${extra}\n\n  def handle_call(:get, _from, s) do\n    {:reply, :ok, s}\n  end\nend\n`;
const v1 = plan(owned("lib/cache.ex", server()), owned("mix.exs", "mix v1\n"), user("lib/impl.ex", "stub\n"));
const v2 = plan(owned("lib/cache.ex", server(", shutdown: 10_000")), owned("mix.exs", "mix v2\n"), user("lib/impl.ex", "stub\n"));
const filledIn = server().replace("{:reply, :ok, s}", "{:reply, s.count, s}");

/** The merge bases on disk, by project path. */
async function bases(): Promise<Record<string, string | undefined>> {
  const all = contents(await listing(out));
  return Object.fromEntries(Object.entries(all).flatMap(([p, c]) => (p.startsWith(".otpiser/base/") ? [[p.slice(".otpiser/base/".length), c]] : [])));
}

/** Every owned lock entry has a base hashing to it, and there is no other base. */
async function expectBasesMatchLock(): Promise<void> {
  const lock = parseLock(await read(out, ".otpiser/lock.json"));
  const b = await bases();
  const ownedEntries = Object.entries(lock.files).filter(([, e]) => e.ownership === "owned");
  expect(Object.keys(b).sort()).toEqual(ownedEntries.map(([p]) => p).sort());
  for (const [p, e] of ownedEntries) expect(sha256(b[p]!), p).toBe(e.sha256);
}

describe("merge bases and merges on disk", () => {
  it("merges a user's edit with a changed generation: merged file on disk, lock and base = the new generation", async () => {
    await writePlan(out, v1, V);
    await write(out, "lib/cache.ex", filledIn);
    const r = await writePlan(out, v2, V);
    expect(r.status).toBe("written");
    expect(Object.fromEntries(r.actions.map((a) => [a.path, a.kind]))).toEqual({ "lib/cache.ex": "merged", "lib/impl.ex": "unchanged", "mix.exs": "update" });
    expect(r.mergeConflicts).toEqual([]);
    const merged = await read(out, "lib/cache.ex");
    expect(merged).toBe(server(", shutdown: 10_000").replace("{:reply, :ok, s}", "{:reply, s.count, s}"));
    expect((await bases())["lib/cache.ex"]).toBe(v2.files[0]!.content);
    await expectBasesMatchLock();
    // Nothing new to bring in: the merged file is the user's and stays.
    await ageTree(out);
    const before = await listing(out);
    const again = await writePlan(out, v2, V);
    expect(again.status).toBe("up-to-date");
    expect(again.actions.find((a) => a.path === "lib/cache.ex")?.kind).toBe("preserved");
    expect(await listing(out)).toEqual(before);
  });

  it("writes conflict markers, commits the rest, then refuses to touch the file until the markers are gone", async () => {
    await writePlan(out, v1, V);
    const mine = server(", restart: :transient");
    await write(out, "lib/cache.ex", mine);
    const r = await writePlan(out, v2, V);
    expect(r.status).toBe("written");
    expect(r.mergeConflicts.map((a) => a.path)).toEqual(["lib/cache.ex"]);
    expect(await read(out, "mix.exs")).toBe("mix v2\n");
    const marked = await read(out, "lib/cache.ex");
    expect(marked).toContain("<<<<<<< yours\n  use GenServer, restart: :transient\n||||||| generated (previous)\n  use GenServer\n=======\n  use GenServer, shutdown: 10_000\n>>>>>>> generated (new)\n");
    await expectBasesMatchLock();

    // Rerun without resolving: refused, nothing written, the markers stay where the user left them.
    await ageTree(out);
    const before = await listing(out);
    const again = await writePlan(out, v2, V);
    expect(again.status).toBe("conflicts");
    expect(again.conflicts.map((a) => [a.path, a.reason])).toEqual([["lib/cache.ex", "unresolved"]]);
    expect(await listing(out)).toEqual(before);

    // Resolved by hand: the user's version is kept from then on.
    await write(out, "lib/cache.ex", server(", restart: :transient, shutdown: 10_000"));
    expect((await writePlan(out, v2, V)).actions.find((a) => a.path === "lib/cache.ex")?.kind).toBe("preserved");
  });

  it("a dry run shows the merge and writes nothing; merge: false refuses as before", async () => {
    await writePlan(out, v1, V);
    await write(out, "lib/cache.ex", filledIn);
    await ageTree(tmp);
    const before = await listing(tmp);
    const dry = await writePlan(out, v2, { ...V, dryRun: true });
    expect(dry.status).toBe("dry-run");
    expect(dry.actions.find((a) => a.path === "lib/cache.ex")?.kind).toBe("merged");
    const off = await writePlan(out, v2, { ...V, merge: false });
    expect(off.conflicts.map((a) => [a.path, a.reason])).toEqual([["lib/cache.ex", "edited"]]);
    expect(await listing(tmp)).toEqual(before);
  });

  it("backfills missing bases (a project from before merging existed) without counting them as changes", async () => {
    await writePlan(out, v1, V);
    await write(out, "lib/cache.ex", filledIn);
    await fs.rm(path.join(out, ".otpiser/base"), { recursive: true });
    const dry = await writePlan(out, v1, { ...V, dryRun: true });
    expect(dry).toMatchObject({ status: "dry-run", basesPending: 2, lockChanged: false });
    const r = await writePlan(out, v1, V);
    expect(r).toMatchObject({ status: "written", filesWritten: 0, basesWritten: 2, lockWritten: false });
    expect(r.actions.find((a) => a.path === "lib/cache.ex")?.kind).toBe("preserved");
    await expectBasesMatchLock();
    expect(await read(out, "lib/cache.ex")).toBe(filledIn);
    // ... so the next manifest change merges.
    expect((await writePlan(out, v2, V)).actions.find((a) => a.path === "lib/cache.ex")?.kind).toBe("merged");
  });

  it("removes the base with its file, when a file is released to the user, and stray bases", async () => {
    await writePlan(out, plan(...v1.files, owned("lib/gone.ex", "g\n"), owned("lib/orphan.ex", "o\n"), owned("lib/switch.ex", "s\n")), V);
    await write(out, "lib/orphan.ex", "o, edited\n");
    await write(out, ".otpiser/base/lib/stray.ex", "not in the lock\n");
    const r = await writePlan(out, plan(...v1.files, user("lib/switch.ex", "s\n")), V);
    expect(r).toMatchObject({ status: "written", basesRemoved: 4 });
    expect(Object.keys(await bases()).sort()).toEqual(["lib/cache.ex", "mix.exs"]);
    await expectBasesMatchLock();
    // Emptied directories of the base store go too.
    await expect(fs.stat(path.join(out, ".otpiser/base/lib/stray.ex"))).rejects.toThrow(/ENOENT/);
  });

  it("refuses a symlink in the base store rather than write through it", async () => {
    await writePlan(out, v1, V);
    await fs.rm(path.join(out, ".otpiser/base/lib"), { recursive: true });
    await fs.symlink(path.join(out, "lib"), path.join(out, ".otpiser/base/lib"));
    await write(out, "lib/cache.ex", filledIn);
    const err = await writePlan(out, v2, V).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BaseStoreError);
    expect((err as BaseStoreError).message).toMatch(/\.otpiser\/base\/lib is a symlink/);
    expect(await read(out, "lib/cache.ex")).toBe(filledIn);
  });
});
