/**
 * The only stage that touches the user's disk.
 *
 * Guarantees:
 * - Nothing is written when any owned file has been edited by the user and cannot be merged
 *   (a conflict) unless `force`; and nothing at all in dry-run (not even a directory). Edited
 *   files whose generation changed are merged three ways against their base (base.ts, merge.ts).
 * - All or nothing: every new file, merge base and the new lock are first staged, fsynced, in a sibling
 *   directory of the target (same filesystem, so renames are atomic). A new project is then
 *   one rename of the whole directory. An existing one is updated by renaming files in one by
 *   one under a journal, so an interruption is finished by the next run (see journal.ts).
 * - Unchanged files are never rewritten, so a no-op run changes no mtime and writes no lock.
 * - No write escapes the target: planned paths are validated, symlinks leading out are refused.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { Plan } from "../plan/types.js";
import { basePath, listBases, planBaseChanges, readBases } from "./base.js";
import {
  type ActionCounts,
  type FileAction,
  compareWithDisk,
  contentToWrite,
  nextLock,
  writesContent,
} from "./compare.js";
import { inspectPath, readDiskState } from "./disk.js";
import { makeUniqueDir, pruneEmptyDirs, syncDir, writeNewFileDurable } from "./durable.js";
import { CommitInterruptedError, TargetNotADirectoryError } from "./errors.js";
import {
  type Journal,
  type JournalRemove,
  type RecoveryReport,
  JOURNAL_PATH,
  JOURNAL_VERSION,
  inspectInterruptedCommit,
  ownStagePrefix,
  recoverInterruptedCommit,
  removeAbandonedStages,
  serialiseJournal,
} from "./journal.js";
import { LOCK_PATH, type Lock, type Ownership, emptyLock, readLock, serialiseLock, sha256 } from "./lock.js";
import { META_DIR, resolveUnder, validatePlanPaths } from "./paths.js";

export interface WriteOptions {
  /** Compute and return the actions; touch nothing. */
  dryRun?: boolean;
  /** Overwrite conflicting (user-edited or untracked) owned files; they are reported as `overwritten`. */
  force?: boolean;
  /** Merge files the user edited when their generation changes (default true); false turns those into conflicts. */
  merge?: boolean;
  /** otpiser's version, recorded in the lock as `otpiser <version>`. */
  generatorVersion: string;
}

/**
 * - `written`: changes were committed (possibly with `mergeConflicts`: files written with conflict markers).
 * - `up-to-date`: nothing to do (nothing was written, not even the lock).
 * - `conflicts`: owned files were edited by the user and cannot be merged; nothing was written. See `conflicts`.
 * - `dry-run`: there are changes, but `dryRun` was set so none were made.
 */
export type WriteStatus = "written" | "up-to-date" | "conflicts" | "dry-run";

export interface WriteResult {
  /** Absolute output directory, symlinks resolved. */
  outDir: string;
  status: WriteStatus;
  /** True iff anything on disk changed (files, removals, bases, or the lock) — including an interrupted commit finished first. */
  wrote: boolean;
  /** Every path's action, sorted by path. */
  actions: FileAction[];
  /** The `conflict` actions; non-empty iff `status === "conflicts"`. */
  conflicts: FileAction[];
  /** The `merge-conflict` actions: files written (or, in a dry run, that would be) with conflict markers. */
  mergeConflicts: FileAction[];
  counts: ActionCounts;
  /** Files put on disk by this run (create + update + overwritten + merged + merge-conflict), 0 unless `written`. */
  filesWritten: number;
  /** Files deleted by this run, 0 unless `written`. */
  filesRemoved: number;
  /** Merge bases written or removed under `.otpiser/base` by this run (0 unless `written`). */
  basesWritten: number;
  basesRemoved: number;
  /** The number of merge bases the run writes or would write (also in dry runs): bookkeeping, not a change to the project. */
  basesPending: number;
  lockWritten: boolean;
  /** Whether the lock on disk differs from the one this run records (also in dry runs). */
  lockChanged: boolean;
  /** Present if an interrupted earlier commit was found (and, unless dry-run, finished first). */
  recovery?: RecoveryReport;
}

/**
 * Test seam, not part of the public contract: called before each step of a commit, once the
 * stage is filled. Throwing simulates a crash at that point. `publish` is the single rename
 * of a new project; `journal` precedes moving the journal of an update into place; `rename`
 * (files, then merge bases), `remove` and `lock` follow it.
 * @internal
 */
export interface WriteHooks {
  beforeCommitStep?: (step: { kind: "publish" | "journal" | "rename" | "remove" | "lock"; path: string }) => void | Promise<void>;
}

