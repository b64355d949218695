import * as fs from "node:fs/promises";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  LockCorruptError,
  NotAFileError,
  PlanShapeError,
  SymlinkEscapeError,
  TargetNotADirectoryError,
  UnsafePathError,
} from "../../src/writer/errors.js";
import { parseLock, sha256 } from "../../src/writer/lock.js";
import { writePlan } from "../../src/writer/write.js";
import { ageTree, cleanup, contents, listing, owned, plan, read, scratch, user, write } from "./helpers.js";

const V = { generatorVersion: "0.1.0" };

let tmp: string;
let out: string;
beforeEach(async () => {
  tmp = await scratch();
  out = path.join(tmp, "my_app");
});
afterEach(async () => cleanup(tmp));

const v1 = plan(
  owned("mix.exs", "defmodule MyApp.MixProject do\nend\n"),
  owned("lib/my_app/application.ex", "defmodule MyApp.Application do\nend\n"),
  owned("lib/my_app/cache.ex", "defmodule MyApp.Cache do\nend\n"),
  user("lib/my_app/cache/impl.ex", "defmodule MyApp.Cache.Impl do\n  # TODO\nend\n"),
);

describe("writePlan: new project", () => {
  it("creates every file and a lock with their hashes, and leaves no stage directory behind", async () => {
    const r = await writePlan(out, v1, V);
    expect(r.status).toBe("written");
    expect(r.wrote).toBe(true);
    expect(r.filesWritten).toBe(4);
    expect(r.counts.create).toBe(4);
    expect(r.outDir).toBe(out);
    for (const f of v1.files) expect(await read(out, f.path)).toBe(f.content);

    const lock = parseLock(await read(out, ".otpiser/lock.json"));
    expect(lock.generator).toBe("otpiser 0.1.0");
    expect(lock.files["lib/my_app/cache/impl.ex"]).toEqual({ sha256: sha256(v1.files[3]!.content), ownership: "user" });
    expect(Object.keys(lock.files).sort()).toEqual(v1.files.map((f) => f.path).sort());

    expect(await fs.readdir(tmp)).toEqual(["my_app"]);
    // Besides the lock, the merge base of every owned file: the exact bytes written (user-owned stubs have none).
    const meta = contents(await listing(out));
    const owned = v1.files.filter((f) => f.ownership === "owned");
    expect(Object.keys(meta).filter((p) => p.startsWith(".otpiser/")).sort()).toEqual(
      [".otpiser/lock.json", ...owned.map((f) => `.otpiser/base/${f.path}`)].sort(),
    );
    for (const f of owned) expect(meta[`.otpiser/base/${f.path}`]).toBe(f.content);
  });

  it("creates missing parent directories of the output directory", async () => {
    const deep = path.join(tmp, "a", "b", "proj");
    const r = await writePlan(deep, v1, V);
    expect(r.status).toBe("written");
    expect(await read(deep, "mix.exs")).toBe(v1.files[0]!.content);
    expect(await fs.readdir(path.join(tmp, "a", "b"))).toEqual(["proj"]);
  });

  it("gives new directories and files the usual (umask) permissions, not the private stage's", async () => {
    await writePlan(out, v1, V);
    const umask = process.umask();
    expect((await fs.stat(out)).mode & 0o777).toBe(0o777 & ~umask);
    expect((await fs.stat(path.join(out, "mix.exs"))).mode & 0o777).toBe(0o666 & ~umask);
  });
});

