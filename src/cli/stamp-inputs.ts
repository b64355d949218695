/**
 * The inputs a generation depends on, as keys of the stat cache (src/writer/stamp.ts): the manifest's text,
 * otpiser's version, a stat-only fingerprint of the generator itself (dist/ and templates/, so a rebuilt dev tree
 * counts as a new generator) and whether — and with which Elixir — the formatter runs, since its output depends on
 * the Elixir version.
 */
import { realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { findExecutable } from "../toolchain/find-executable.js";
import { stampInputs, treeFingerprint } from "../writer/index.js";
import { PACKAGE_ROOT, VERSION } from "./package-root.js";

/**
 * Test seam, not a user setting: replaces the generator fingerprint, to simulate a new otpiser without rebuilding.
 * @internal
 */
export const GENERATOR_FINGERPRINT_ENV = "OTPISER_TEST_GENERATOR_FINGERPRINT";

let generatorFingerprint: Promise<string> | undefined;

function generator(): Promise<string> {
  const forced = process.env[GENERATOR_FINGERPRINT_ENV];
  if (forced !== undefined && forced !== "") return Promise.resolve(forced);
  generatorFingerprint ??= treeFingerprint([join(PACKAGE_ROOT, "dist"), join(PACKAGE_ROOT, "templates")]);
  return generatorFingerprint;
}

/** The `elixir` the formatter would run, identified by its real path, size and mtime; undefined if there is none. */
async function formatterIdentity(): Promise<string | undefined> {
  const found = await findExecutable("elixir");
  if (found === undefined) return undefined;
  try {
    const real = await realpath(found);
    const st = await stat(real, { bigint: true });
    return `elixir:${real}:${st.size}:${st.mtimeNs}`;
  } catch {
    return undefined;
  }
}

export interface StampKeys {
  /** The key of this run's inputs. */
  key: string;
  /** The key of the same run without the formatter: also valid when the formatter changes nothing. */
  unformattedKey: string;
}

/** The keys of generating `manifestText`; undefined when they cannot be known (the formatter is wanted but missing). */
export async function stampKeys(manifestText: string, format: boolean): Promise<StampKeys | undefined> {
  const base = [manifestText, VERSION, await generator()];
  const unformattedKey = stampInputs([...base, "format:off"]);
  if (!format) return { key: unformattedKey, unformattedKey };
  const elixir = await formatterIdentity();
  return elixir === undefined ? undefined : { key: stampInputs([...base, elixir]), unformattedKey };
}
