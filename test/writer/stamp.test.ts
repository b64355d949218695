import * as fs from "node:fs/promises";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JOURNAL_PATH, LOCK_PATH, STAMP_PATH, answerFromStamp, basePath, readStamp, recordStamp, stampInputs, writePlan, type WriteResult } from "../../src/writer/index.js";
import type { Plan } from "../../src/plan/types.js";
import { cleanup, owned, plan, scratch, user } from "./helpers.js";

/**
 * The stat cache of a no-op regeneration (src/writer/stamp.ts): what it answers must be exactly what a full run
 * answers, and any change to a file it vouches for, or to the inputs, must send the run down the full path.
 * `startedMs` far in the future makes every entry trusted by its stat; 0 makes every entry racy (hash-verified).
 */
const KEY = stampInputs(["manifest v1"]);
const TRUSTED = () => Date.now() + 60_000;
const LATER = () => Date.now() + 60_000;
const opts = { generatorVersion: "test" };

let dir: string;
beforeEach(async () => {
  dir = await scratch();
});
afterEach(async () => cleanup(dir));

const v1: Plan = plan(owned("lib/a.ex", "defmodule A do\nend\n"), owned("lib/b.ex", "defmodule B do\nend\n"), user("lib/stub.ex", "# fill me in\n"));

/** What a report shows of a result: everything but the file contents, which the stamp does not keep. */
function shown(w: WriteResult) {
  return { ...w, actions: w.actions.map(({ path: p, kind, ownership }) => ({ p, kind, ownership })), recovery: undefined };
}

/** A whole-second mtime, which utimes can put back exactly (it takes no nanoseconds). */
const PINNED = new Date(Math.floor(Date.now() / 1000) * 1000);

async function stamped(p: Plan = v1, startedMs = TRUSTED()): Promise<WriteResult> {
  const w = await writePlan(dir, p, opts);
  await fs.utimes(file("lib/b.ex"), PINNED, PINNED);
  expect(await recordStamp(w, [KEY], startedMs)).toBe(true);
  return w;
}

const file = (p: string) => path.join(dir, p);