describe("writePlan: regeneration", () => {
  it("a no-op run writes nothing: no file, no lock, mtimes and inodes unchanged", async () => {
    await writePlan(out, v1, V);
    await ageTree(out);
    const before = await listing(out);
    const r = await writePlan(out, v1, V);
    expect(r.status).toBe("up-to-date");
    expect(r.wrote).toBe(false);
    expect(r.filesWritten).toBe(0);
    expect(r.lockWritten).toBe(false);
    expect(r.counts.unchanged).toBe(4);
    expect(await listing(out)).toEqual(before);
    expect(await fs.readdir(tmp)).toEqual(["my_app"]);
  });

  it("rewrites only the files whose content changed, and the lock", async () => {
    await writePlan(out, v1, V);
    await ageTree(out);
    const before = await listing(out);
    const v2 = plan(...v1.files.map((f) => (f.path === "lib/my_app/cache.ex" ? owned(f.path, "defmodule MyApp.Cache do\n  use GenServer\nend\n") : f)));
    const r = await writePlan(out, v2, V);
    expect(r.status).toBe("written");
    expect(r.actions.filter((a) => a.kind === "update").map((a) => a.path)).toEqual(["lib/my_app/cache.ex"]);
    expect(r.filesWritten).toBe(1);
    expect(r.lockWritten).toBe(true);
    const after = await listing(out);
    const changed = Object.keys(after).filter((p) => after[p]!.type === "file" && after[p]!.mtimeMs !== before[p]!.mtimeMs);
    expect(changed.sort()).toEqual([".otpiser/base/lib/my_app/cache.ex", ".otpiser/lock.json", "lib/my_app/cache.ex"]);
    expect(await read(out, "lib/my_app/cache.ex")).toContain("use GenServer");
    expect(parseLock(await read(out, ".otpiser/lock.json")).files["lib/my_app/cache.ex"]?.sha256).toBe(sha256(v2.files[2]!.content));
    expect(await fs.readdir(tmp)).toEqual(["my_app"]);
    expect((await fs.readdir(path.join(out, ".otpiser"))).sort()).toEqual(["base", "lock.json"]);
    expect(await read(out, ".otpiser/base/lib/my_app/cache.ex")).toBe(v2.files[2]!.content);
  });

  it("rewrites only the lock when only the lock changes (a new otpiser version), keeping every file", async () => {
    await writePlan(out, v1, V);
    await ageTree(out);
    const before = await listing(out);
    const r = await writePlan(out, v1, { generatorVersion: "0.2.0" });
    expect(r).toMatchObject({ status: "written", filesWritten: 0, lockWritten: true, wrote: true });
    const after = await listing(out);
    for (const f of v1.files) expect(after[f.path]).toEqual(before[f.path]);
    expect(parseLock(await read(out, ".otpiser/lock.json")).generator).toBe("otpiser 0.2.0");
  });

  it("reports an edited orphan once, then forgets it (it is the user's file now)", async () => {
    await writePlan(out, plan(...v1.files, owned("lib/extra.ex", "x\n")), V);
    await write(out, "lib/extra.ex", "x, edited\n");
    const first = await writePlan(out, v1, V);
    expect(first.actions.find((a) => a.path === "lib/extra.ex")?.kind).toBe("orphan-edited");
    expect(first.lockWritten).toBe(true);
    const second = await writePlan(out, v1, V);
    expect(second.actions.map((a) => a.path)).not.toContain("lib/extra.ex");
    expect(second.status).toBe("up-to-date");
    expect(await read(out, "lib/extra.ex")).toBe("x, edited\n");
  });

  it("keeps the permission bits of a file it updates", async () => {
    await writePlan(out, plan(owned("bin/run", "#!/bin/sh\necho 1\n")), V);
    await fs.chmod(path.join(out, "bin/run"), 0o751);
    await writePlan(out, plan(owned("bin/run", "#!/bin/sh\necho 2\n")), V);
    expect((await fs.stat(path.join(out, "bin/run"))).mode & 0o7777).toBe(0o751);
    expect(await read(out, "bin/run")).toContain("echo 2");
  });

  it("with merging off, a user edit to an owned file whose generation changed too is a conflict: nothing at all is written", async () => {
    await writePlan(out, v1, V);
    await write(out, "lib/my_app/application.ex", "defmodule MyApp.Application do\n  # mine\nend\n");
    await ageTree(out);
    const before = await listing(out);
    // Both sides changed application.ex; another file would be updated too, and all-or-nothing means it is not.
    const v2 = plan(
      ...v1.files.map((f) =>
        f.path === "mix.exs" ? owned(f.path, "changed\n") : f.path === "lib/my_app/application.ex" ? owned(f.path, `${f.content}# v2\n`) : f,
      ),
    );
    const r = await writePlan(out, v2, { ...V, merge: false });
    expect(r.status).toBe("conflicts");
    expect(r.wrote).toBe(false);
    expect(r.conflicts.map((c) => [c.path, c.reason])).toEqual([["lib/my_app/application.ex", "edited"]]);
    expect(r.conflicts[0]!.current).toContain("# mine");
    expect(await listing(out)).toEqual(before);
    expect(await fs.readdir(tmp)).toEqual(["my_app"]);
  });

  it("an existing file the lock does not know is a conflict (untracked), even in a directory otpiser never wrote", async () => {
    await write(out, "mix.exs", "my own project\n");
    const before = await listing(out);
    const r = await writePlan(out, v1, V);
    expect(r.status).toBe("conflicts");
    expect(r.conflicts.map((c) => [c.path, c.reason])).toEqual([["mix.exs", "untracked"]]);
    expect(await listing(out)).toEqual(before);
  });

  it("force overwrites conflicts and reports them as overwritten", async () => {
    await writePlan(out, v1, V);
    await write(out, "lib/my_app/application.ex", "mine\n");
    const r = await writePlan(out, v1, { ...V, force: true });
    expect(r.status).toBe("written");
    expect(r.actions.filter((a) => a.kind === "overwritten").map((a) => [a.path, a.reason])).toEqual([["lib/my_app/application.ex", "edited"]]);
    expect(await read(out, "lib/my_app/application.ex")).toBe(v1.files[1]!.content);
    // And the lock now trusts the file again: the next run is a no-op.
    expect((await writePlan(out, v1, V)).status).toBe("up-to-date");
  });

  it("never touches an existing user-owned file, even when its planned content changes", async () => {
    await writePlan(out, v1, V);
    await write(out, "lib/my_app/cache/impl.ex", "my implementation\n");
    await ageTree(out);
    const v2 = plan(...v1.files.map((f) => (f.ownership === "user" ? user(f.path, "a newer stub\n") : f)));
    const r = await writePlan(out, v2, V);
    expect(r.conflicts).toEqual([]);
    expect(r.actions.find((a) => a.path === "lib/my_app/cache/impl.ex")?.kind).toBe("keep");
    expect(await read(out, "lib/my_app/cache/impl.ex")).toBe("my implementation\n");
    expect(r.status).toBe("up-to-date");
  });

  it("recreates a user-owned stub the user deleted", async () => {
    await writePlan(out, v1, V);
    await fs.rm(path.join(out, "lib/my_app/cache/impl.ex"));
    const r = await writePlan(out, v1, V);
    expect(r.actions.find((a) => a.path === "lib/my_app/cache/impl.ex")?.kind).toBe("create");
    expect(await read(out, "lib/my_app/cache/impl.ex")).toBe(v1.files[3]!.content);
  });

  it("deletes a file no longer planned only if unedited, and prunes the directory it leaves empty", async () => {
    const withWorkers = plan(...v1.files, owned("lib/my_app/workers/a.ex", "a\n"), owned("lib/my_app/workers/b.ex", "b\n"));
    await writePlan(out, withWorkers, V);
    await write(out, "lib/my_app/workers/b.ex", "b, edited\n");

    const r = await writePlan(out, v1, V);
    expect(r.status).toBe("written");
    expect(r.actions.filter((a) => a.kind === "remove").map((a) => a.path)).toEqual(["lib/my_app/workers/a.ex"]);
    expect(r.actions.filter((a) => a.kind === "orphan-edited").map((a) => a.path)).toEqual(["lib/my_app/workers/b.ex"]);
    expect(r.filesRemoved).toBe(1);
    await expect(fs.stat(path.join(out, "lib/my_app/workers/a.ex"))).rejects.toThrow(/ENOENT/);
    expect(await read(out, "lib/my_app/workers/b.ex")).toBe("b, edited\n");
    const lock = parseLock(await read(out, ".otpiser/lock.json"));
    expect(Object.keys(lock.files)).not.toContain("lib/my_app/workers/a.ex");
    // Released: the edited orphan is the user's file now.
    expect(Object.keys(lock.files)).not.toContain("lib/my_app/workers/b.ex");

    // With nothing left in it, the directory goes too.
    await writePlan(out, withWorkers, { ...V, force: true });
    await writePlan(out, v1, V);
    await expect(fs.stat(path.join(out, "lib/my_app/workers"))).rejects.toThrow(/ENOENT/);
    expect((await fs.stat(path.join(out, "lib/my_app"))).isDirectory()).toBe(true);
  });
});

