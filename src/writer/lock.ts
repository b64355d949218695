/**
 * `.otpiser/lock.json`: what otpiser last wrote, so the next run can tell its own files
 * (safe to regenerate) from files the user has since edited (never overwritten silently).
 *
 * The hash is of the exact bytes written, not of the plan, so any edit on disk — even
 * whitespace — is detected. Serialisation is deterministic (sorted keys, two-space indent,
 * trailing newline) so the lock diffs cleanly in version control and an unchanged lock
 * is byte-identical, which lets a no-op run write nothing at all.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs/promises";
import type { PlannedFile } from "../plan/types.js";
import { LockCorruptError } from "./errors.js";
import { META_DIR, resolveUnder, unsafePathReason } from "./paths.js";

export type Ownership = PlannedFile["ownership"];

export const LOCK_VERSION = 1;
/** Relative (POSIX) path of the lock inside the output directory. */
export const LOCK_PATH = `${META_DIR}/lock.json`;

export interface LockEntry {
  /** Lower-case hex sha256 of the bytes otpiser last wrote at this path. */
  sha256: string;
  ownership: Ownership;
}

export interface Lock {
  version: typeof LOCK_VERSION;
  /** `otpiser <version>` that wrote the lock. Informational only. */
  generator: string;
  /** Keyed by relative POSIX path. */
  files: Record<string, LockEntry>;
}

export function emptyLock(generator = ""): Lock {
  return { version: LOCK_VERSION, generator, files: {} };
}

/** sha256 in lower-case hex. Strings are hashed as their UTF-8 encoding, i.e. as they are written to disk. */
export function sha256(content: string | Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Parse lock text. `where` names the file in error messages.
 * Throws `LockCorruptError` on anything unexpected, including unsafe paths (a hand-edited
 * lock must not be able to make us delete files outside the project).
 */
export function parseLock(text: string, where: string = LOCK_PATH): Lock {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new LockCorruptError(where, "not valid JSON", e);
  }
  if (!isRecord(raw)) throw new LockCorruptError(where, "top level is not an object");
  if (raw.version !== LOCK_VERSION) {
    throw new LockCorruptError(where, `unsupported version ${JSON.stringify(raw.version)} (expected ${LOCK_VERSION})`);
  }
  if (typeof raw.generator !== "string") throw new LockCorruptError(where, "`generator` is not a string");
  if (!isRecord(raw.files)) throw new LockCorruptError(where, "`files` is not an object");
  const files: Record<string, LockEntry> = {};
  for (const [p, entry] of Object.entries(raw.files)) {
    const why = unsafePathReason(p);
    if (why !== undefined) throw new LockCorruptError(where, `entry ${JSON.stringify(p)}: ${why}`);
    if (!isRecord(entry)) throw new LockCorruptError(where, `entry ${JSON.stringify(p)} is not an object`);
    const { sha256: hash, ownership } = entry;
    if (typeof hash !== "string" || !/^[0-9a-f]{64}$/.test(hash)) {
      throw new LockCorruptError(where, `entry ${JSON.stringify(p)} has no valid sha256`);
    }
    if (ownership !== "owned" && ownership !== "user") {
      throw new LockCorruptError(where, `entry ${JSON.stringify(p)} has invalid ownership ${JSON.stringify(ownership)}`);
    }
    files[p] = { sha256: hash, ownership };
  }
  return { version: LOCK_VERSION, generator: raw.generator, files };
}

/** Deterministic text form: fixed top-level key order, file entries sorted by path, trailing newline. */
export function serialiseLock(lock: Lock): string {
  const files: Record<string, LockEntry> = {};
  for (const p of Object.keys(lock.files).sort(comparePaths)) {
    const e = lock.files[p]!;
    files[p] = { sha256: e.sha256, ownership: e.ownership };
  }
  return `${JSON.stringify({ version: lock.version, generator: lock.generator, files }, null, 2)}\n`;
}

/** Plain code-unit order, independent of locale, so the lock is identical on every machine. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface ReadLockResult {
  lock: Lock;
  /** The exact text on disk, or undefined if there was no lock. Lets the writer skip rewriting an identical lock. */
  text: string | undefined;
}

/** Read the lock of `outDir`. A missing lock (or output directory) is an empty lock; a corrupt one throws `LockCorruptError`. */
export async function readLock(outDir: string): Promise<ReadLockResult> {
  const file = resolveUnder(outDir, LOCK_PATH);
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { lock: emptyLock(), text: undefined };
    throw e;
  }
  return { lock: parseLock(text, file), text };
}
