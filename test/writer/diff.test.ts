import { describe, expect, it } from "vitest";
import { compareWithDisk } from "../../src/writer/compare.js";
import { diffAction, diffActions, unifiedDiff } from "../../src/writer/diff.js";
import { sha256 } from "../../src/writer/lock.js";
import { owned, plan, user } from "./helpers.js";

describe("unifiedDiff", () => {
  it("produces a git-style patch with a/ b/ prefixes", () => {
    expect(unifiedDiff("lib/a.ex", "one\ntwo\n", "one\nthree\n")).toBe(
      "--- a/lib/a.ex\n+++ b/lib/a.ex\n@@ -1,2 +1,2 @@\n one\n-two\n+three\n",
    );
  });

  it("shows creation and deletion against /dev/null", () => {
    expect(unifiedDiff("new.ex", undefined, "x\n")).toBe("--- /dev/null\n+++ b/new.ex\n@@ -0,0 +1,1 @@\n+x\n");
    expect(unifiedDiff("old.ex", "x\n", undefined)).toBe("--- a/old.ex\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-x\n");
  });

  it("is empty for identical content", () => {
    expect(unifiedDiff("a.ex", "x\n", "x\n")).toBe("");
  });

  it("respects the context size", () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i}`).join("\n") + "\n";
    const after = before.replace("line 10\n", "line ten\n");
    expect(unifiedDiff("a", before, after, 1)).toContain("@@ -10,3 +10,3 @@\n line 9\n-line 10\n+line ten\n line 11\n");
  });
});

describe("diffActions", () => {
  const c = compareWithDisk(
    plan(owned("created.ex", "c\n"), owned("updated.ex", "u2\n"), owned("same.ex", "s\n"), user("stub.ex", "stub\n")),
    new Map<string, string | undefined>([
      ["created.ex", undefined],
      ["updated.ex", "u1\n"],
      ["same.ex", "s\n"],
      ["stub.ex", "mine\n"],
      ["removed.ex", "r\n"],
    ]),
    {
      version: 1,
      generator: "",
      files: {
        "updated.ex": { sha256: sha256("u1\n"), ownership: "owned" },
        "removed.ex": { sha256: sha256("r\n"), ownership: "owned" },
      },
    },
  );

  it("diffs what changes, in path order, and skips unchanged and kept files by default", () => {
    const d = diffActions(c.actions);
    expect(d.match(/^\+\+\+ .*$/gm)).toEqual(["+++ b/created.ex", "+++ /dev/null", "+++ b/updated.ex"]);
    expect(d).not.toContain("same.ex");
    expect(d).not.toContain("stub.ex");
  });

  it("can show kept user files on request", () => {
    const stub = c.actions.find((a) => a.path === "stub.ex")!;
    expect(diffAction(stub)).toBe("");
    expect(diffAction(stub, { kinds: ["keep"] })).toContain("-mine\n+stub\n");
  });
});