describe("writePlan: dry run", () => {
  it("touches nothing when the output directory does not exist (not even mkdir)", async () => {
    const before = await listing(tmp);
    const r = await writePlan(path.join(tmp, "x", "my_app"), v1, { ...V, dryRun: true });
    expect(r.status).toBe("dry-run");
    expect(r.wrote).toBe(false);
    expect(r.counts.create).toBe(4);
    expect(r.actions.every((a) => a.current === undefined && a.planned !== undefined)).toBe(true);
    expect(await listing(tmp)).toEqual(before);
  });

  it("touches nothing in an existing project with updates, removals, and stale state", async () => {
    await writePlan(out, plan(...v1.files, owned("old.ex", "old\n")), V);
    await ageTree(tmp);
    const before = await listing(tmp);
    const v2 = plan(...v1.files.map((f) => (f.path === "mix.exs" ? owned(f.path, "changed\n") : f)), owned("new.ex", "new\n"));
    const r = await writePlan(out, v2, { ...V, dryRun: true, force: true });
    expect(r.status).toBe("dry-run");
    expect(r.counts).toMatchObject({ create: 1, update: 1, remove: 1 });
    expect(r.filesWritten).toBe(0);
    expect(await listing(tmp)).toEqual(before);
  });

  it("reports conflicts exactly as a real run would", async () => {
    await writePlan(out, v1, V);
    await write(out, "mix.exs", "edited\n");
    // Without its merge base the edited file cannot be merged.
    await fs.rm(path.join(out, ".otpiser/base/mix.exs"));
    const v2 = plan(...v1.files.map((f) => (f.path === "mix.exs" ? owned(f.path, "regenerated\n") : f)));
    const r = await writePlan(out, v2, { ...V, dryRun: true });
    expect(r.status).toBe("conflicts");
    expect(r.conflicts.map((c) => c.path)).toEqual(["mix.exs"]);
  });
});

