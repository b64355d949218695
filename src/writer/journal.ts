/**
 * The commit journal: `.otpiser/journal.json`, written (durably) before the first rename
 * into an existing output directory and deleted after the last one.
 *
 * If it is still there when otpiser starts, a previous commit was interrupted (crash, kill,
 * power loss, or an I/O error half-way). Before anything else the next run finishes that
 * commit ("rolls forward") from the staged files, which live in a sibling directory. If
 * some staged files are gone (the stage was cleaned up), it cannot finish them; it then
 * records in the lock exactly the files that did land, so the normal comparison that follows
 * regenerates the rest instead of reporting them as user edits.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs/promises";
import { hostname } from "node:os";
import * as path from "node:path";
import { JournalCorruptError, LockCorruptError } from "./errors.js";
import { type Lock, type LockEntry, LOCK_PATH, parseLock, readLock, serialiseLock, sha256 } from "./lock.js";
import { projectPathOfBase } from "./base.js";
import { inspectPath } from "./disk.js";
import { exists, pruneEmptyDirs, replaceFileAtomic, syncDir } from "./durable.js";
import { META_DIR, resolveUnder, unsafePathReason } from "./paths.js";

export const JOURNAL_VERSION = 1;
export const JOURNAL_PATH = `${META_DIR}/journal.json`;
const STAGE_MARKER = ".otpiser-stage-";
/** This machine, in stage names: a process id means something only on the host that ran it. */
const HOST_TAG = createHash("sha256").update(hostname()).digest("hex").slice(0, 8);

/** Prefix of the stage directory for output directory `target`; a random suffix follows. */
export function stagePrefix(target: string): string {
  return `.${path.basename(target)}${STAGE_MARKER}`;
}

