import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findExecutable } from "../../src/toolchain/find-executable.js";

let tmp: string;
beforeAll(async () => {
  tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), "otpiser-findexe-")));
  await fs.mkdir(path.join(tmp, "a"));
  await fs.mkdir(path.join(tmp, "b"));
  await fs.writeFile(path.join(tmp, "a", "tool"), "not executable");
  await fs.writeFile(path.join(tmp, "b", "tool"), "#!/bin/sh\n", { mode: 0o755 });
  await fs.mkdir(path.join(tmp, "a", "dirtool"));
});
afterAll(async () => fs.rm(tmp, { recursive: true, force: true }));

describe.skipIf(process.platform === "win32")("findExecutable", () => {
  it("returns the first executable regular file on PATH, skipping non-executables", async () => {
    // As root, X_OK passes for any file with at least one x bit; `a/tool` has none.
    expect(await findExecutable("tool", { env: { PATH: `${tmp}/a:${tmp}/b` } })).toBe(path.join(tmp, "b", "tool"));
  });

  it("skips directories and returns undefined when absent", async () => {
    expect(await findExecutable("dirtool", { env: { PATH: `${tmp}/a` } })).toBeUndefined();
    expect(await findExecutable("tool", { env: { PATH: "" } })).toBeUndefined();
    expect(await findExecutable("tool", { env: {} })).toBeUndefined();
  });

  it("ignores empty and relative PATH entries (never the current directory)", async () => {
    // A relative entry that does lead to an executable `tool` from the current directory.
    const relative = path.relative(process.cwd(), path.join(tmp, "b"));
    expect(path.isAbsolute(relative)).toBe(false);
    expect(await findExecutable("tool", { env: { PATH: `:.:${relative}` } })).toBeUndefined();
  });

  it("checks a name containing a slash as a path", async () => {
    expect(await findExecutable(path.join(tmp, "b", "tool"), { env: { PATH: "" } })).toBe(path.join(tmp, "b", "tool"));
    expect(await findExecutable(path.join(tmp, "a", "tool"), { env: { PATH: "" } })).toBeUndefined();
  });
});
