/**
 * `.otpiser/stamp.json`: a stat cache, like git's index, that answers a no-op regeneration without planning or
 * reading the project. It records, for the inputs of a run that left the project up to date, the size and mtime of
 * every file that run vouched for (project files, merge bases, the lock) and what a rerun would report for each.
 * When the inputs match and every file still stats the same, the rerun's answer is known: `up-to-date`.
 *
 * A pure cache: a missing, corrupt or mismatching stamp is ignored (the normal path runs), never an error. It holds
 * mtimes, so it is not for version control (the generated .gitignore lists it).
 *
 * Racy entries (git's "racy clean" problem): a file whose mtime is not clearly older than the run that recorded it
 * could change again within the same timestamp tick without its stat changing. Such entries carry the sha256 of the
 * bytes the run vouched for and are verified by hashing instead of trusted; once they are old enough, a fast run
 * refreshes the stamp so later runs only stat. Limit (git's too): an edit that keeps the size and has its mtime set
 * back by hand to the recorded value is not seen; delete the stamp to force a full comparison.
 */
import { lstatSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { type ActionKind, type FileAction, contentToWrite, countActions } from "./compare.js";
import { replaceFileAtomic } from "./durable.js";
import { JOURNAL_PATH } from "./journal.js";
import { basePath } from "./base.js";
import { hasConflictMarkers } from "./merge.js";
import { LOCK_PATH, type Ownership, comparePaths, parseLock, sha256 } from "./lock.js";
import { META_DIR, resolveUnder, unsafePathReason } from "./paths.js";
import type { WriteResult } from "./write.js";

export const STAMP_PATH = `${META_DIR}/stamp.json`;
export const STAMP_VERSION = 1;
/**
 * Timestamp granularity assumed for the racy rule: an mtime within this of the recording run is not trusted. 2 s
 * covers the coarsest filesystems in use (FAT); on finer ones it only means a few more files get hashed once.
 */
export const RACY_WINDOW_MS = 2000;
/** Input sets kept: different inputs can leave the very same files (formatter on/off, a comment in the manifest). */
const MAX_INPUTS = 8;

/** What a rerun reports for a project file, or the bookkeeping files the stamp also watches. */
export type StampKind = Extract<ActionKind, "unchanged" | "keep" | "preserved"> | "base" | "lock";

export interface StampEntry {
  size: number;
  /** Nanoseconds since the epoch, as a decimal string (beyond a double's precision). */
  mtime_ns: string;
  kind: StampKind;
  /** For project files. */
  ownership?: Ownership;
  /** Only for racy entries: the sha256 of the bytes the recording run vouched for. */
  sha256?: string;
}

export interface Stamp {
  version: typeof STAMP_VERSION;
  /** sha256 digests of the input sets (stampInputs) known to leave exactly these files. */
  inputs: string[];
  /** When the recording run started (ms since the epoch): the reference of the racy rule. */
  written_ms: number;
  files: Record<string, StampEntry>;
}

/** The digest of one input set: the manifest text, otpiser's version, the generator fingerprint, the formatter… */
export function stampInputs(parts: readonly string[]): string {
  return sha256(JSON.stringify(["otpiser-stamp", STAMP_VERSION, ...parts]));
}

/**
 * A stat-only fingerprint of the files under `dirs` (paths, sizes, mtimes): a rebuilt or edited generator changes
 * it without any file being read. Directories that do not exist contribute nothing.
 */
export async function treeFingerprint(dirs: readonly string[]): Promise<string> {
  const lines: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    await Promise.all(
      entries.map(async (e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) return walk(p);
        const st = await fs.stat(p, { bigint: true }).catch(() => undefined);
        if (st !== undefined) lines.push(`${p}\0${st.size}\0${st.mtimeNs}`);
      }),
    );
  };
  for (const d of dirs) await walk(d);
  return sha256(lines.sort().join("\n"));
}

/**
 * Size and mtime of a regular file (not following symlinks), or undefined. Synchronous on purpose: thousands of tiny
 * metadata reads are several times faster in one loop than as promises queued on libuv's four threads, and checking
 * them is the whole cost of a no-op regeneration beyond `validate`.
 */