/** Prefix of a stage this process creates for `target`: the owner (host, pid) is in the name, for `removeAbandonedStages`. */
export function ownStagePrefix(target: string): string {
  return `${stagePrefix(target)}${HOST_TAG}-${process.pid}-`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Delete stage directories of `target` left by otpiser runs that were killed while staging (before any journal
 * existed, so nothing refers to them): those made on this host by a process that is gone. A stage of a live process
 * (another otpiser writing the same target) or of another host is left alone. Call after the journal's roll-forward,
 * which removes the one stage still needed.
 */
export async function removeAbandonedStages(target: string): Promise<string[]> {
  const parent = path.dirname(target);
  const prefix = stagePrefix(target);
  let names: string[];
  try {
    names = await fs.readdir(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const owner = /^([0-9a-f]{8})-(\d+)-[0-9a-f]+$/.exec(name.slice(prefix.length));
    if (owner === null || owner[1] !== HOST_TAG) continue;
    const pid = Number(owner[2]);
    if (pid === process.pid || processAlive(pid)) continue;
    await fs.rm(path.join(parent, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

export interface JournalWrite {
  path: string;
  /** Hash of the staged bytes: proves, after a crash, whether the rename already happened. */
  sha256: string;
  ownership: LockEntry["ownership"];
}

export interface JournalRemove {
  path: string;
  /** Hash the file had when we decided to remove it; a file that no longer matches is left alone. */
  sha256: string;
}

export interface Journal {
  version: typeof JOURNAL_VERSION;
  /** Base name of the stage directory, a sibling of the output directory. Staged files sit at `<stage>/<path>`. */
  stage: string;
  writes: JournalWrite[];
  removes: JournalRemove[];
  /** The lock to record once every write and removal is done. */
  lock: Lock;
}

export function serialiseJournal(j: Journal): string {
  return `${JSON.stringify({ ...j, lock: JSON.parse(serialiseLock(j.lock)) as unknown }, null, 2)}\n`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function parseJournal(text: string, where: string): Journal {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new JournalCorruptError(where, "not valid JSON", e);
  }
  if (!isRecord(raw) || raw.version !== JOURNAL_VERSION) throw new JournalCorruptError(where, "unknown format");
  const { stage, writes, removes, lock } = raw;
  // The stage name is used to delete a directory: accept only names we could have produced.
  if (typeof stage !== "string" || stage.includes("/") || stage.includes("\\") || !stage.startsWith(".") || !stage.includes(STAGE_MARKER)) {
    throw new JournalCorruptError(where, "invalid stage directory name");
  }
  const entries = (v: unknown, what: string): Array<Record<string, unknown>> => {
    if (!Array.isArray(v) || !v.every(isRecord)) throw new JournalCorruptError(where, `\`${what}\` is not a list of objects`);
    for (const e of v) {
      const why = typeof e.path === "string" ? unsafePathReason(e.path) : "missing path";
      if (why !== undefined) throw new JournalCorruptError(where, `\`${what}\` entry: ${why}`);
      if (typeof e.sha256 !== "string") throw new JournalCorruptError(where, `\`${what}\` entry without sha256`);
    }
    return v;
  };
  let parsedLock: Lock;
  try {
    parsedLock = parseLock(JSON.stringify(lock), `${where} (embedded lock)`);
  } catch (e) {
    if (e instanceof LockCorruptError) throw new JournalCorruptError(where, e.detail, e);
    throw e;
  }
  return {
    version: JOURNAL_VERSION,
    stage,
    writes: entries(writes, "writes").map((e) => ({
      path: e.path as string,
      sha256: e.sha256 as string,
      ownership: e.ownership === "user" ? "user" : "owned",
    })),
    removes: entries(removes, "removes").map((e) => ({ path: e.path as string, sha256: e.sha256 as string })),
    lock: parsedLock,
  };
}

export async function readJournal(root: string): Promise<Journal | undefined> {
  const file = resolveUnder(root, JOURNAL_PATH);
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw e;
  }
  return parseJournal(text, file);
}

export interface RecoveryReport {
  /** Absolute path of the journal that was found. */
  journal: string;
  /** False in dry-run: the interrupted commit was found but left as is. */
  applied: boolean;
  /** Whether the stage directory still existed. */
  stageFound: boolean;
  /** True if every write and removal of the interrupted commit is now in place. */
  completed: boolean;
  /** Paths moved into place by this recovery. */
  rolledForward: string[];
  /** Paths removed by this recovery. */
  removed: string[];
  /** Paths whose staged copy was gone and that did not already hold the new bytes: left as they were. */
  missing: string[];
}

function stageDirOf(root: string, journal: Journal): string {
  return path.join(path.dirname(root), journal.stage);
}

/** Describe an interrupted commit without touching anything (for dry runs). */
export async function inspectInterruptedCommit(root: string): Promise<RecoveryReport | undefined> {
  const journal = await readJournal(root);
  if (journal === undefined) return undefined;
  return {
    journal: resolveUnder(root, JOURNAL_PATH),
    applied: false,
    stageFound: await exists(stageDirOf(root, journal)),
    completed: false,
    rolledForward: [],
    removed: [],
    missing: [],
  };
}

/**
 * Finish the commit recorded in `root`'s journal, if any. `root` must be the resolved
 * output directory. Safe to run repeatedly: every step checks whether it already happened.
 */
export async function recoverInterruptedCommit(root: string): Promise<RecoveryReport | undefined> {
  const journal = await readJournal(root);
  if (journal === undefined) return undefined;
  const journalFile = resolveUnder(root, JOURNAL_PATH);
  const stageDir = stageDirOf(root, journal);
  const report: RecoveryReport = {
    journal: journalFile,
    applied: true,
    stageFound: await exists(stageDir),
    completed: true,
    rolledForward: [],
    removed: [],
    missing: [],
  };
  const notDone = new Set<string>();

  for (const w of journal.writes) {
    const staged = resolveUnder(stageDir, w.path);
    // inspectPath first: it refuses symlinks escaping the project, for the rename as much as for the read.
    const state = await inspectPath(root, w.path);
    if (report.stageFound && (await exists(staged))) {
      const dest = resolveUnder(root, w.path);
      await fs.mkdir(path.dirname(dest), { recursive: true });
      await fs.rename(staged, dest);
      await syncDir(path.dirname(dest));
      report.rolledForward.push(w.path);
    } else if (state.kind === "file" && sha256(state.bytes) === w.sha256) {
      // Renamed before the interruption.
    } else {
      report.missing.push(w.path);
      notDone.add(w.path);
    }
  }

  for (const r of journal.removes) {
    const state = await inspectPath(root, r.path);
    if (state.kind === "absent") {
      // Removed before the interruption, perhaps before its emptied directory was.
      await pruneEmptyDirs(root, path.dirname(resolveUnder(root, r.path)));
      continue;
    }
    if (sha256(state.bytes) === r.sha256) {
      const file = resolveUnder(root, r.path);
      await fs.unlink(file);
      await syncDir(path.dirname(file));
      await pruneEmptyDirs(root, path.dirname(file));
      report.removed.push(r.path);
    } else {
      // Changed since we decided to remove it: it is the user's now.
      notDone.add(r.path);
    }
  }

  let lock = journal.lock;
  if (notDone.size > 0) {
    report.completed = false;
    // The lock on disk is still the pre-commit one (the lock is always written last).
    // Keep its entries for whatever did not land, so those files are judged as before.
    let previous: Lock;
    try {
      previous = (await readLock(root)).lock;
    } catch (e) {
      if (!(e instanceof LockCorruptError)) throw e;
      previous = { ...journal.lock, files: {} };
    }
    const files: Record<string, LockEntry> = { ...journal.lock.files };
    for (const p of notDone) {
      const old = previous.files[p];
      if (old === undefined) delete files[p];
      else files[p] = old;
    }
    lock = { ...journal.lock, files };
    await dropStaleBases(root, journal, lock);
  }
  await fs.mkdir(resolveUnder(root, META_DIR), { recursive: true });
  await replaceFileAtomic(resolveUnder(root, LOCK_PATH), serialiseLock(lock));
  await fs.unlink(journalFile);
  await syncDir(path.dirname(journalFile));
  await fs.rm(stageDir, { recursive: true, force: true });
  return report;
}

/**
 * After a partial roll-forward, a merge base the commit touched may no longer match the lock (its file's write did
 * not land, or its own did not). A base must hash to its lock entry; one that does not is deleted, so the next run
 * writes it afresh from the generation (or, for a file the user edits meanwhile, reports a conflict, never a wrong merge).
 */
async function dropStaleBases(root: string, journal: Journal, lock: Lock): Promise<void> {
  for (const w of journal.writes) {
    const p = projectPathOfBase(w.path);
    if (p === undefined) continue;
    const state = await inspectPath(root, w.path);
    if (state.kind === "file" && sha256(state.bytes) !== lock.files[p]?.sha256) {
      const file = resolveUnder(root, w.path);
      await fs.unlink(file);
      await syncDir(path.dirname(file));
    }
  }
}
