/**
 * The merge bases: `.otpiser/base/<path>` holds the exact bytes otpiser last wrote at `<path>`, for every owned file
 * in the lock, so that a file the user edited can be merged three ways when its generation changes (compare.ts).
 *
 * The bases are written and removed in the same staged, journaled commit as the files and the lock (write.ts), so
 * after every commit — or after the roll-forward of an interrupted one — the base of a path hashes to the path's
 * lock entry. Anything else (a base lost, or edited by hand) is detected by that hash and the file is then treated
 * as before merging existed: a conflict. They belong in version control with the lock: a teammate's clone can then
 * merge too.
 */
import type { Dirent } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { FileAction } from "./compare.js";
import { readDiskState } from "./disk.js";
import { BaseStoreError } from "./errors.js";
import { type Lock, sha256 } from "./lock.js";
import { META_DIR, resolveUnder, unsafePathReason } from "./paths.js";

export const BASE_DIR = `${META_DIR}/base`;

/** Where the base of project path `p` lives (relative POSIX path inside the output directory). */
export function basePath(p: string): string {
  return `${BASE_DIR}/${p}`;
}

/** The project path a base file stands for, or undefined if `rel` is not under the base directory. */
export function projectPathOfBase(rel: string): string | undefined {
  return rel.startsWith(`${BASE_DIR}/`) ? rel.slice(BASE_DIR.length + 1) : undefined;
}

/**
 * The project paths that have a base file, by walking `.otpiser/base` (one readdir per directory; nothing is read,
 * so a no-op run stays cheap: a base's content is checked against the lock only when a merge needs it).
 * Symlinks are refused: a rename into a symlinked directory there could land on a project file.
 */
export async function listBases(root: string): Promise<Set<string>> {
  const found = new Set<string>();
  const top = resolveUnder(root, BASE_DIR);
  try {
    const st = await fs.lstat(top);
    if (!st.isDirectory()) throw new BaseStoreError(BASE_DIR, st.isSymbolicLink() ? "a symlink" : "not a directory");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return found;
    throw e;
  }
  const walk = async (dir: string, prefix: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
      throw e;
    }
    for (const entry of entries) {
      const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) await walk(path.join(dir, entry.name), rel);
      else if (entry.isFile()) {
        // Names no plan could produce (a backslash, say) are not ours: leave them be.
        if (unsafePathReason(rel) === undefined) found.add(rel);
      } else throw new BaseStoreError(`${BASE_DIR}/${rel}`, entry.isSymbolicLink() ? "a symlink" : "not a regular file");
    }
  };
  await walk(top, "");
  return found;
}

/** The bytes of the bases of `paths` (undefined where there is none), keyed by project path. */
export async function readBases(root: string, paths: Iterable<string>): Promise<Map<string, Uint8Array | undefined>> {
  const wanted = [...paths];
  const state = await readDiskState(root, wanted.map(basePath));
  return new Map(wanted.map((p) => [p, state.snapshot.get(basePath(p))]));
}

export interface BaseChanges {
  /** Bases to (re)write: project path and the bytes otpiser is writing (or found) there. */
  writes: Array<{ path: string; content: string }>;
  /** Project paths whose base goes: no longer in the lock as an owned file. */
  removes: string[];
}

/**
 * What the base store needs so that it matches `newLock` once `actions` are carried out: a base for every owned
 * entry (written when it is missing or when the entry's hash changed, from the planned bytes, which are what that
 * hash is of), and none for anything else. Pure.
 */
export function planBaseChanges(actions: readonly FileAction[], previousLock: Lock, newLock: Lock, present: ReadonlySet<string>): BaseChanges {
  const writes: BaseChanges["writes"] = [];
  for (const a of actions) {
    const entry = newLock.files[a.path];
    if (entry === undefined || entry.ownership !== "owned" || a.planned === undefined) continue;
    const stale = !present.has(a.path) || previousLock.files[a.path]?.sha256 !== entry.sha256;
    // A refused conflict keeps its old entry, whose bytes we do not have: its base stays as it is.
    if (stale && sha256(a.planned) === entry.sha256) writes.push({ path: a.path, content: a.planned });
  }
  const removes = [...present].filter((p) => newLock.files[p]?.ownership !== "owned").sort();
  return { writes, removes };
}
