import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { Plan, PlannedFile } from "../../src/plan/types.js";

/** A fresh scratch directory under os.tmpdir(); remove with `cleanup`. */
export async function scratch(): Promise<string> {
  return fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), "otpiser-writer-test-")));
}

export async function cleanup(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
}

export function owned(p: string, content: string): PlannedFile {
  return { path: p, content, ownership: "owned" };
}

export function user(p: string, content: string): PlannedFile {
  return { path: p, content, ownership: "user" };
}

export function plan(...files: PlannedFile[]): Plan {
  return { files };
}

export interface Entry {
  type: "file" | "dir" | "symlink";
  content?: string;
  mtimeMs: number;
  ino: number;
  mode: number;
}

/** Recursive listing of everything under `root` (relative POSIX paths), with content, mtime and inode. */
export async function listing(root: string): Promise<Record<string, Entry>> {
  const out: Record<string, Entry> = {};
  async function walk(dir: string, prefix: string): Promise<void> {
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
      throw e;
    }
    for (const name of names.sort()) {
      const abs = path.join(dir, name);
      const rel = prefix === "" ? name : `${prefix}/${name}`;
      const st = await fs.lstat(abs);
      const base = { mtimeMs: st.mtimeMs, ino: st.ino, mode: st.mode & 0o7777 };
      if (st.isSymbolicLink()) out[rel] = { type: "symlink", content: await fs.readlink(abs), ...base };
      else if (st.isDirectory()) {
        out[rel] = { type: "dir", ...base };
        await walk(abs, rel);
      } else out[rel] = { type: "file", content: await fs.readFile(abs, "utf8"), ...base };
    }
  }
  await walk(root, "");
  return out;
}

/** Only the file contents of a listing, for "same project" comparisons that ignore timestamps. */
export function contents(l: Record<string, Entry>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(l).filter(([, e]) => e.type === "file").map(([p, e]) => [p, e.content]));
}

/** Set every file and directory under `root` to an old mtime, so "was it rewritten?" does not depend on timer resolution. */
export async function ageTree(root: string, when = new Date("2001-02-03T04:05:06Z")): Promise<void> {
  const l = await listing(root);
  for (const [rel, e] of Object.entries(l)) {
    if (e.type !== "symlink") await fs.utimes(path.join(root, ...rel.split("/")), when, when);
  }
}

export const read = (root: string, rel: string): Promise<string> => fs.readFile(path.join(root, ...rel.split("/")), "utf8");
export const write = async (root: string, rel: string, content: string): Promise<void> => {
  const file = path.join(root, ...rel.split("/"));
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content);
};
