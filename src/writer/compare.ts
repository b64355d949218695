/**
 * Decide, for every path, what a write would do — without touching the disk.
 *
 * Inputs are the plan, a snapshot of the bytes currently on disk, and the previous lock.
 * Keeping this pure makes the safety rules (never overwrite a user's edit without consent)
 * easy to read and to test exhaustively; `write.ts` only gathers the snapshot and carries
 * out the result.
 */
import type { Plan } from "../plan/types.js";
import { type Lock, type LockEntry, type Ownership, comparePaths, emptyLock, sha256 } from "./lock.js";
import { hasConflictMarkers, mergeThreeWay } from "./merge.js";

export type ActionKind =
  /** Absent on disk: will be written. */
  | "create"
  /** Owned, untouched by the user since we wrote it, content changed: will be rewritten. */
  | "update"
  /** A conflict the user chose to overwrite with `force`: will be rewritten. */
  | "overwritten"
  /** Identical bytes already on disk: not touched (mtime preserved). */
  | "unchanged"
  /**
   * Owned file that exists but differs from what we last wrote and cannot be merged (we never wrote it, there is no
   * merge base, merging is off, or it still holds conflict markers): left alone, blocks the write.
   */
  | "conflict"
  /** User-owned file that already exists with other content: never touched again. */
  | "keep"
  /**
   * Owned file the user edited, while what otpiser generates for it is still exactly what it last wrote: there is
   * nothing new to bring in, so the user's version stays (filled-in callbacks survive unrelated manifest changes).
   * The lock keeps the old hash, so a later change in the generated content is merged into the user's version.
   */
  | "preserved"
  /**
   * Owned file the user edited while its generation changed too, merged three ways (base: what otpiser last wrote,
   * kept in `.otpiser/base/`) without conflict: the merged text is written (`result`). The lock and the base record
   * the new generation, so the next run still sees the user's edits as edits.
   */
  | "merged"
  /**
   * As `merged`, but some hunks changed on both sides: written with conflict markers around them (`result`), listed,
   * and the exit code says so. Until the markers are gone, later runs refuse to touch the file (`conflict`, `unresolved`).
   */
  | "merge-conflict"
  /** No longer planned, and still exactly what we wrote: will be deleted. */
  | "remove"
  /** No longer planned, but the user edited it: left in place, and released from the lock (it is now the user's file). */
  | "orphan-edited";

export const ACTION_KINDS: readonly ActionKind[] = [
  "create",
  "update",
  "overwritten",
  "unchanged",
  "conflict",
  "keep",
  "preserved",
  "merged",
  "merge-conflict",
  "remove",
  "orphan-edited",
];

/**
 * Why an owned file is a conflict:
 * `edited` — we wrote it, and its bytes changed since (and it cannot be merged: no valid base, or merging is off);
 * `untracked` — it exists but the lock does not know it (the user wrote it, or the lock was lost);
 * `unresolved` — it still holds the conflict markers of an earlier merge (or of git's).
 */
export type ConflictReason = "edited" | "untracked" | "unresolved";

export interface FileAction {
  /** Relative POSIX path inside the output directory. */
  path: string;
  kind: ActionKind;
  /** Ownership from the plan; for paths no longer planned, from the previous lock. */
  ownership: Ownership;
  /** What is on disk now (UTF-8 decoded), or undefined if absent. */
  current: string | undefined;
  /** What the plan wants here, or undefined if the path is no longer planned. For a conflict: what `force` would write. */
  planned: string | undefined;
  /** Only for `merged` and `merge-conflict`: the merged text, which is what goes on disk (the lock records `planned`). */
  result?: string;
  /** Only for `merge-conflict`: how many hunks are in conflict markers. */
  conflictHunks?: number;
  /** Only for `conflict` and `overwritten`. */
  reason?: ConflictReason;
}

export type ActionCounts = Record<ActionKind, number>;

/**
 * Bytes currently on disk, keyed by relative POSIX path; `undefined` means absent.
 * Must have a key for every planned path and every path in the previous lock.
 * Strings are taken as their UTF-8 encoding.
 */
export type DiskSnapshot = ReadonlyMap<string, Uint8Array | string | undefined>;

export interface CompareOptions {
  /** Turn conflicts into `overwritten` (the user consented to losing their edits). */
  force?: boolean;
  /** Merge edited files whose generation changed (default true); false: they are conflicts, as before merging existed. */
  merge?: boolean;
  /**
   * The merge bases: what otpiser last wrote, by path, as kept in `.otpiser/base/`. Only consulted for owned files
   * the user edited; a missing entry, or one whose hash is not the lock's, means "no base" (the file is a conflict).
   */
  bases?: ReadonlyMap<string, Uint8Array | string | undefined>;
}

export interface Comparison {
  /** One action per planned path and per previously locked path still on disk, sorted by path. */
  actions: FileAction[];
  /** The `conflict` actions (empty when `force`). Non-empty means: write nothing. */
  conflicts: FileAction[];
  /** The `merge-conflict` actions: written, with conflict markers. */
  mergeConflicts: FileAction[];
  counts: ActionCounts;
}

/** Kinds that put new bytes on disk. */
export function writesContent(kind: ActionKind): boolean {
  return kind === "create" || kind === "update" || kind === "overwritten" || kind === "merged" || kind === "merge-conflict";
}

/** The bytes an action puts on disk (for kinds that write): the merge result for merges, else the planned content. */
export function contentToWrite(a: FileAction): string {
  return a.result ?? a.planned ?? "";
}

export function emptyCounts(): ActionCounts {
  return Object.fromEntries(ACTION_KINDS.map((k) => [k, 0])) as ActionCounts;
}

