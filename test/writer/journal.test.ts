import * as fs from "node:fs/promises";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CommitInterruptedError, JournalCorruptError } from "../../src/writer/errors.js";
import { ownStagePrefix, parseJournal, stagePrefix } from "../../src/writer/journal.js";
import { writePlan } from "../../src/writer/write.js";
import { ageTree, cleanup, contents, listing, owned, plan, read, scratch, user } from "./helpers.js";

const V = { generatorVersion: "0.1.0" };

let tmp: string;
let out: string;
beforeEach(async () => {
  tmp = await scratch();
  out = path.join(tmp, "my_app");
});
afterEach(async () => cleanup(tmp));

const v1 = plan(owned("a.ex", "a1\n"), owned("b.ex", "b1\n"), owned("lib/c.ex", "c1\n"), owned("lib/old/d.ex", "d1\n"), user("stub.ex", "stub\n"));
const v2 = plan(owned("a.ex", "a2\n"), owned("b.ex", "b2\n"), owned("lib/c.ex", "c2\n"), owned("lib/new/e.ex", "e2\n"), user("stub.ex", "stub\n"));

/** The project a clean generation of `p` produces, for comparison. */
async function reference(p: typeof v1): Promise<Record<string, string | undefined>> {
  const dir = path.join(tmp, `reference-${Math.random().toString(16).slice(2)}`);
  await writePlan(dir, p, V);
  const c = contents(await listing(dir));
  await fs.rm(dir, { recursive: true });
  return c;
}

/** Run v1, then v2 with a simulated crash just before the journalled step number `crashAt` (0-based). */
async function interruptedCommit(crashAt: number): Promise<void> {
  await writePlan(out, v1, V);
  let step = 0;
  const err = await writePlan(out, v2, V, {
    beforeCommitStep: ({ kind }) => {
      if (kind !== "journal" && step++ === crashAt) throw new Error("simulated crash");
    },
  }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CommitInterruptedError);
}

/** Project paths only: the merge bases under .otpiser/base ride along in every commit and recovery. */
const projectPaths = (paths: readonly string[] | undefined) => (paths ?? []).filter((p) => !p.startsWith(".otpiser/")).sort();

const stageDirs = async () => (await fs.readdir(tmp)).filter((n) => n.includes(".otpiser-stage-"));

