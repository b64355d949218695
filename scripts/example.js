#!/usr/bin/env node
// The README's first set-up command: generate the embedded example project end to end and prove it with mix.
// Writes into a fresh temporary directory (or the one given), never into the checkout.
import { execa } from "execa";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "..", "..");
const cli = join(root, "bin", "run.js");
const manifest = join(root, "fixtures", "valid", "ten-services.toml");
const out = process.argv[2] ? resolve(process.argv[2]) : join(await mkdtemp(join(tmpdir(), "otpiser-example-")), "app");

const step = async (title, file, args, options = {}) => {
  process.stderr.write(`\n==> ${title}\n$ ${[file, ...args].join(" ")}\n`);
  await execa(file, args, { stdio: "inherit", ...options });
};

try {
  await step("validate the example manifest", cli, ["validate", "-m", manifest]);
  await step("show the computed tree and why", cli, ["info", "-m", manifest, "--explain"]);
  await step("generate the mix project", cli, ["generate", "-m", manifest, "-o", out]);
  const env = { ...process.env, MIX_ENV: "test" };
  await step("compile with warnings as errors", "mix", ["compile", "--warnings-as-errors"], { cwd: out, env });
  await step("check formatting", "mix", ["format", "--check-formatted"], { cwd: out, env });
  await step("run the generated tests", "mix", ["test"], { cwd: out, env });
  process.stderr.write(`\nexample project OK: ${out}\n`);
} catch (error) {
  process.stderr.write(`\nexample failed: ${error.shortMessage ?? error.message}\n`);
  process.exitCode = 1;
}
