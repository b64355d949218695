/**
 * Validation of the relative paths that appear in a plan or a lock.
 *
 * The planner never builds paths from raw user input without sanitising them, so these
 * checks should never fire; they are defence in depth so that a planner bug can never
 * make the writer touch anything outside the output directory.
 */
import * as path from "node:path";
import type { PlannedFile } from "../plan/types.js";
import { PlanShapeError, UnsafePathError } from "./errors.js";

/** Directory (inside the output directory) where otpiser keeps its bookkeeping. Reserved: plans may not write into it. */
export const META_DIR = ".otpiser";

/** Why `p` is not a safe relative POSIX path, or undefined if it is. */
export function unsafePathReason(p: string): string | undefined {
  if (p.length === 0) return "empty path";
  if (p.includes("\0")) return "contains a NUL byte";
  if (p.includes("\\")) return "contains a backslash (plan paths use POSIX separators)";
  if (p.startsWith("/") || path.win32.isAbsolute(p)) return "absolute path";
  const segments = p.split("/");
  for (const s of segments) {
    if (s === "..") return "contains a `..` segment";
    if (s === ".") return "contains a `.` segment";
    if (s === "") return "contains an empty segment (`//` or trailing `/`)";
  }
  return undefined;
}

export function assertSafeRelativePath(p: string): void {
  const why = unsafePathReason(p);
  if (why !== undefined) throw new UnsafePathError(p, why);
}

/** True if `p` is inside the meta directory (the lock and the journal live there). */
export function isMetaPath(p: string): boolean {
  return p === META_DIR || p.startsWith(`${META_DIR}/`);
}

/**
 * Check every planned path: safe, not reserved, not duplicated, and no path used both as a
 * file and as a directory (`a/b` and `a/b/c`), which could only fail half-way through a write.
 */
export function validatePlanPaths(files: readonly PlannedFile[]): void {
  const seen = new Set<string>();
  for (const f of files) {
    assertSafeRelativePath(f.path);
    if (isMetaPath(f.path)) throw new UnsafePathError(f.path, `${META_DIR}/ is reserved for otpiser's own bookkeeping`);
    if (seen.has(f.path)) throw new PlanShapeError("duplicate-path", [f.path], `the plan lists ${f.path} twice`);
    seen.add(f.path);
  }
  for (const p of seen) {
    const segments = p.split("/");
    for (let i = 1; i < segments.length; i++) {
      const dir = segments.slice(0, i).join("/");
      if (seen.has(dir)) {
        throw new PlanShapeError("path-collision", [dir, p], `the plan uses ${dir} both as a file and as a directory (${p})`);
      }
    }
  }
}

/** True if absolute path `child` is `root` itself or lies under it. Both must already be resolved. */
export function isInside(root: string, child: string): boolean {
  const rel = path.relative(root, child);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** Turn a validated relative POSIX path into an absolute native path under `root`. */
export function resolveUnder(root: string, relPosix: string): string {
  return path.join(root, ...relPosix.split("/"));
}