describe("writePlan: safety", () => {
  it.each([
    ["../evil.ex", "escapes upwards"],
    ["lib/../../evil.ex", "escapes in the middle"],
    ["/etc/evil.ex", "absolute"],
    ["C:/evil.ex", "windows absolute"],
    ["lib\\evil.ex", "backslash"],
    ["lib//x.ex", "empty segment"],
    [".otpiser/lock.json", "reserved meta directory"],
    ["", "empty"],
  ])("rejects planned path %j (%s) before touching anything", async (p) => {
    const before = await listing(tmp);
    const err = await writePlan(out, plan(owned("ok.ex", "ok\n"), owned(p, "evil\n")), V).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafePathError);
    expect((err as UnsafePathError).internal).toBe(true);
    expect((err as UnsafePathError).path).toBe(p);
    expect(await listing(tmp)).toEqual(before);
  });

  it("rejects duplicate paths and a path used as both file and directory", async () => {
    await expect(writePlan(out, plan(owned("a.ex", "1"), owned("a.ex", "2")), V)).rejects.toThrow(PlanShapeError);
    await expect(writePlan(out, plan(owned("lib", "1"), owned("lib/a.ex", "2")), V)).rejects.toThrow(PlanShapeError);
    await expect(fs.stat(out)).rejects.toThrow(/ENOENT/);
  });

  it("refuses to write through a symlinked directory that leads outside the project", async () => {
    const outside = path.join(tmp, "outside");
    await fs.mkdir(outside);
    await writePlan(out, v1, V);
    await fs.symlink(outside, path.join(out, "config"));
    const err = await writePlan(out, plan(...v1.files, owned("config/config.exs", "import Config\n")), V).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SymlinkEscapeError);
    expect(await fs.readdir(outside)).toEqual([]);
  });

  it("refuses to overwrite a symlinked file that points outside the project", async () => {
    const secret = path.join(tmp, "secret.txt");
    await fs.writeFile(secret, "do not touch\n");
    await writePlan(out, v1, V);
    await fs.rm(path.join(out, "mix.exs"));
    await fs.symlink(secret, path.join(out, "mix.exs"));
    await expect(writePlan(out, v1, { ...V, force: true })).rejects.toThrow(SymlinkEscapeError);
    expect(await fs.readFile(secret, "utf8")).toBe("do not touch\n");
    expect((await fs.lstat(path.join(out, "mix.exs"))).isSymbolicLink()).toBe(true);
  });

  it("refuses a symlinked meta directory that leads outside the project", async () => {
    const outside = path.join(tmp, "outside");
    await fs.mkdir(outside);
    await fs.mkdir(out);
    await fs.symlink(outside, path.join(out, ".otpiser"));
    await expect(writePlan(out, v1, V)).rejects.toThrow(SymlinkEscapeError);
    expect(await fs.readdir(outside)).toEqual([]);
  });

  it("follows a symlink that stays inside the project", async () => {
    await fs.mkdir(path.join(out, "real_lib"), { recursive: true });
    await fs.symlink("real_lib", path.join(out, "lib"));
    const r = await writePlan(out, v1, V);
    expect(r.status).toBe("written");
    expect(await read(out, "real_lib/my_app/cache.ex")).toBe(v1.files[2]!.content);
    expect((await writePlan(out, v1, V)).status).toBe("up-to-date");
  });

  it("works when the output directory itself is a symlink, staging next to the real directory", async () => {
    await fs.mkdir(path.join(tmp, "real"));
    await fs.symlink(path.join(tmp, "real"), path.join(tmp, "link"));
    const r = await writePlan(path.join(tmp, "link"), v1, V);
    expect(r.outDir).toBe(path.join(tmp, "real"));
    expect(await read(path.join(tmp, "real"), "mix.exs")).toBe(v1.files[0]!.content);
    expect((await fs.readdir(tmp)).sort()).toEqual(["link", "real"]);
  });

  it("reports a directory sitting where a file is planned", async () => {
    await fs.mkdir(path.join(out, "mix.exs"), { recursive: true });
    await expect(writePlan(out, v1, V)).rejects.toThrow(NotAFileError);
  });

  it("fails with a typed error on a corrupt lock, and writes nothing", async () => {
    await writePlan(out, v1, V);
    await write(out, ".otpiser/lock.json", "{ corrupt");
    const before = await listing(out);
    await expect(writePlan(out, plan(owned("new.ex", "x")), { ...V, force: true })).rejects.toThrow(LockCorruptError);
    expect(await listing(out)).toEqual(before);
  });

  it("fails with a typed error if the output path is a file", async () => {
    await fs.writeFile(out, "a file");
    await expect(writePlan(out, v1, V)).rejects.toThrow(TargetNotADirectoryError);
  });
});
