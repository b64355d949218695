import { execa } from "execa";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parseValidateArgv } from "../../src/cli/fast-path.js";
import { CLI, ROOT, otpiser } from "../helpers/cli.js";

/**
 * bin/run.js answers `--version` and plain `validate` lines without loading oclif (for cold start, see bench/).
 * What it prints and its exit code must be exactly what oclif prints: each line below runs both ways, through
 * bin/run.js and through oclif's `execute` directly (the old bin/run.js), and the outputs are compared byte for byte.
 */
async function throughOclif(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const script = `import { execute } from "@oclif/core"; await execute({ dir: ${JSON.stringify(pathToFileURL(CLI).href)}, args: ${JSON.stringify(args)} });`;
  // The environment otpiser() gives bin/run.js: the test's own minus colour and debug settings.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !["OTPISER_DEBUG", "NO_COLOR", "FORCE_COLOR"].includes(k)));
  const r = await execa(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, reject: false, stdin: "ignore", env, extendEnv: false });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const dir = mkdtempSync(join(tmpdir(), "otpiser-fast-path-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const notUtf8 = join(dir, "latin1.toml");
writeFileSync(notUtf8, Buffer.from([0x5b, 0x61, 0x70, 0x70, 0x5d, 0x0a, 0xff, 0xfe, 0x0a]));

describe("the fast path prints what oclif prints", { timeout: 120_000 }, () => {
  const lines: string[][] = [
    ["--version"],
    ["validate", "-m", "fixtures/valid/ten-services.toml"],
    ["validate", "--manifest", "fixtures/valid/scheduled-jobs.toml", "--no-color"],
    ["validate", "--manifest=fixtures/valid/all-kinds.toml", "--strict"],
    ["validate", "-m", "fixtures/valid/all-kinds.toml", "--json", "--strict"],
    ["validate", "-m", "fixtures/invalid/cycle-3.toml"],
    ["validate", "-m", "fixtures/invalid/unknown-key-service.toml", "--json"],
    ["validate", "-m", "fixtures/legacy/payments-legacy.toml"],
    ["validate", "-m", "does/not/exist.toml"],
    ["validate", "-m", "does/not/exist.toml", "--json"],
    ["validate", "-m", "fixtures"],
    ["validate", "-m", notUtf8],
    ["validate"],
  ];
  for (const args of lines) {
    it(`otpiser ${args.join(" ").replace(dir, "$TMP")}`, async () => {
      const [fast, oclif] = await Promise.all([otpiser(args), throughOclif(args)]);
      expect(fast).toEqual(oclif);
    });
  }
});

describe("parseValidateArgv takes only command lines whose meaning is certain", () => {
  it("reads -m/--manifest/--manifest=, --strict, --json, --no-color", () => {
    expect(parseValidateArgv([])).toEqual({ manifest: "otpiser.toml", strict: false, json: false, noColor: false });
    expect(parseValidateArgv(["-m", "a.toml", "--strict"])).toEqual({ manifest: "a.toml", strict: true, json: false, noColor: false });
    expect(parseValidateArgv(["--json", "--manifest=b.toml", "--no-color"])).toEqual({ manifest: "b.toml", strict: false, json: true, noColor: true });
    expect(parseValidateArgv(["--manifest", "c.toml"])?.manifest).toBe("c.toml");
  });

  it("leaves everything else to oclif", () => {
    for (const args of [
      ["--help"], ["-h"], ["--strict", "--strict"], ["-m", "a", "-m", "b"], ["-m"], ["-m", "--json"], ["-m", ""],
      ["--manifest=-x"], ["-ma.toml"], ["-m=a.toml"], ["extra"], ["--"], ["--bogus"], ["--no-strict"], ["--json=true"],
    ]) {
      expect(parseValidateArgv(args), args.join(" ")).toBeUndefined();
    }
  });
});
