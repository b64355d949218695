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

export type ActionKind =
  /** Absent on disk: will be written. */
  | "create"
  /** Owned, untouched by the user since we wrote it, content changed: will be rewritten. */
  | "update"
  /** A conflict the user chose to overwrite with `force`: will be rewritten. */
  | "overwritten"
  /** Identical bytes already on disk: not touched (mtime preserved). */
  | "unchanged"
  /** Owned file that exists but differs from what we last wrote (or that we never wrote): left alone, blocks the write. */
  | "conflict"
  /** User-owned file that already exists with other content: never touched again. */
  | "keep"
  /**
   * Owned file the user edited, while what otpiser generates for it is still exactly what it last wrote: there is
   * nothing new to bring in, so the user's version stays (filled-in callbacks survive unrelated manifest changes).
   * The lock keeps the old hash, so a later change in the generated content shows up as a conflict.
   */
  | "preserved"
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
  "remove",
  "orphan-edited",
];

/**
 * Why an owned file is a conflict:
 * `edited` — we wrote it, and its bytes changed since;
 * `untracked` — it exists but the lock does not know it (the user wrote it, or the lock was lost).
 */
export type ConflictReason = "edited" | "untracked";

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
}

export interface Comparison {
  /** One action per planned path and per previously locked path still on disk, sorted by path. */
  actions: FileAction[];
  /** The `conflict` actions (empty when `force`). Non-empty means: write nothing. */
  conflicts: FileAction[];
  counts: ActionCounts;
}

/** Kinds that put new bytes on disk. */
export function writesContent(kind: ActionKind): boolean {
  return kind === "create" || kind === "update" || kind === "overwritten";
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
      const previous: LockEntry | undefined = previousLock.files[file.path];
      if (previous !== undefined && previous.sha256 === sha256(onDisk)) {
        actions.push({ ...base, kind: "update", current });
      } else if (previous !== undefined && !options.force && previous.sha256 === sha256(encoder.encode(file.content))) {
        actions.push({ ...base, kind: "preserved", current });
      } else {
        const reason: ConflictReason = previous === undefined ? "untracked" : "edited";
        actions.push({ ...base, kind: options.force ? "overwritten" : "conflict", current, reason });
      }
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
  return { actions, conflicts: actions.filter((a) => a.kind === "conflict"), counts: countActions(actions) };
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
