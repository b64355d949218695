import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { check, type CheckResult } from "../../src/pipeline.js";
import type { SourceFile } from "../../src/diagnostics/types.js";

/** The repository root (two levels above this file). */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const FIXTURES = join(ROOT, "fixtures");
/** The manifest contract, shared between the engineers' checkouts. */
export const SPEC = join(ROOT, "..", "shared", "spec", "manifest.md");

/** A fixture as check() sees it: path relative to the repository root, as a user would type it. */
export function source(path: string): SourceFile {
  return { path: relative(ROOT, path), text: readFileSync(path, "utf8") };
}

export function checkFile(path: string): CheckResult {
  return check(source(path));
}

/** `*.toml` files of a fixture directory, sorted, as absolute paths. */
export function tomlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".toml"))
    .sort()
    .map((f) => join(dir, f));
}

/** Every ```toml fenced block of a Markdown file, with the line it starts on. */
export function tomlBlocks(markdown: string): { line: number; text: string }[] {
  const blocks: { line: number; text: string }[] = [];
  const re = /^```toml[^\n]*\n([\s\S]*?)^```/gm;
  for (let m = re.exec(markdown); m !== null; m = re.exec(markdown)) {
    blocks.push({ line: markdown.slice(0, m.index).split("\n").length + 1, text: m[1]! });
  }
  return blocks;
}
