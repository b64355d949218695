/**
 * Unified diffs of what a write would change, for `--diff`. Pure: works on the actions
 * `compareWithDisk` / `writePlan` return, which already carry both sides.
 */
import { FILE_HEADERS_ONLY, createTwoFilesPatch } from "diff";
import { type ActionKind, type FileAction, contentToWrite } from "./compare.js";

export interface DiffOptions {
  /** Lines of context around each change. Default 3, like git. */
  context?: number;
  /** Which kinds to show. Default: everything that changes or would change a file, plus conflicts. */
  kinds?: readonly ActionKind[];
}

export const DEFAULT_DIFF_KINDS: readonly ActionKind[] = ["create", "update", "overwritten", "merged", "merge-conflict", "remove", "conflict"];

/**
 * A git-style unified diff from `before` to `after` for relative path `p`; `undefined` on
 * either side means the file is absent (shown as /dev/null). Empty string if identical.
 */
export function unifiedDiff(p: string, before: string | undefined, after: string | undefined, context = 3): string {
  if (before === after) return "";
  const patch = createTwoFilesPatch(
    before === undefined ? "/dev/null" : `a/${p}`,
    after === undefined ? "/dev/null" : `b/${p}`,
    before ?? "",
    after ?? "",
    undefined,
    undefined,
    { context, headerOptions: FILE_HEADERS_ONLY },
  );
  return patch;
}

/**
 * The diff for one action: current disk content → what the write leaves there.
 * For a merge, that is the user's version → the merged text (with markers, for a merge conflict);
 * for a conflict, the diff shows what `--force` would do to the user's version.
 */
export function diffAction(action: FileAction, options: DiffOptions = {}): string {
  const kinds = options.kinds ?? DEFAULT_DIFF_KINDS;
  if (!kinds.includes(action.kind)) return "";
  const after = action.kind === "remove" || action.kind === "orphan-edited" ? undefined : action.kind === "conflict" ? action.planned : contentToWrite(action);
  return unifiedDiff(action.path, action.current, after, options.context ?? 3);
}

/** All diffs, concatenated in action order (actions come sorted by path). */
export function diffActions(actions: readonly FileAction[], options: DiffOptions = {}): string {
  return actions.map((a) => diffAction(a, options)).join("");
}
