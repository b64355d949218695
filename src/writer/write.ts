/**
 * The only stage that touches the user's disk.
 *
 * Guarantees:
 * - Nothing is written when any owned file has been edited by the user (a conflict) unless
 *   `force`; and nothing at all in dry-run (not even a directory).
 * - All or nothing: every new file and the new lock are first staged, fsynced, in a sibling
 *   directory of the target (same filesystem, so renames are atomic). A new project is then
 *   one rename of the whole directory. An existing one is updated by renaming files in one by
 *   one under a journal, so an interruption is finished by the next run (see journal.ts).
 * - Unchanged files are never rewritten, so a no-op run changes no mtime and writes no lock.
 * - No write escapes the target: planned paths are validated, symlinks leading out are refused.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { Plan } from "../plan/types.js";
import {
  type ActionCounts,
  type FileAction,
  compareWithDisk,
  nextLock,
  writesContent,
} from "./compare.js";
import { inspectPath, readDiskState } from "./disk.js";
import { makeUniqueDir, pruneEmptyDirs, replaceFileAtomic, syncDir, writeNewFileDurable } from "./durable.js";
import { CommitInterruptedError, TargetNotADirectoryError } from "./errors.js";
import {
  type Journal,
  type RecoveryReport,
  JOURNAL_PATH,
  JOURNAL_VERSION,
  inspectInterruptedCommit,
  recoverInterruptedCommit,
  serialiseJournal,
  stagePrefix,
} from "./journal.js";
import { LOCK_PATH, type Lock, emptyLock, readLock, serialiseLock, sha256 } from "./lock.js";
import { META_DIR, resolveUnder, validatePlanPaths } from "./paths.js";

export interface WriteOptions {
  /** Compute and return the actions; touch nothing. */
  dryRun?: boolean;
  /** Overwrite conflicting (user-edited or untracked) owned files; they are reported as `overwritten`. */
  force?: boolean;
  /** otpiser's version, recorded in the lock as `otpiser <version>`. */
  generatorVersion: string;
}

/**
 * - `written`: changes were committed.
 * - `up-to-date`: nothing to do (nothing was written, not even the lock).
 * - `conflicts`: owned files were edited by the user; nothing was written. See `conflicts`.
 * - `dry-run`: there are changes, but `dryRun` was set so none were made.
 */
export type WriteStatus = "written" | "up-to-date" | "conflicts" | "dry-run";

export interface WriteResult {
  /** Absolute output directory, symlinks resolved. */
  outDir: string;
  status: WriteStatus;
  /** True iff anything on disk changed (files, removals, or the lock) — including an interrupted commit finished first. */
  wrote: boolean;
  /** Every path's action, sorted by path. */
  actions: FileAction[];
  /** The `conflict` actions; non-empty iff `status === "conflicts"`. */
  conflicts: FileAction[];
  counts: ActionCounts;
  /** Files put on disk by this run (create + update + overwritten), 0 unless `written`. */
  filesWritten: number;
  /** Files deleted by this run, 0 unless `written`. */
  filesRemoved: number;
  lockWritten: boolean;
  /** Present if an interrupted earlier commit was found (and, unless dry-run, finished first). */
  recovery?: RecoveryReport;
}

