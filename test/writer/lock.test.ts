import * as fs from "node:fs/promises";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LockCorruptError } from "../../src/writer/errors.js";
import { LOCK_PATH, emptyLock, parseLock, readLock, serialiseLock, sha256 } from "../../src/writer/lock.js";
import { cleanup, scratch } from "./helpers.js";

const H = (s: string) => sha256(s);

describe("lock serialisation", () => {
  it("sorts paths, orders keys, ends with a newline, whatever the insertion order", () => {
    const a = serialiseLock({
      version: 1,
      generator: "otpiser 1.2.3",
      files: { "z.ex": { ownership: "user", sha256: H("z") }, "a/b.ex": { sha256: H("b"), ownership: "owned" } },
    });
    const b = serialiseLock({
      version: 1,
      generator: "otpiser 1.2.3",
      files: { "a/b.ex": { sha256: H("b"), ownership: "owned" }, "z.ex": { sha256: H("z"), ownership: "user" } },
    });
    expect(a).toBe(b);
    expect(a.endsWith("}\n")).toBe(true);
    expect(a.indexOf('"a/b.ex"')).toBeLessThan(a.indexOf('"z.ex"'));
    expect(a.indexOf('"sha256"')).toBeLessThan(a.indexOf('"ownership"'));
    expect(Object.keys(JSON.parse(a))).toEqual(["version", "generator", "files"]);
  });

  it("round-trips", () => {
    const lock = { version: 1 as const, generator: "otpiser 0.1.0", files: { "mix.exs": { sha256: H("x"), ownership: "owned" as const } } };
    expect(parseLock(serialiseLock(lock))).toEqual(lock);
  });

  it("hashes strings as UTF-8 bytes", () => {
    expect(sha256("é")).toBe(sha256(Buffer.from("é", "utf8")));
    expect(sha256("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it.each([
    ["not JSON", "{nope"],
    ["wrong version", JSON.stringify({ version: 2, generator: "", files: {} })],
    ["files not an object", JSON.stringify({ version: 1, generator: "", files: [] })],
    ["bad hash", JSON.stringify({ version: 1, generator: "", files: { a: { sha256: "xyz", ownership: "owned" } } })],
    ["bad ownership", JSON.stringify({ version: 1, generator: "", files: { a: { sha256: H("a"), ownership: "mine" } } })],
    ["path escaping the project", JSON.stringify({ version: 1, generator: "", files: { "../x": { sha256: H("a"), ownership: "owned" } } })],
    ["absolute path", JSON.stringify({ version: 1, generator: "", files: { "/etc/passwd": { sha256: H("a"), ownership: "owned" } } })],
  ])("rejects a lock with %s", (_what, text) => {
    expect(() => parseLock(text)).toThrow(LockCorruptError);
  });
});

describe("readLock", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await scratch();
  });
  afterEach(async () => cleanup(dir));

  it("treats a missing lock (or missing directory) as empty", async () => {
    expect(await readLock(dir)).toEqual({ lock: emptyLock(), text: undefined });
    expect(await readLock(path.join(dir, "nope"))).toEqual({ lock: emptyLock(), text: undefined });
  });

  it("throws a typed error naming the file for a corrupt lock", async () => {
    await fs.mkdir(path.join(dir, ".otpiser"));
    await fs.writeFile(path.join(dir, LOCK_PATH), "garbage");
    const err = await readLock(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockCorruptError);
    expect((err as LockCorruptError).lockPath).toBe(path.join(dir, ".otpiser", "lock.json"));
    expect((err as LockCorruptError).code).toBe("lock-corrupt");
  });

  it("returns the exact text so an identical lock need not be rewritten", async () => {
    const text = serialiseLock({ version: 1, generator: "otpiser 9", files: {} });
    await fs.mkdir(path.join(dir, ".otpiser"));
    await fs.writeFile(path.join(dir, LOCK_PATH), text);
    const r = await readLock(dir);
    expect(r.text).toBe(text);
    expect(r.lock.generator).toBe("otpiser 9");
  });
});
