/**
 * Small filesystem helpers for crash-safe writes: write + fsync, atomic replace,
 * directory fsync. A rename is only durable once the directory holding it is synced, and a
 * file's bytes only once the file is; skipping either can leave an empty or old file after a
 * power loss even though the rename "happened".
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** Create `file` (which must not exist), write `data`, optionally set permission bits, fsync. */
export async function writeNewFileDurable(file: string, data: string | Uint8Array, mode?: number): Promise<void> {
  const handle = await fs.open(file, "wx");
  try {
    await handle.writeFile(data);
    // chmod rather than open's mode argument: the latter is filtered by the umask, and we want the old file's exact bits.
    if (mode !== undefined) await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsync a directory so renames and unlinks inside it survive a crash. Best effort: not every platform allows it (Windows). */
export async function syncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, "r");
    await handle.sync();
  } catch {
    // EISDIR/EPERM/EINVAL on platforms that cannot sync directories: nothing better to do.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

export function randomSuffix(): string {
  return randomBytes(6).toString("hex");
}

/** Replace `file` atomically: write a sibling temp file, fsync, rename over, fsync the directory. */
export async function replaceFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${randomSuffix()}`);
  try {
    await writeNewFileDurable(tmp, data);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  await syncDir(dir);
}

/**
 * Create a fresh directory named `<prefix><random>` inside `parent`. Plain mkdir (not
 * mkdtemp) so the directory gets the usual umask-derived mode: when the output directory
 * does not exist yet, this very directory is renamed into its place.
 */
export async function makeUniqueDir(parent: string, prefix: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const dir = path.join(parent, `${prefix}${randomSuffix()}`);
    try {
      await fs.mkdir(dir);
      return dir;
    } catch (e) {
      if (errno(e) !== "EEXIST" || attempt >= 5) throw e;
    }
  }
}

/** Remove now-empty directories from `dir` upwards, stopping before `root` or at the first non-empty one. */
export async function pruneEmptyDirs(root: string, dir: string): Promise<void> {
  let current = dir;
  while (current !== root && current.startsWith(root + path.sep)) {
    try {
      await fs.rmdir(current);
    } catch {
      return; // ENOTEMPTY, or a symlink, or anything else: leave it.
    }
    current = path.dirname(current);
  }
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch (e) {
    if (errno(e) === "ENOENT") return false;
    throw e;
  }
}
