import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, otpiser, proveWithMix, tempDir } from "../helpers/cli.js";

/**
 * The "done means": one manifest using every generated kind together, with [http] and [cluster], generates
 * through the real CLI a project that compiles with --warnings-as-errors, is formatted without running the
 * formatter, and passes all its own tests — the HTTP endpoint over real HTTP and the 3-node cluster test included.
 */
describe("fixture otp-patterns", () => {
  it("generates a project whose whole suite passes, the 3-node cluster test included", { timeout: 600_000 }, async () => {
    const out = join(await tempDir(), "orbit");
    const gen = await otpiser(["generate", "-m", join(ROOT, "fixtures", "valid", "otp-patterns.toml"), "-o", out, "--no-format"]);
    expect(gen.exitCode, gen.stderr).toBe(0);
    const started = Date.now();
    const proof = await proveWithMix(out);
    expect(proof.ok, `${proof.step}\n${proof.output}`).toBe(true);
    expect(proof.testSummary).toMatch(/^\d+ tests, 0 failures$/);
    console.log(`otp-patterns: ${proof.testSummary} (compile + format check + mix test in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  });
});