/**
 * Test seam, not part of the public contract: called before each step of a commit, once the
 * stage is filled. Throwing simulates a crash at that point. `publish` is the single rename
 * of a new project; `journal` precedes writing the journal of an update; `rename`, `remove`
 * and `lock` follow it.
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

export async function writePlan(outDir: string, plan: Plan, options: WriteOptions, hooks: WriteHooks = {}): Promise<WriteResult> {
  validatePlanPaths(plan.files);
  const dryRun = options.dryRun ?? false;
  const generator = `otpiser ${options.generatorVersion}`;
  const { root, exists: targetExists } = await resolveTarget(outDir);

  let recovery: RecoveryReport | undefined;
  if (targetExists) {
    // The meta directory is ours to write; make sure it does not lead out of the project either.
    await inspectPath(root, LOCK_PATH);
    await inspectPath(root, JOURNAL_PATH);
    recovery = dryRun ? await inspectInterruptedCommit(root) : await recoverInterruptedCommit(root);
  }

  const { lock: previousLock, text: previousLockText } = targetExists
    ? await readLock(root)
    : { lock: emptyLock(), text: undefined };
  const paths = [...plan.files.map((f) => f.path), ...Object.keys(previousLock.files)];
  const disk = await readDiskState(targetExists ? root : undefined, paths);
  const comparison = compareWithDisk(plan, disk.snapshot, previousLock, { force: options.force ?? false });

  const newLock = nextLock(previousLock, comparison.actions, generator);
  const newLockText = serialiseLock(newLock);
  const toWrite = comparison.actions.filter((a) => writesContent(a.kind));
  const toRemove = comparison.actions.filter((a) => a.kind === "remove");
  const lockChanged = newLockText !== previousLockText;

  const result = (status: WriteStatus, committed: boolean): WriteResult => ({
    outDir: root,
    status,
    wrote: committed || (recovery?.applied ?? false),
    actions: comparison.actions,
    conflicts: comparison.conflicts,
    counts: comparison.counts,
    filesWritten: committed ? toWrite.length : 0,
    filesRemoved: committed ? toRemove.length : 0,
    lockWritten: committed && lockChanged,
    ...(recovery === undefined ? {} : { recovery }),
  });

  if (comparison.conflicts.length > 0) return result("conflicts", false);
  if (toWrite.length === 0 && toRemove.length === 0 && !lockChanged) return result("up-to-date", false);
  if (dryRun) return result("dry-run", false);

  await commit({ root, targetExists, toWrite, toRemove, previousLock, newLock, newLockText, modes: disk.modes, hooks });
  return result("written", true);
}

interface CommitInput {
  root: string;
  targetExists: boolean;
  toWrite: FileAction[];
  toRemove: FileAction[];
  previousLock: Lock;
  newLock: Lock;
  newLockText: string;
  modes: Map<string, number>;
  hooks: WriteHooks;
}

/** Write every new file and the lock into `stage`, durably. */
async function fillStage(stage: string, input: CommitInput): Promise<void> {
  const dirs = new Set<string>([stage]);
  const put = async (rel: string, content: string, mode: number | undefined): Promise<void> => {
    const file = resolveUnder(stage, rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    for (let d = path.dirname(file); d.startsWith(stage); d = path.dirname(d)) dirs.add(d);
    await writeNewFileDurable(file, content, mode);
  };
  for (const a of input.toWrite) await put(a.path, a.planned ?? "", input.modes.get(a.path));
  await put(LOCK_PATH, input.newLockText, undefined);
  for (const d of dirs) await syncDir(d);
}

async function commit(input: CommitInput): Promise<void> {
  const { root, targetExists } = input;
  const parent = path.dirname(root);
  if (!targetExists) await fs.mkdir(parent, { recursive: true });
  const stage = await makeUniqueDir(parent, stagePrefix(root));

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
      writes: input.toWrite.map((a) => ({ path: a.path, sha256: sha256(a.planned ?? ""), ownership: a.ownership })),
      removes: input.toRemove.map((a) => ({ path: a.path, sha256: input.previousLock.files[a.path]?.sha256 ?? "" })),
      lock: input.newLock,
    };
    await input.hooks.beforeCommitStep?.({ kind: "journal", path: JOURNAL_PATH });
    await fs.mkdir(resolveUnder(root, META_DIR), { recursive: true });
    await replaceFileAtomic(resolveUnder(root, JOURNAL_PATH), serialiseJournal(journal));
    journalWritten = true;

    const touchedDirs = new Set<string>();
    for (const a of input.toWrite) {
      await input.hooks.beforeCommitStep?.({ kind: "rename", path: a.path });
      const dest = resolveUnder(root, a.path);
      await fs.mkdir(path.dirname(dest), { recursive: true });
      await fs.rename(resolveUnder(stage, a.path), dest);
      touchedDirs.add(path.dirname(dest));
    }
    for (const a of input.toRemove) {
      await input.hooks.beforeCommitStep?.({ kind: "remove", path: a.path });
      const file = resolveUnder(root, a.path);
      await fs.rm(file, { force: true });
      touchedDirs.add(path.dirname(file));
    }
    for (const d of touchedDirs) await syncDir(d);
    for (const a of input.toRemove) await pruneEmptyDirs(root, path.dirname(resolveUnder(root, a.path)));

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