/** Resolve the target through symlinks; report whether it exists. Does not create anything. */
async function resolveTarget(outDir: string): Promise<{ root: string; exists: boolean }> {
  const absolute = path.resolve(outDir);
  try {
    const root = await fs.realpath(absolute);
    const st = await fs.stat(root);
    if (!st.isDirectory()) throw new TargetNotADirectoryError(absolute);
    return { root, exists: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  // Resolve the nearest existing ancestor so the stage ends up on the target's real filesystem.
  const parent = path.dirname(absolute);
  let realParent = parent;
  try {
    realParent = await fs.realpath(parent);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  return { root: path.join(realParent, path.basename(absolute)), exists: false };
}

/**
 * Owned files the user edited whose generation changed: the only ones a merge can need a base for. (Checked
 * loosely — compare.ts decides — only to avoid reading every base on every run.)
 */
function mergeCandidates(plan: Plan, snapshot: ReadonlyMap<string, Buffer | undefined>, previousLock: Lock, present: ReadonlySet<string>): string[] {
  return plan.files
    .filter((f) => {
      const bytes = snapshot.get(f.path);
      const entry = previousLock.files[f.path];
      if (f.ownership !== "owned" || bytes === undefined || entry === undefined || !present.has(f.path)) return false;
      return !bytes.equals(Buffer.from(f.content)) && sha256(bytes) !== entry.sha256;
    })
    .map((f) => f.path);
}

export async function writePlan(outDir: string, plan: Plan, options: WriteOptions, hooks: WriteHooks = {}): Promise<WriteResult> {
  validatePlanPaths(plan.files);
  const dryRun = options.dryRun ?? false;
  const merge = options.merge ?? true;
  const generator = `otpiser ${options.generatorVersion}`;
  const { root, exists: targetExists } = await resolveTarget(outDir);

  let recovery: RecoveryReport | undefined;
  if (targetExists) {
    // The meta directory is ours to write; make sure it does not lead out of the project either.
    await inspectPath(root, LOCK_PATH);
    await inspectPath(root, JOURNAL_PATH);
    recovery = dryRun ? await inspectInterruptedCommit(root) : await recoverInterruptedCommit(root);
  }
  if (!dryRun) await removeAbandonedStages(root);

  const { lock: previousLock, text: previousLockText } = targetExists
    ? await readLock(root)
    : { lock: emptyLock(), text: undefined };
  const paths = [...plan.files.map((f) => f.path), ...Object.keys(previousLock.files)];
  const disk = await readDiskState(targetExists ? root : undefined, paths);
  const present = targetExists ? await listBases(root) : new Set<string>();
  const bases = merge && targetExists ? await readBases(root, mergeCandidates(plan, disk.snapshot, previousLock, present)) : new Map();
  const comparison = compareWithDisk(plan, disk.snapshot, previousLock, { force: options.force ?? false, merge, bases });

  const newLock = nextLock(previousLock, comparison.actions, generator);
  const newLockText = serialiseLock(newLock);
  const toWrite = comparison.actions.filter((a) => writesContent(a.kind));
  const toRemove = comparison.actions.filter((a) => a.kind === "remove");
  const baseChanges = planBaseChanges(comparison.actions, previousLock, newLock, present);
  const lockChanged = newLockText !== previousLockText;
  const basesChanged = baseChanges.writes.length + baseChanges.removes.length > 0;

  const result = (status: WriteStatus, committed: boolean): WriteResult => ({
    outDir: root,
    status,
    wrote: committed || (recovery?.applied ?? false),
    actions: comparison.actions,
    conflicts: comparison.conflicts,
    mergeConflicts: comparison.mergeConflicts,
    counts: comparison.counts,
    filesWritten: committed ? toWrite.length : 0,
    filesRemoved: committed ? toRemove.length : 0,
    basesWritten: committed ? baseChanges.writes.length : 0,
    basesRemoved: committed ? baseChanges.removes.length : 0,
    basesPending: baseChanges.writes.length,
    lockWritten: committed && lockChanged,
    lockChanged,
    ...(recovery === undefined ? {} : { recovery }),
  });

  if (comparison.conflicts.length > 0) return result("conflicts", false);
  if (toWrite.length === 0 && toRemove.length === 0 && !lockChanged && !basesChanged) return result("up-to-date", false);
  if (dryRun) return result("dry-run", false);

  const writes: StagedWrite[] = [
    ...toWrite.map((a) => ({ path: a.path, content: contentToWrite(a), ownership: a.ownership, mode: disk.modes.get(a.path) })),
    ...baseChanges.writes.map((b) => ({ path: basePath(b.path), content: b.content, ownership: "owned" as const, mode: undefined })),
  ];
  // The journal records the hash of what it removes, so a roll-forward never deletes a file that changed since.
  const baseBytes = await readDiskState(root, baseChanges.removes.map(basePath));
  const removes: JournalRemove[] = [
    ...toRemove.map((a) => ({ path: a.path, sha256: previousLock.files[a.path]?.sha256 ?? "" })),
    ...[...baseBytes.snapshot].flatMap(([p, bytes]) => (bytes === undefined ? [] : [{ path: p, sha256: sha256(bytes) }])),
  ];
  await commit({ root, targetExists, writes, removes, newLock, newLockText, hooks });
  return result("written", true);
}

interface StagedWrite {
  /** Relative POSIX path in the output directory (a project file or a merge base). */
  path: string;
  content: string;
  ownership: Ownership;
  /** Permission bits of the file being replaced, kept. */
  mode: number | undefined;
}

interface CommitInput {
  root: string;
  targetExists: boolean;
  writes: StagedWrite[];
  removes: JournalRemove[];
  newLock: Lock;
  newLockText: string;
  hooks: WriteHooks;
}

/**
 * Staged files are written this many at a time: each is fsynced, and the filesystem commits concurrent fsyncs
 * together, which makes staging several times faster than one file after another. Nothing is in the project yet,
 * so the order does not matter.
 */
const STAGE_CONCURRENCY = 32;

async function forEachConcurrently<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Write every new file, merge base and the lock into `stage`, durably. */
async function fillStage(stage: string, input: CommitInput): Promise<void> {
  const dirs = new Set<string>([stage]);
  const put = async (rel: string, content: string, mode: number | undefined): Promise<void> => {
    const file = resolveUnder(stage, rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    for (let d = path.dirname(file); d.startsWith(stage); d = path.dirname(d)) dirs.add(d);
    await writeNewFileDurable(file, content, mode);
  };
  const all = [...input.writes, { path: LOCK_PATH, content: input.newLockText, mode: undefined }];
  await forEachConcurrently(all, STAGE_CONCURRENCY, (w) => put(w.path, w.content, w.mode));
  await forEachConcurrently([...dirs], STAGE_CONCURRENCY, syncDir);
}

async function commit(input: CommitInput): Promise<void> {
  const { root, targetExists } = input;
  const parent = path.dirname(root);
  if (!targetExists) await fs.mkdir(parent, { recursive: true });
  const stage = await makeUniqueDir(parent, ownStagePrefix(root));

  let journalWritten = false;
  try {
    await fillStage(stage, input);

    if (!targetExists) {
      // The whole project appears at once, or not at all.
      await input.hooks.beforeCommitStep?.({ kind: "publish", path: "" });
      await fs.rename(stage, root);
      await syncDir(parent);
      return;
    }

    const journal: Journal = {
      version: JOURNAL_VERSION,
      stage: path.basename(stage),
      writes: input.writes.map((w) => ({ path: w.path, sha256: sha256(w.content), ownership: w.ownership })),
      removes: input.removes,
      lock: input.newLock,
    };
    // Written in the stage and renamed into place: an interruption leaves no journal or a complete one, and never a
    // temporary file inside the project.
    const stagedJournal = resolveUnder(stage, JOURNAL_PATH);
    await writeNewFileDurable(stagedJournal, serialiseJournal(journal));
    await input.hooks.beforeCommitStep?.({ kind: "journal", path: JOURNAL_PATH });
    await fs.mkdir(resolveUnder(root, META_DIR), { recursive: true });
    await fs.rename(stagedJournal, resolveUnder(root, JOURNAL_PATH));
    await syncDir(resolveUnder(root, META_DIR));
    journalWritten = true;

    const touchedDirs = new Set<string>();
    for (const w of input.writes) {
      await input.hooks.beforeCommitStep?.({ kind: "rename", path: w.path });
      const dest = resolveUnder(root, w.path);
      await fs.mkdir(path.dirname(dest), { recursive: true });
      await fs.rename(resolveUnder(stage, w.path), dest);
      touchedDirs.add(path.dirname(dest));
    }
    for (const r of input.removes) {
      await input.hooks.beforeCommitStep?.({ kind: "remove", path: r.path });
      const file = resolveUnder(root, r.path);
      await fs.rm(file, { force: true });
      touchedDirs.add(path.dirname(file));
    }
    for (const d of touchedDirs) await syncDir(d);
    for (const r of input.removes) await pruneEmptyDirs(root, path.dirname(resolveUnder(root, r.path)));

    // The lock goes last: until it lands, the previous lock still describes every file not yet replaced.
    await input.hooks.beforeCommitStep?.({ kind: "lock", path: LOCK_PATH });
    await fs.rename(resolveUnder(stage, LOCK_PATH), resolveUnder(root, LOCK_PATH));
    await fs.unlink(resolveUnder(root, JOURNAL_PATH));
    await syncDir(resolveUnder(root, META_DIR));
  } catch (e) {
    if (journalWritten) {
      // The target may be half-updated. The stage is the only copy of the rest of the
      // commit, so keep it: the next run rolls forward from it.
      throw new CommitInterruptedError(root, e);
    }
    await fs.rm(stage, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
  await fs.rm(stage, { recursive: true, force: true }).catch(() => undefined);
}
