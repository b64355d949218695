import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { VERSION } from "../../src/cli/package-root.js";
import { ROOT, otpiser, tempDir } from "../helpers/cli.js";

describe("the lock file", () => {
  it("records the generator once: `otpiser <version>`", { timeout: 60_000 }, async () => {
    const out = join(await tempDir(), "app");
    const r = await otpiser(["generate", "-m", join(ROOT, "fixtures", "valid", "minimal.toml"), "-o", out, "--no-format"]);
    expect(r.exitCode, r.stderr).toBe(0);
    const lock = JSON.parse(await readFile(join(out, ".otpiser", "lock.json"), "utf8")) as { generator: string };
    expect(lock.generator).toBe(`otpiser ${VERSION}`);
  });
});
