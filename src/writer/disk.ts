/**
 * Read the current state of the output directory for the paths a write cares about,
 * refusing anything that would make us read or write outside it.
 *
 * Symlinks inside the project that point inside the project are followed (people do
 * symlink config files); any symlink that leads outside is an error, because a later
 * rename through it would write somewhere the user never pointed otpiser at.
 */
import * as fs from "node:fs/promises";
import type { Stats } from "node:fs";
import * as path from "node:path";
import { NotAFileError, SymlinkEscapeError } from "./errors.js";
import { isInside } from "./paths.js";

export type PathState =
  | { kind: "absent" }
  | { kind: "file"; bytes: Buffer; /** permission bits, kept when the file is replaced */ mode: number };

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(p);
  } catch (e) {
    if (errno(e) === "ENOENT") return undefined;
    throw e;
  }
}

/**
 * Where symlink `link` points, fully resolved, or — if it dangles — where its first hop points.
 * Either way the result is what a write through the link would reach (or create).
 */
async function resolveLink(link: string): Promise<{ resolved: string; dangling: boolean }> {
  try {
    return { resolved: await fs.realpath(link), dangling: false };
  } catch (e) {
    if (errno(e) !== "ENOENT" && errno(e) !== "ENOTDIR") throw e;
    const target = await fs.readlink(link);
    return { resolved: path.resolve(path.dirname(link), target), dangling: true };
  }
}

function describe(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  return "something that is not a regular file";
}

/**
 * Inspect relative POSIX path `rel` under `root` (an existing directory, already passed
 * through realpath), walking it one component at a time so every symlink on the way is seen.
 */
export async function inspectPath(root: string, rel: string): Promise<PathState> {
  const segments = rel.split("/");
  let current = root;
  for (let i = 0; i < segments.length; i++) {
    const isLeaf = i === segments.length - 1;
    const shown = segments.slice(0, i + 1).join("/");
    const next = path.join(current, segments[i]!);
    let st = await lstatOrUndefined(next);
    if (st === undefined) return { kind: "absent" };
    let real = next;
    if (st.isSymbolicLink()) {
      const { resolved, dangling } = await resolveLink(next);
      if (!isInside(root, resolved)) throw new SymlinkEscapeError(rel, resolved);
      // A dangling link that stays inside: the path is effectively absent; a rename replaces the link itself.
      if (dangling) return { kind: "absent" };
      real = resolved;
      st = await fs.stat(real);
    }
    if (isLeaf) {
      if (!st.isFile()) throw new NotAFileError(rel, describe(st));
      return { kind: "file", bytes: await fs.readFile(real), mode: st.mode & 0o7777 };
    }
    if (!st.isDirectory()) throw new NotAFileError(rel, `a file at ${shown} where a directory is expected`);
    current = real;
  }
  return { kind: "absent" };
}

export interface DiskState {
  /** Bytes per path; undefined when absent. This is the `DiskSnapshot` that `compareWithDisk` takes. */
  snapshot: Map<string, Buffer | undefined>;
  /** Permission bits of the files that exist. */
  modes: Map<string, number>;
}

/** Paths inspected at a time: the reads are independent, and overlapping them hides most of each one's latency. */
const READ_CONCURRENCY = 32;

/** Inspect every path in `paths`. `root` undefined means the output directory does not exist yet: everything is absent. */
export async function readDiskState(root: string | undefined, paths: Iterable<string>): Promise<DiskState> {
  const snapshot = new Map<string, Buffer | undefined>();
  const modes = new Map<string, number>();
  const unique = [...new Set(paths)];
  if (root === undefined) {
    for (const p of unique) snapshot.set(p, undefined);
    return { snapshot, modes };
  }
  const states = new Array<PathState>(unique.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < unique.length) {
      const i = next++;
      states[i] = await inspectPath(root, unique[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, unique.length) }, worker));
  // Filled in path order, whatever order the reads finished in.
  unique.forEach((p, i) => {
    const state = states[i]!;
    snapshot.set(p, state.kind === "file" ? state.bytes : undefined);
    if (state.kind === "file") modes.set(p, state.mode);
  });
  return { snapshot, modes };
}
