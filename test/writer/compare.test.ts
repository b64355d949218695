import { describe, expect, it } from "vitest";
import type { Lock } from "../../src/writer/lock.js";
import { sha256 } from "../../src/writer/lock.js";
import { type DiskSnapshot, compareWithDisk, nextLock } from "../../src/writer/compare.js";
import { owned, plan, user } from "./helpers.js";

function lock(files: Record<string, [string, "owned" | "user"]>): Lock {
  return {
    version: 1,
    generator: "otpiser test",
    files: Object.fromEntries(Object.entries(files).map(([p, [c, o]]) => [p, { sha256: sha256(c), ownership: o }])),
  };
}

const disk = (entries: Record<string, string | undefined>): DiskSnapshot => new Map(Object.entries(entries));
const kinds = (c: ReturnType<typeof compareWithDisk>) => Object.fromEntries(c.actions.map((a) => [a.path, a.kind]));

describe("compareWithDisk", () => {
  it("classifies every case", () => {
    const p = plan(
      owned("new.ex", "new"),
      owned("same.ex", "same"),
      owned("regen.ex", "v2"),
      owned("edited.ex", "v2"),
      owned("untracked.ex", "ours"),
      user("stub.ex", "stub v2"),
      user("stub-same.ex", "stub"),
      user("stub-missing.ex", "stub"),
    );
    const prev = lock({
      "same.ex": ["same", "owned"],
      "regen.ex": ["v1", "owned"],
      "edited.ex": ["v1", "owned"],
      "stub.ex": ["stub v1", "user"],
      "stub-same.ex": ["stub", "user"],
      "gone-clean.ex": ["old", "owned"],
      "gone-edited.ex": ["old", "owned"],
      "gone-deleted.ex": ["old", "owned"],
    });
    const c = compareWithDisk(
      p,
      disk({
        "new.ex": undefined,
        "same.ex": "same",
        "regen.ex": "v1",
        "edited.ex": "v1 + my edit",
        "untracked.ex": "theirs",
        "stub.ex": "my implementation",
        "stub-same.ex": "stub",
        "stub-missing.ex": undefined,
        "gone-clean.ex": "old",
        "gone-edited.ex": "old, edited",
        "gone-deleted.ex": undefined,
      }),
      prev,
    );
    expect(kinds(c)).toEqual({
      "new.ex": "create",
      "same.ex": "unchanged",
      "regen.ex": "update",
      "edited.ex": "conflict",
      "untracked.ex": "conflict",
      "stub.ex": "keep",
      "stub-same.ex": "unchanged",
      "stub-missing.ex": "create",
      "gone-clean.ex": "remove",
      "gone-edited.ex": "orphan-edited",
    });
    expect(c.conflicts.map((a) => [a.path, a.reason])).toEqual([
      ["edited.ex", "edited"],
      ["untracked.ex", "untracked"],
    ]);
    expect(c.counts).toMatchObject({ create: 2, update: 1, unchanged: 2, conflict: 2, keep: 1, remove: 1, "orphan-edited": 1, overwritten: 0 });
    // Sorted by path, both sides carried for --diff.
    expect(c.actions.map((a) => a.path)).toEqual([...c.actions.map((a) => a.path)].sort());
    const edited = c.actions.find((a) => a.path === "edited.ex")!;
    expect([edited.current, edited.planned]).toEqual(["v1 + my edit", "v2"]);
  });

  it("keeps a user's edit when otpiser has nothing new for that file, and the old hash in the lock", () => {
    const prev = lock({ "a.ex": ["generated v1", "owned"] });
    // Same generation as last time, user filled the file in: preserved, not a conflict.
    const same = compareWithDisk(plan(owned("a.ex", "generated v1")), disk({ "a.ex": "filled in" }), prev);
    expect(kinds(same)).toEqual({ "a.ex": "preserved" });
    expect(same.conflicts).toEqual([]);
    expect(nextLock(prev, same.actions, "g").files["a.ex"]).toEqual(prev.files["a.ex"]);
    // The generation changed since: now both sides changed, which is a conflict.
    const changed = compareWithDisk(plan(owned("a.ex", "generated v2")), disk({ "a.ex": "filled in" }), prev);
    expect(kinds(changed)).toEqual({ "a.ex": "conflict" });
    // --force restores the generated version either way.
    const forced = compareWithDisk(plan(owned("a.ex", "generated v1")), disk({ "a.ex": "filled in" }), prev, { force: true });
    expect(kinds(forced)).toEqual({ "a.ex": "overwritten" });
  });

  it("with force, turns conflicts into overwritten but still leaves edited orphans alone", () => {
    const prev = lock({ "a.ex": ["v1", "owned"], "old.ex": ["old", "owned"] });
    const c = compareWithDisk(
      plan(owned("a.ex", "v2"), owned("b.ex", "ours")),
      disk({ "a.ex": "edited", "b.ex": "theirs", "old.ex": "old, edited" }),
      prev,
      { force: true },
    );
    expect(kinds(c)).toEqual({ "a.ex": "overwritten", "b.ex": "overwritten", "old.ex": "orphan-edited" });
    expect(c.conflicts).toEqual([]);
    expect(c.actions.map((a) => a.reason)).toEqual(["edited", "untracked", undefined]);
  });

  it("compares bytes, not decoded text", () => {
    // Invalid UTF-8 decodes to U+FFFD; it must not be taken as equal to a planned U+FFFD.
    const bytes = new Uint8Array([0xff]);
    const c = compareWithDisk(plan(owned("x.ex", "\ufffd")), new Map([["x.ex", bytes]]), lock({}));
    expect(c.actions[0]?.kind).toBe("conflict");
  });

  it("an ownership switch from owned to user keeps the file once it exists", () => {
    const c = compareWithDisk(plan(user("a.ex", "new stub")), disk({ "a.ex": "generated" }), lock({ "a.ex": ["generated", "owned"] }));
    expect(kinds(c)).toEqual({ "a.ex": "keep" });
  });

  it("refuses a snapshot that does not cover a path, rather than guessing 'absent'", () => {
    expect(() => compareWithDisk(plan(owned("a.ex", "x")), disk({}), lock({}))).toThrow(/no entry for a\.ex/);
    expect(() => compareWithDisk(plan(), disk({}), lock({ "old.ex": ["x", "owned"] }))).toThrow(/old\.ex/);
  });
});