describe("interrupted commit", () => {
  it("leaves a journal and the staged files; the next run rolls forward before anything else", async () => {
    await interruptedCommit(2); // a.ex and b.ex renamed, lib/c.ex not, d not removed, lock not written
    expect(await read(out, "a.ex")).toBe("a2\n");
    expect(await read(out, "lib/c.ex")).toBe("c1\n");
    expect(await read(out, ".otpiser/journal.json")).toContain('"stage"');
    expect(await stageDirs()).toHaveLength(1);

    const r = await writePlan(out, v2, V);
    expect(r.recovery).toMatchObject({ applied: true, stageFound: true, completed: true, missing: [] });
    expect(r.recovery?.removed.sort()).toEqual([".otpiser/base/lib/old/d.ex", "lib/old/d.ex"]);
    expect(projectPaths(r.recovery?.rolledForward)).toEqual(["lib/c.ex", "lib/new/e.ex"]);
    // The merge bases of the commit land with it.
    expect(r.recovery?.rolledForward.filter((p) => p.startsWith(".otpiser/base/")).sort()).toEqual(
      ["a.ex", "b.ex", "lib/c.ex", "lib/new/e.ex"].map((p) => `.otpiser/base/${p}`),
    );
    expect(r.wrote).toBe(true);
    // Everything of v2 already landed through the recovery: the comparison itself finds nothing to do.
    expect(r.counts.unchanged).toBe(5);
    expect(r.status).toBe("up-to-date");
    expect(contents(await listing(out))).toEqual(await reference(v2));
    expect(await stageDirs()).toEqual([]);
  });

  it("finishes the interrupted commit first, then applies a different plan on top", async () => {
    await interruptedCommit(1);
    const v3 = plan(owned("a.ex", "a3\n"), user("stub.ex", "stub\n"));
    const r = await writePlan(out, v3, V);
    expect(r.recovery?.completed).toBe(true);
    expect(r.status).toBe("written");
    expect(contents(await listing(out))).toEqual(await reference(v3));
  });

  it("rolls forward when only the lock was left to write", async () => {
    await interruptedCommit(10); // 4 renames + 4 base renames + 2 removals (d.ex and its base) done; crash before the lock
    const r = await writePlan(out, v2, V);
    expect(r.recovery).toMatchObject({ completed: true, rolledForward: [], removed: [] });
    expect(r.status).toBe("up-to-date");
    expect(contents(await listing(out))).toEqual(await reference(v2));
  });

  it("without the staged files, repairs the lock so what did not land is regenerated, not reported as user edits", async () => {
    await interruptedCommit(1); // only a.ex landed
    const [stage] = await stageDirs();
    await fs.rm(path.join(tmp, stage!), { recursive: true });

    const r = await writePlan(out, v2, V);
    // Removals need no staged copy, so they are still carried out.
    expect(r.recovery).toMatchObject({ applied: true, stageFound: false, completed: false });
    expect(projectPaths(r.recovery?.removed)).toEqual(["lib/old/d.ex"]);
    expect(projectPaths(r.recovery?.missing)).toEqual(["b.ex", "lib/c.ex", "lib/new/e.ex"]);
    expect(r.conflicts).toEqual([]);
    expect(r.status).toBe("written");
    expect(Object.fromEntries(r.actions.map((a) => [a.path, a.kind]))).toEqual({
      "a.ex": "unchanged",
      "b.ex": "update",
      "lib/c.ex": "update",
      "lib/new/e.ex": "create",
      "stub.ex": "unchanged",
    });
    expect(contents(await listing(out))).toEqual(await reference(v2));
  });

  it("a file the user edits between the crash and the recovery is still protected (merged against its old base)", async () => {
    await interruptedCommit(1); // a.ex landed with a2
    const [stage] = await stageDirs();
    await fs.rm(path.join(tmp, stage!), { recursive: true });
    await fs.writeFile(path.join(out, "b.ex"), "b1 plus my edit\n");
    const r = await writePlan(out, v2, V);
    // b.ex's base is still b1 (its new base never landed), so the edit is merged with b2: both kept, in markers.
    expect(r.mergeConflicts.map((c) => c.path)).toEqual(["b.ex"]);
    const b = await read(out, "b.ex");
    expect(b).toContain("<<<<<<< yours\nb1 plus my edit\n||||||| generated (previous)\nb1\n=======\nb2\n>>>>>>> generated (new)\n");
    // Without any base (lost with the stage) it is refused, untouched.
    await fs.writeFile(path.join(out, "b.ex"), "b2, resolved\n");
    await fs.rm(path.join(out, ".otpiser/base/b.ex"));
    const again = await writePlan(out, plan(...v2.files.map((f) => (f.path === "b.ex" ? owned("b.ex", "b3\n") : f))), V);
    expect(again.conflicts.map((c) => [c.path, c.reason])).toEqual([["b.ex", "edited"]]);
    expect(await read(out, "b.ex")).toBe("b2, resolved\n");
  });

  it("dry-run reports the interrupted commit but changes nothing", async () => {
    await interruptedCommit(2);
    const before = await listing(tmp);
    const r = await writePlan(out, v2, { ...V, dryRun: true });
    expect(r.recovery).toMatchObject({ applied: false, stageFound: true });
    expect(r.wrote).toBe(false);
    expect(await listing(tmp)).toEqual(before);
  });

  it("a failure before the journal is written leaves no stage directory and no change", async () => {
    await writePlan(out, v1, V);
    await ageTree(tmp);
    const before = await listing(tmp);
    const crash = {
      beforeCommitStep: ({ kind }: { kind: string }) => {
        if (kind === "journal") throw new Error("simulated crash");
      },
    };
    await expect(writePlan(out, v2, V, crash)).rejects.toThrow("simulated crash");
    expect(await listing(tmp)).toEqual(before);
  });

  it("a failure while staging a new project (a real I/O error) leaves nothing behind", async () => {
    const before = await listing(tmp);
    const tooLong = plan(owned("a.ex", "a\n"), owned(`lib/${"x".repeat(300)}.ex`, "x\n"));
    await expect(writePlan(out, tooLong, V)).rejects.toThrow(/ENAMETOOLONG/);
    expect(await listing(tmp)).toEqual(before);
  });

  it("a failure just before publishing a new project leaves nothing behind", async () => {
    const before = await listing(tmp);
    const crash = {
      beforeCommitStep: ({ kind }: { kind: string }) => {
        if (kind === "publish") throw new Error("simulated crash");
      },
    };
    await expect(writePlan(out, v1, V, crash)).rejects.toThrow("simulated crash");
    expect(await listing(tmp)).toEqual(before);
  });

  it("refuses a journal whose stage name could point anywhere", () => {
    const bad = JSON.stringify({ version: 1, stage: "../../home", writes: [], removes: [], lock: { version: 1, generator: "", files: {} } });
    expect(() => parseJournal(bad, "journal.json")).toThrow(JournalCorruptError);
    const traversal = JSON.stringify({
      version: 1,
      stage: ".x.otpiser-stage-abc",
      writes: [{ path: "../x", sha256: "0".repeat(64), ownership: "owned" }],
      removes: [],
      lock: { version: 1, generator: "", files: {} },
    });
    expect(() => parseJournal(traversal, "journal.json")).toThrow(JournalCorruptError);
  });
});

describe("stages abandoned by a kill while staging", () => {
  it("are removed by the next write when their process is gone; a live process's stage and foreign names are kept", async () => {
    await writePlan(out, v1, V);
    const { spawnSync } = await import("node:child_process");
    const deadPid = spawnSync(process.execPath, ["-e", "0"]).pid!;
    // Names as a killed run leaves them: the same prefix as this process's own stages, with another (dead) pid.
    const own = path.basename(ownStagePrefix(out));
    const dead = own.replace(`-${process.pid}-`, `-${deadPid}-`) + "abc123";
    const live = own.replace(`-${process.pid}-`, `-${process.ppid}-`) + "def456";
    const foreign = `${stagePrefix(out)}00000000-${deadPid}-beef`;
    for (const name of [dead, live, foreign]) await fs.mkdir(path.join(tmp, name, "lib"), { recursive: true });

    // A dry run touches nothing, not even those.
    await writePlan(out, v2, { ...V, dryRun: true });
    expect((await stageDirs()).sort()).toEqual([dead, foreign, live].sort());

    await writePlan(out, v2, V);
    expect((await stageDirs()).sort()).toEqual([foreign, live].sort());
  });
});