export function countActions(actions: readonly FileAction[]): ActionCounts {
  const counts = emptyCounts();
  for (const a of actions) counts[a.kind]++;
  return counts;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8");
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

/** The text of `bytes`, or undefined if they are not valid UTF-8 (such files are never merged). */
function strictText(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

function toBytes(v: Uint8Array | string): Uint8Array {
  return typeof v === "string" ? encoder.encode(v) : v;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function lookup(disk: DiskSnapshot, p: string): Uint8Array | undefined {
  // A missing key must not be mistaken for "absent": that would turn an existing file into a `create` and overwrite it.
  if (!disk.has(p)) throw new Error(`internal error: disk snapshot has no entry for ${p}`);
  const v = disk.get(p);
  return v === undefined ? undefined : toBytes(v);
}

export function compareWithDisk(
  plan: Plan,
  disk: DiskSnapshot,
  previousLock: Lock = emptyLock(),
  options: CompareOptions = {},
): Comparison {
  const actions: FileAction[] = [];
  const planned = new Set<string>();

  for (const file of plan.files) {
    planned.add(file.path);
    const onDisk = lookup(disk, file.path);
    const base = { path: file.path, ownership: file.ownership, planned: file.content };
    if (onDisk === undefined) {
      actions.push({ ...base, kind: "create", current: undefined });
      continue;
    }
    const current = decoder.decode(onDisk);
    if (bytesEqual(onDisk, encoder.encode(file.content))) {
      actions.push({ ...base, kind: "unchanged", current });
    } else if (file.ownership === "user") {
      actions.push({ ...base, kind: "keep", current });
    } else {
      actions.push({ ...base, ...editedOwnedFile(file.path, onDisk, current, file.content, previousLock.files[file.path], options) });
    }
  }

  for (const [p, entry] of Object.entries(previousLock.files)) {
    if (planned.has(p)) continue;
    const onDisk = lookup(disk, p);
    // Already gone (the user deleted it): nothing to do; it simply drops out of the next lock.
    if (onDisk === undefined) continue;
    const kind: ActionKind = sha256(onDisk) === entry.sha256 ? "remove" : "orphan-edited";
    actions.push({ path: p, kind, ownership: entry.ownership, current: decoder.decode(onDisk), planned: undefined });
  }

  actions.sort((a, b) => comparePaths(a.path, b.path));
  return {
    actions,
    conflicts: actions.filter((a) => a.kind === "conflict"),
    mergeConflicts: actions.filter((a) => a.kind === "merge-conflict"),
    counts: countActions(actions),
  };
}

type Decision = Omit<FileAction, "path" | "ownership" | "planned">;

/** An owned, planned file that exists with other bytes than planned: update, keep the user's, merge, or conflict. */
function editedOwnedFile(
  p: string,
  onDisk: Uint8Array,
  current: string,
  planned: string,
  previous: LockEntry | undefined,
  options: CompareOptions,
): Decision {
  if (previous !== undefined && previous.sha256 === sha256(onDisk)) return { kind: "update", current };
  if (previous === undefined) return { kind: options.force ? "overwritten" : "conflict", current, reason: "untracked" };
  if (options.force) return { kind: "overwritten", current, reason: "edited" };
  // Markers of an earlier merge that the user has not resolved: merging again (or keeping it quietly) would bury them.
  if (hasConflictMarkers(current) && !hasConflictMarkers(planned)) return { kind: "conflict", current, reason: "unresolved" };
  if (previous.sha256 === sha256(planned)) return { kind: "preserved", current };
  if (options.merge === false) return { kind: "conflict", current, reason: "edited" };

  const baseValue = options.bases?.get(p);
  const baseBytes = baseValue === undefined ? undefined : typeof baseValue === "string" ? encoder.encode(baseValue) : baseValue;
  // A base that is not byte for byte what the lock says we wrote (lost, or edited by hand) cannot be trusted.
  const baseText = baseBytes !== undefined && sha256(baseBytes) === previous.sha256 ? strictText(baseBytes) : undefined;
  const yours = strictText(onDisk);
  if (baseText === undefined || yours === undefined) return { kind: "conflict", current, reason: "edited" };
  const merged = mergeThreeWay(yours, baseText, planned);
  return merged.conflicts === 0
    ? { kind: "merged", current, result: merged.text }
    : { kind: "merge-conflict", current, result: merged.text, conflictHunks: merged.conflicts };
}

/**
 * The lock to record once `actions` have been carried out: the hash of every file we
 * wrote or found identical, previous entries for files we left alone, nothing for files
 * removed or released.
 */
export function nextLock(previousLock: Lock, actions: readonly FileAction[], generator: string): Lock {
  const files: Record<string, LockEntry> = {};
  for (const a of actions) {
    const previous = previousLock.files[a.path];
    switch (a.kind) {
      case "create":
      case "update":
      case "overwritten":
      case "unchanged":
      case "merged":
      case "merge-conflict":
        // For merges: the new generation, not the merged text, which is what the user's edits are measured against.
        files[a.path] = { sha256: sha256(a.planned ?? ""), ownership: a.ownership };
        break;
      case "keep":
        // We did not write these bytes; remember only what we once wrote, if anything.
        if (previous !== undefined) files[a.path] = { sha256: previous.sha256, ownership: "user" };
        break;
      case "conflict":
      case "preserved":
        if (previous !== undefined) files[a.path] = { ...previous };
        break;
      case "remove":
      case "orphan-edited":
        break;
    }
  }
  return { version: previousLock.version, generator, files };
}
