/** What every suite gets: where things are, how hard to try, and helpers to lay out files for a run. */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "..", "..");
export const CLI = join(ROOT, "bin", "run.js");
export const NODE = process.execPath;

export interface BenchContext {
  /** Scratch directory for this run (deleted at the end unless --keep). */
  work: string;
  /** Small sizes and few repetitions. */
  quick: boolean;
  /** Repetitions override (--reps), else each suite's own default. */
  reps?: number;
  /** Sizes for the generate figure (--sizes). */
  sizes?: number[];
  /** Progress lines go to stderr, so stdout carries only the table. */
  log: (line: string) => void;
}

export function reps(ctx: BenchContext, full: number, quick: number): number {
  return ctx.reps ?? (ctx.quick ? quick : full);
}

/** Every regular file under `dir`, as sorted POSIX paths relative to it. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(relative(dir, p).split("\\").join("/"));
    }
  };
  walk(dir);
  return out.sort();
}

/** The bytes of a generated tree as the baseline writer reads them: PACK.json (path, offset, length) + PACK.bin. */
export function packTree(dir: string, pack: string): { files: number; bytes: number } {
  const index: [string, number, number][] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const path of listFiles(dir)) {
    const b = readFileSync(join(dir, path));
    index.push([path, offset, b.length]);
    chunks.push(b);
    offset += b.length;
  }
  writeFileSync(`${pack}.json`, JSON.stringify(index));
  writeFileSync(`${pack}.bin`, Buffer.concat(chunks));
  return { files: index.length, bytes: offset };
}

/** Paths whose bytes differ between two trees (or exist in one only). */
export function treeDifferences(a: string, b: string): string[] {
  // The stat cache holds mtimes and the run's input keys (formatter on or off): it differs by design.
  const compared = (p: string) => p !== ".otpiser/stamp.json";
  const fa = listFiles(a).filter(compared);
  const fb = listFiles(b).filter(compared);
  const all = [...new Set([...fa, ...fb])].sort();
  const inA = new Set(fa);
  const inB = new Set(fb);
  return all.filter((p) => !inA.has(p) || !inB.has(p) || !readFileSync(join(a, p)).equals(readFileSync(join(b, p))));
}

/** mtime (ns) of every file under `dir`: equal snapshots before and after mean nothing was rewritten. */
export function mtimes(dir: string): Map<string, bigint> {
  return new Map(listFiles(dir).map((p) => [p, statSync(join(dir, p), { bigint: true }).mtimeNs]));
}

export function freshDir(path: string): string {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
  return path;
}

export function remove(path: string): void {
  rmSync(path, { recursive: true, force: true });
}