describe("nextLock", () => {
  it("records what was written or found identical, keeps user files' old hash, drops removed and released files", () => {
    const prev = lock({ "stub.ex": ["stub v1", "user"], "regen.ex": ["v1", "owned"], "gone.ex": ["g", "owned"], "orph.ex": ["o", "owned"] });
    const c = compareWithDisk(
      plan(owned("new.ex", "n"), owned("regen.ex", "v2"), user("stub.ex", "stub v2"), user("theirs.ex", "stub")),
      disk({ "new.ex": undefined, "regen.ex": "v1", "stub.ex": "mine", "theirs.ex": "user wrote this first", "gone.ex": "g", "orph.ex": "edited" }),
      prev,
    );
    const next = nextLock(prev, c.actions, "otpiser 2.0.0");
    expect(next).toEqual({
      version: 1,
      generator: "otpiser 2.0.0",
      files: {
        "new.ex": { sha256: sha256("n"), ownership: "owned" },
        "regen.ex": { sha256: sha256("v2"), ownership: "owned" },
        "stub.ex": { sha256: sha256("stub v1"), ownership: "user" },
      },
    });
  });
});

describe("compareWithDisk: three-way merges of edited files", () => {
  const base = "defmodule A do\n  use GenServer\n\n  def handle_call(:get, _from, s) do\n    {:reply, :ok, s}\n  end\nend\n";
  const mine = base.replace("{:reply, :ok, s}", "{:reply, s.value, s}");
  const regenerated = base.replace("use GenServer", "use GenServer, shutdown: 10_000");
  const prev = lock({ "a.ex": [base, "owned"] });
  const bases = new Map([["a.ex", base]]);

  it("merges cleanly when the user and the generator changed different lines: `merged`, the result has both", () => {
    const c = compareWithDisk(plan(owned("a.ex", regenerated)), disk({ "a.ex": mine }), prev, { bases });
    expect(kinds(c)).toEqual({ "a.ex": "merged" });
    const a = c.actions[0]!;
    expect(a.result).toContain("use GenServer, shutdown: 10_000");
    expect(a.result).toContain("{:reply, s.value, s}");
    expect([a.current, a.planned]).toEqual([mine, regenerated]);
    expect(c.conflicts).toEqual([]);
    expect(c.mergeConflicts).toEqual([]);
    // The lock records the new generation, not the merged text: the user's edit stays an edit.
    expect(nextLock(prev, c.actions, "g").files["a.ex"]).toEqual({ sha256: sha256(regenerated), ownership: "owned" });
  });

  it("writes conflict markers when both changed the same lines: `merge-conflict`, every side kept", () => {
    const mineToo = base.replace("use GenServer", "use GenServer, restart: :transient");
    const c = compareWithDisk(plan(owned("a.ex", regenerated)), disk({ "a.ex": mineToo }), prev, { bases });
    expect(kinds(c)).toEqual({ "a.ex": "merge-conflict" });
    expect(c.mergeConflicts.map((a) => [a.path, a.conflictHunks])).toEqual([["a.ex", 1]]);
    expect(c.conflicts).toEqual([]);
    expect(c.actions[0]!.result).toBe(
      "defmodule A do\n" +
        "<<<<<<< yours\n  use GenServer, restart: :transient\n" +
        "||||||| generated (previous)\n  use GenServer\n" +
        "=======\n  use GenServer, shutdown: 10_000\n" +
        ">>>>>>> generated (new)\n" +
        "\n  def handle_call(:get, _from, s) do\n    {:reply, :ok, s}\n  end\nend\n",
    );
    expect(nextLock(prev, c.actions, "g").files["a.ex"]?.sha256).toBe(sha256(regenerated));
  });

  it("refuses a file that still has conflict markers, whether or not the generation changed (`unresolved`)", () => {
    const marked = `${base}<<<<<<< yours\nx\n=======\ny\n>>>>>>> generated (new)\n`;
    const same = compareWithDisk(plan(owned("a.ex", base)), disk({ "a.ex": marked }), prev, { bases });
    expect(same.conflicts.map((a) => [a.kind, a.reason])).toEqual([["conflict", "unresolved"]]);
    const changed = compareWithDisk(plan(owned("a.ex", regenerated)), disk({ "a.ex": marked }), prev, { bases });
    expect(changed.conflicts.map((a) => [a.kind, a.reason])).toEqual([["conflict", "unresolved"]]);
    // Markers the generation itself contains are not the user's to resolve.
    const generatedMarkers = `${base}<<<<<<< doc example\n`;
    const own = compareWithDisk(plan(owned("a.ex", generatedMarkers)), disk({ "a.ex": `${generatedMarkers}# mine\n` }), lock({ "a.ex": [generatedMarkers, "owned"] }));
    expect(kinds(own)).toEqual({ "a.ex": "preserved" });
    // --force still restores the generation.
    const forced = compareWithDisk(plan(owned("a.ex", regenerated)), disk({ "a.ex": marked }), prev, { bases, force: true });
    expect(kinds(forced)).toEqual({ "a.ex": "overwritten" });
  });

  it("falls back to a conflict without a trustworthy base: missing, hand-edited, or not UTF-8", () => {
    const reasons = (c: ReturnType<typeof compareWithDisk>) => c.actions.map((a) => [a.kind, a.reason]);
    const p = plan(owned("a.ex", regenerated));
    expect(reasons(compareWithDisk(p, disk({ "a.ex": mine }), prev))).toEqual([["conflict", "edited"]]);
    expect(reasons(compareWithDisk(p, disk({ "a.ex": mine }), prev, { bases: new Map([["a.ex", undefined]]) }))).toEqual([["conflict", "edited"]]);
    expect(reasons(compareWithDisk(p, disk({ "a.ex": mine }), prev, { bases: new Map([["a.ex", `${base}# tampered\n`]]) }))).toEqual([
      ["conflict", "edited"],
    ]);
    const binaryPrev = lock({ "a.ex": ["\ufffd", "owned"] });
    const notUtf8 = new Map<string, Uint8Array | string | undefined>([["a.ex", new Uint8Array([0xff])]]);
    expect(reasons(compareWithDisk(p, disk({ "a.ex": mine }), binaryPrev, { bases: notUtf8 }))).toEqual([["conflict", "edited"]]);
    const mineNotUtf8 = new Map<string, Uint8Array | string | undefined>([["a.ex", new Uint8Array([0xfe, 0x0a])]]);
    expect(reasons(compareWithDisk(p, mineNotUtf8, prev, { bases }))).toEqual([["conflict", "edited"]]);
  });

  it("merges only when asked: `merge: false` and `force` keep their meaning", () => {
    const p = plan(owned("a.ex", regenerated));
    expect(kinds(compareWithDisk(p, disk({ "a.ex": mine }), prev, { bases, merge: false }))).toEqual({ "a.ex": "conflict" });
    expect(kinds(compareWithDisk(p, disk({ "a.ex": mine }), prev, { bases, force: true }))).toEqual({ "a.ex": "overwritten" });
    // Untracked files (no lock entry, so no base) are still refused, base or not.
    expect(kinds(compareWithDisk(p, disk({ "a.ex": mine }), lock({}), { bases }))).toEqual({ "a.ex": "conflict" });
    // User-owned files are never merged.
    expect(kinds(compareWithDisk(plan(user("a.ex", regenerated)), disk({ "a.ex": mine }), prev, { bases }))).toEqual({ "a.ex": "keep" });
  });

  it("after a merge, the next run sees the merged file as the user's edit of the new generation", () => {
    const first = compareWithDisk(plan(owned("a.ex", regenerated)), disk({ "a.ex": mine }), prev, { bases });
    const merged = first.actions[0]!.result!;
    const lockAfter = nextLock(prev, first.actions, "g");
    const again = compareWithDisk(plan(owned("a.ex", regenerated)), disk({ "a.ex": merged }), lockAfter, { bases: new Map([["a.ex", regenerated]]) });
    expect(kinds(again)).toEqual({ "a.ex": "preserved" });
  });
});