describe("answerFromStamp", () => {
  it("answers a no-op exactly as the full run does, keep and preserved included", async () => {
    await stamped();
    // The user fills in the stub and edits an owned file whose generation does not change.
    await fs.writeFile(file("lib/stub.ex"), "def x, do: 1\n");
    await fs.writeFile(file("lib/a.ex"), "defmodule A do\n  # mine\nend\n");
    const full = await writePlan(dir, v1, opts);
    expect(full.status).toBe("up-to-date");
    expect(full.counts.keep + full.counts.preserved).toBe(2);
    expect(await answerFromStamp(dir, KEY, LATER())).toBeUndefined(); // the edits changed the stats
    expect(await recordStamp(full, [KEY], TRUSTED())).toBe(true);
    const cached = await answerFromStamp(dir, KEY, LATER());
    expect(cached).toBeDefined();
    expect(shown(cached!)).toEqual(shown(full));
  });

  it("after a written run with a merge, a cached rerun reports what the full rerun reports", async () => {
    await stamped();
    await fs.writeFile(file("lib/a.ex"), "# mine\ndefmodule A do\nend\n");
    const v2 = plan(owned("lib/a.ex", "defmodule A do\nend\n# new\n"), owned("lib/b.ex", "defmodule B do\nend\n"), user("lib/stub.ex", "# fill me in\n"));
    const merged = await writePlan(dir, v2, opts);
    expect(merged.counts.merged).toBe(1);
    expect(await recordStamp(merged, [KEY], TRUSTED())).toBe(true);
    const cached = await answerFromStamp(dir, KEY, LATER());
    const full = await writePlan(dir, v2, opts);
    expect(full.status).toBe("up-to-date");
    expect(shown(cached!)).toEqual(shown(full));
  });

  it("recording again after a no-op writes nothing", async () => {
    const w = await stamped();
    const before = await fs.stat(file(STAMP_PATH), { bigint: true });
    expect(await recordStamp(await writePlan(dir, v1, opts), [KEY], TRUSTED())).toBe(false);
    expect((await fs.stat(file(STAMP_PATH), { bigint: true })).mtimeNs).toBe(before.mtimeNs);
    expect(w.status).toBe("written");
  });

  it("another input set that leaves the same files is added, not swapped", async () => {
    await stamped();
    const other = stampInputs(["manifest v1 with a comment"]);
    expect(await recordStamp(await writePlan(dir, v1, opts), [other], TRUSTED())).toBe(true);
    expect(await answerFromStamp(dir, KEY, LATER())).toBeDefined();
    expect(await answerFromStamp(dir, other, LATER())).toBeDefined();
  });

  const misses: Array<[string, () => Promise<unknown>]> = [
    ["a file's size changed", () => fs.appendFile(file("lib/b.ex"), "# x\n")],
    ["a file's mtime changed", () => fs.utimes(file("lib/b.ex"), new Date(), new Date(Date.now() - 3_600_000))],
    ["a file was deleted", () => fs.rm(file("lib/b.ex"))],
    ["a merge base was deleted", () => fs.rm(file(basePath("lib/b.ex")))],
    ["the lock was edited", () => fs.appendFile(file(LOCK_PATH), "\n")],
    ["a journal is pending", () => fs.writeFile(file(JOURNAL_PATH), "{}")],
    ["the stamp is corrupt", () => fs.writeFile(file(STAMP_PATH), "{ not json")],
    ["the stamp is of another version", async () => fs.writeFile(file(STAMP_PATH), JSON.stringify({ ...(await readStamp(dir)), version: 2 }))],
    ["the stamp names a path outside the project", async () => {
      const s = (await readStamp(dir))!;
      await fs.writeFile(file(STAMP_PATH), JSON.stringify({ ...s, files: { ...s.files, "../x": s.files["lib/b.ex"] } }));
    }],
  ];
  for (const [what, change] of misses) {
    it(`misses when ${what}`, async () => {
      await stamped();
      expect(await answerFromStamp(dir, KEY, LATER())).toBeDefined();
      await change();
      expect(await answerFromStamp(dir, KEY, LATER())).toBeUndefined();
    });
  }

  it("misses for other inputs (manifest, otpiser version, generator, formatter)", async () => {
    await stamped();
    expect(await answerFromStamp(dir, stampInputs(["manifest v2"]), LATER())).toBeUndefined();
  });

  it("racy entries are verified by hash: a same-size edit with its mtime put back is caught, then the stamp is refreshed", async () => {
    await stamped(v1, 0);
    await fs.writeFile(file("lib/b.ex"), "defmodule C do\nend\n"); // same size
    await fs.utimes(file("lib/b.ex"), PINNED, PINNED);
    expect(await answerFromStamp(dir, KEY, LATER())).toBeUndefined();

    await fs.writeFile(file("lib/b.ex"), "defmodule B do\nend\n");
    await fs.utimes(file("lib/b.ex"), PINNED, PINNED);
    // Verified by hash; "now" within the racy window of the files: nothing is rewritten.
    const racyNow = Date.now();
    const before = (await fs.stat(file(STAMP_PATH), { bigint: true })).mtimeNs;
    expect(await answerFromStamp(dir, KEY, racyNow)).toBeDefined();
    expect((await fs.stat(file(STAMP_PATH), { bigint: true })).mtimeNs).toBe(before);
    // Later, the entries are old enough to trust by stat: refreshed once, without hashes.
    expect(await answerFromStamp(dir, KEY, LATER())).toBeDefined();
    const refreshed = (await readStamp(dir))!;
    expect(Object.values(refreshed.files).some((e) => e.sha256 !== undefined)).toBe(false);
  });

  it("limit (as in git): a same-size edit with its mtime put back is not seen once the entry is trusted by stat", async () => {
    await stamped();
    await fs.writeFile(file("lib/b.ex"), "defmodule C do\nend\n");
    await fs.utimes(file("lib/b.ex"), PINNED, PINNED);
    expect(await answerFromStamp(dir, KEY, LATER())).toBeDefined();
  });
});

describe("recordStamp", () => {
  // (An up-to-date dry run is a true answer; the CLI still never records one.)
  it("never records after conflicts, a dry run with changes or a merge conflict", async () => {
    await writePlan(dir, v1, opts);
    await fs.writeFile(file("lib/b.ex"), "edited\n");
    const conflicted = await writePlan(dir, plan(owned("lib/a.ex", "defmodule A do\nend\n"), owned("lib/b.ex", "changed\n"), user("lib/stub.ex", "# fill me in\n")), { ...opts, merge: false });
    expect(conflicted.status).toBe("conflicts");
    expect(await recordStamp(conflicted, [KEY], TRUSTED())).toBe(false);
    const dry = await writePlan(dir, plan(owned("lib/a.ex", "changed\n"), owned("lib/b.ex", "defmodule B do\nend\n")), { ...opts, dryRun: true });
    expect(dry.status).toBe("dry-run");
    expect(await recordStamp(dry, [KEY], TRUSTED())).toBe(false);
    await fs.writeFile(file("lib/b.ex"), "defmodule B do\n  edited\nend\n");
    const mc = await writePlan(dir, plan(owned("lib/a.ex", "defmodule A do\nend\n"), owned("lib/b.ex", "defmodule B do\n  theirs\nend\n"), user("lib/stub.ex", "# fill me in\n")), opts);
    expect(mc.mergeConflicts.length).toBe(1);
    expect(await recordStamp(mc, [KEY], TRUSTED())).toBe(false);
    await expect(fs.stat(file(STAMP_PATH))).rejects.toThrow();
  });
});
