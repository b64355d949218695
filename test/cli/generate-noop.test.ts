import { readdir, rm, stat, utimes, writeFile, appendFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { otpiser, tempDir } from "../helpers/cli.js";

/**
 * A no-op regeneration answered from `.otpiser/stamp.json` through the built CLI: served from the cache
 * (`"cached": true`, which only the branch that skips planning sets), writing nothing, with the very report of a
 * full run — and the full run again as soon as the manifest or the generator changes. `--no-format` keeps it short.
 */
const MANIFEST = `[app]\nname = "shop"\n\n[services.config]\n\n[services.cache]\ndepends_on = ["config"]\n`;
const STAMP = join(".otpiser", "stamp.json");
const HOUR_AGO = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Every file's mtime in ns, by relative path. */
async function mtimes(dir: string): Promise<Record<string, bigint>> {
  const out: Record<string, bigint> = {};
  for (const f of await files(dir)) out[relative(dir, f)] = (await stat(f, { bigint: true })).mtimeNs;
  return out;
}

async function project() {
  const dir = await tempDir();
  const m = join(dir, "otpiser.toml");
  await writeFile(m, MANIFEST);
  const gen = async (env: Record<string, string> = {}, ...args: string[]) => {
    const r = await otpiser(["generate", "-m", m, "--no-format", "--json", ...args], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { status: string; cached: boolean; files: Array<{ path: string; action: string }> };
  };
  expect((await gen()).status).toBe("written");
  // Everything an hour old, so the cache trusts stats alone (files younger than 2 s are hashed, and the stamp is
  // refreshed once): the stamp is recorded afresh by the next (full) run.
  for (const f of await files(dir)) await utimes(f, HOUR_AGO, HOUR_AGO);
  const full = await gen();
  expect(full).toMatchObject({ status: "up-to-date", cached: false });
  return { dir, m, gen, full };
}

describe("generate: a no-op answered from the stat cache", () => {
  it("is served by the stamp, writes nothing, and reports exactly what the full run reports", async () => {
    const { dir, gen, full } = await project();
    const before = await mtimes(dir);
    const cached = await gen();
    expect(cached.cached).toBe(true);
    expect({ ...cached, cached: false }).toEqual(full);
    const check = await otpiser(["generate", "-m", join(dir, "otpiser.toml"), "--no-format", "--check", "--json"]);
    expect(check.exitCode).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ status: "up-to-date", cached: true });
    expect(await mtimes(dir)).toEqual(before);
  });

  it("an edited file that is kept reports `preserved` from the cache as from the full run", async () => {
    const { dir, gen } = await project();
    await appendFile(join(dir, "lib", "shop", "cache.ex"), "# mine\n");
    const full = await gen();
    expect(full.cached).toBe(false);
    expect(full.files.find((f) => f.path === "lib/shop/cache.ex")?.action).toBe("preserved");
    const cached = await gen();
    expect(cached.cached).toBe(true);
    expect({ ...cached, cached: false }).toEqual(full);
  });

  it("a changed manifest, another generator or a deleted stamp take the full path", async () => {
    const { dir, m, gen } = await project();
    await writeFile(m, `# a comment\n${MANIFEST}`);
    expect(await gen()).toMatchObject({ status: "up-to-date", cached: false });
    expect(await gen({ OTPISER_TEST_GENERATOR_FINGERPRINT: "another otpiser" })).toMatchObject({ status: "up-to-date", cached: false });
    await rm(join(dir, STAMP));
    expect(await gen()).toMatchObject({ status: "up-to-date", cached: false });
  });
});