function statFile(file: string): { size: number; mtimeNs: bigint } | undefined {
  try {
    const st = lstatSync(file, { bigint: true, throwIfNoEntry: false });
    return st?.isFile() ? { size: Number(st.size), mtimeNs: st.mtimeNs } : undefined;
  } catch {
    return undefined;
  }
}

const isRacy = (mtimeNs: bigint, writtenMs: number): boolean => mtimeNs >= BigInt(Math.floor(writtenMs - RACY_WINDOW_MS)) * 1_000_000n;

function parseStamp(text: string): Stamp | undefined {
  try {
    const raw = JSON.parse(text) as Partial<Stamp>;
    const kinds = new Set<string>(["unchanged", "keep", "preserved", "base", "lock"]);
    if (raw.version !== STAMP_VERSION || !Array.isArray(raw.inputs) || typeof raw.written_ms !== "number") return undefined;
    if (typeof raw.files !== "object" || raw.files === null) return undefined;
    for (const e of Object.values(raw.files)) {
      if (typeof e !== "object" || e === null || typeof e.size !== "number" || typeof e.mtime_ns !== "string" || !/^\d+$/.test(e.mtime_ns)) return undefined;
      if (!kinds.has(e.kind)) return undefined;
    }
    // A hand-edited stamp must not make us read outside the project.
    if (Object.keys(raw.files).some((p) => unsafePathReason(p) !== undefined)) return undefined;
    return raw as Stamp;
  } catch {
    return undefined;
  }
}

export async function readStamp(root: string): Promise<Stamp | undefined> {
  try {
    return parseStamp(await fs.readFile(resolveUnder(root, STAMP_PATH), "utf8"));
  } catch {
    return undefined;
  }
}

/**
 * What rerunning with the same inputs reports for `a` once `a` is carried out, and the bytes it leaves; undefined
 * for paths a rerun does not list (removed, released); "refuse" when a rerun would not be up to date.
 */
function rerun(a: FileAction): { kind: StampKind; bytes: string } | undefined | "refuse" {
  if (a.kind === "remove" || a.kind === "orphan-edited") return undefined;
  if (a.kind === "conflict" || a.kind === "merge-conflict" || a.planned === undefined) return "refuse";
  const bytes = a.kind === "create" || a.kind === "update" || a.kind === "overwritten" || a.kind === "merged" ? contentToWrite(a) : a.current;
  if (bytes === undefined) return "refuse";
  if (bytes === a.planned) return { kind: "unchanged", bytes };
  if (a.ownership === "user") return { kind: "keep", bytes };
  // Left conflict markers make a rerun refuse the file (compare.ts): nothing to cache.
  if (hasConflictMarkers(bytes) && !hasConflictMarkers(a.planned)) return "refuse";
  return { kind: "preserved", bytes };
}

/**
 * Records the stamp after a run whose status is `written` (without merge conflicts) or `up-to-date`, keyed by
 * `inputs` (one or more input sets that produce this plan). `startedMs`: when the run started, before it read the
 * disk. Writes only when the content changes; returns whether it wrote. Never throws: a cache that cannot be
 * written is simply not there.
 */
