import type { Diagnostic } from "../diagnostics/types.js";

/**
 * Exit codes: the contract every command keeps. `mergeConflicts`: generation wrote files with conflict markers
 * (your edits and otpiser's changes overlap); `drift`: `generate --check` found that generating would change the project.
 */
export const EXIT = { ok: 0, user: 1, internal: 2, mergeConflicts: 3, drift: 4 } as const;

/** A problem with what the user asked for (bad input, refused overwrite): printed plainly, exit 1, no stack. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[] = [],
    readonly hint?: string,
  ) {
    super(message);
  }
}