export async function recordStamp(result: WriteResult, inputs: readonly string[], startedMs: number): Promise<boolean> {
  try {
    if ((result.status !== "written" && result.status !== "up-to-date") || result.mergeConflicts.length > 0 || result.conflicts.length > 0) return false;
    const root = result.outDir;
    const files: Record<string, StampEntry> = {};
    const put = async (p: string, kind: StampKind, expected: () => string, ownership?: Ownership): Promise<boolean> => {
      const st = statFile(resolveUnder(root, p));
      if (st === undefined) return false;
      const entry: StampEntry = { size: st.size, mtime_ns: st.mtimeNs.toString(), kind, ...(ownership ? { ownership } : {}) };
      if (isRacy(st.mtimeNs, startedMs)) entry.sha256 = expected();
      files[p] = entry;
      return true;
    };
    for (const a of result.actions) {
      const r = rerun(a);
      if (r === "refuse") return false;
      if (r !== undefined && !(await put(a.path, r.kind, () => sha256(r.bytes), a.ownership))) return false;
    }
    // The lock is read before it is stat'ed: an edit in between leaves a newer mtime, hence a racy entry whose hash fails.
    const lockText = await fs.readFile(resolveUnder(root, LOCK_PATH), "utf8");
    const lock = parseLock(lockText);
    if (!(await put(LOCK_PATH, "lock", () => sha256(lockText)))) return false;
    for (const [p, e] of Object.entries(lock.files)) {
      if (e.ownership === "owned" && !(await put(basePath(p), "base", () => e.sha256))) return false;
    }

    const previous = await readStamp(root);
    const sameFiles = previous !== undefined && JSON.stringify(sortedFiles(previous.files)) === JSON.stringify(sortedFiles(files));
    const keys = [...new Set([...inputs, ...(sameFiles ? previous.inputs : [])])].slice(0, MAX_INPUTS);
    if (sameFiles && keys.every((k) => previous.inputs.includes(k))) return false;
    await writeStamp(root, { version: STAMP_VERSION, inputs: keys, written_ms: startedMs, files });
    return true;
  } catch {
    return false;
  }
}

function sortedFiles(files: Record<string, StampEntry>): Array<[string, StampEntry]> {
  return Object.entries(files)
    .sort(([a], [b]) => comparePaths(a, b))
    .map(([p, e]) => [p, { size: e.size, mtime_ns: e.mtime_ns, kind: e.kind, ownership: e.ownership, sha256: e.sha256 }]);
}

async function writeStamp(root: string, stamp: Stamp): Promise<void> {
  const ordered = { ...stamp, files: Object.fromEntries(sortedFiles(stamp.files)) };
  await replaceFileAtomic(resolveUnder(root, STAMP_PATH), `${JSON.stringify(ordered, null, 2)}\n`);
}

/**
 * The `up-to-date` result a full run would return, answered from the stamp of `root` (a resolved output directory):
 * when `inputs` is one of its input sets, no journal is pending, and every file stats as recorded (racy ones also
 * hash as recorded). Undefined at the slightest doubt. `current`/`planned` of the actions are not known (undefined);
 * nothing shows them for these kinds. `now` is for tests.
 */
export async function answerFromStamp(root: string, inputs: string, now: number = Date.now()): Promise<WriteResult | undefined> {
  const stamp = await readStamp(root);
  if (stamp === undefined || !stamp.inputs.includes(inputs)) return undefined;
  try {
    await fs.lstat(resolveUnder(root, JOURNAL_PATH));
    return undefined;
  } catch {
    // no journal: nothing interrupted to finish
  }
  const entries = Object.entries(stamp.files);
  let racy = 0;
  let refreshable = true;
  for (const [p, e] of entries) {
    const file = resolveUnder(root, p);
    const st = statFile(file);
    if (st === undefined || st.size !== e.size || st.mtimeNs.toString() !== e.mtime_ns) return undefined;
    if (!isRacy(st.mtimeNs, stamp.written_ms)) continue;
    if (e.sha256 === undefined) return undefined;
    racy++;
    if (isRacy(st.mtimeNs, now)) refreshable = false;
    if (sha256(await fs.readFile(file)) !== e.sha256) return undefined;
  }
  if (racy > 0 && refreshable) {
    // Verified, and now old enough to be trusted by their stat alone: later runs need not hash them again.
    const files = Object.fromEntries(entries.map(([p, { sha256: _, ...rest }]) => [p, rest]));
    await writeStamp(root, { ...stamp, written_ms: now, files }).catch(() => undefined);
  }
  const actions: FileAction[] = entries
    .filter(([, e]) => e.kind !== "base" && e.kind !== "lock")
    .map(([p, e]) => ({ path: p, kind: e.kind as ActionKind, ownership: e.ownership ?? "owned", current: undefined, planned: undefined }))
    .sort((a, b) => comparePaths(a.path, b.path));
  return {
    outDir: root, status: "up-to-date", wrote: false, actions, conflicts: [], mergeConflicts: [], counts: countActions(actions),
    filesWritten: 0, filesRemoved: 0, basesWritten: 0, basesRemoved: 0, basesPending: 0, lockWritten: false, lockChanged: false,
  };
}
