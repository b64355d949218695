/**
 * Typed errors raised by the writer.
 *
 * Commands catch `WriterError` and switch on `code` to decide how to report it; the
 * subclasses exist so tests and callers can `instanceof` them and read their extra fields.
 * `internal: true` marks errors that can only come from a bug in an earlier stage
 * (the plan is generated, never user-typed), so the command can say "this is a bug".
 */
export type WriterErrorCode =
  | "unsafe-path"
  | "duplicate-path"
  | "path-collision"
  | "lock-corrupt"
  | "journal-corrupt"
  | "symlink-escape"
  | "not-a-file"
  | "target-not-a-directory"
  | "base-store"
  | "commit-interrupted";

export class WriterError extends Error {
  readonly code: WriterErrorCode;
  readonly internal: boolean;

  constructor(code: WriterErrorCode, message: string, options?: { cause?: unknown; internal?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.internal = options?.internal ?? false;
  }
}

/** A planned path is absolute, climbs out with `..`, or is otherwise not a plain relative POSIX path. Always a bug upstream. */
export class UnsafePathError extends WriterError {
  constructor(
    readonly path: string,
    readonly why: string,
  ) {
    super("unsafe-path", `internal error: refusing to write planned path ${JSON.stringify(path)}: ${why}`, {
      internal: true,
    });
  }
}

/** The plan lists the same path twice, or a path that is both a file and a directory. Always a bug upstream. */
export class PlanShapeError extends WriterError {
  constructor(
    code: "duplicate-path" | "path-collision",
    readonly paths: string[],
    message: string,
  ) {
    super(code, `internal error: ${message}`, { internal: true });
  }
}

/** `.otpiser/lock.json` exists but cannot be understood. We never guess: the user must fix or delete it. */
export class LockCorruptError extends WriterError {
  constructor(
    readonly lockPath: string,
    readonly detail: string,
    cause?: unknown,
  ) {
    super(
      "lock-corrupt",
      `${lockPath} is corrupt (${detail}). otpiser uses it to tell its own files from your edits; ` +
        `restore it from version control, or delete it (every existing file will then be reported as a conflict).`,
      { cause },
    );
  }
}

/** `.otpiser/journal.json` (an interrupted commit) exists but cannot be understood. */
export class JournalCorruptError extends WriterError {
  constructor(
    readonly journalPath: string,
    readonly detail: string,
    cause?: unknown,
  ) {
    super(
      "journal-corrupt",
      `${journalPath} records an interrupted write but is unreadable (${detail}). ` +
        `Check the project with version control, then delete the journal and run again.`,
      { cause },
    );
  }
}

/** A path we would read or write goes through a symlink that leaves the output directory. */
export class SymlinkEscapeError extends WriterError {
  constructor(
    readonly path: string,
    readonly resolvesTo: string,
  ) {
    super(
      "symlink-escape",
      `refusing to touch ${path}: it goes through a symlink that points outside the output directory (${resolvesTo})`,
    );
  }
}

/** Something other than a regular file (a directory, a socket, a file where a directory should be) sits on a planned path. */
export class NotAFileError extends WriterError {
  constructor(
    readonly path: string,
    readonly found: string,
  ) {
    super("not-a-file", `cannot write ${path}: expected a regular file, found ${found}`);
  }
}

/** Something other than plain files and directories in `.otpiser/base` (the merge bases). */
export class BaseStoreError extends WriterError {
  constructor(
    readonly path: string,
    readonly found: string,
  ) {
    super(
      "base-store",
      `${path} is ${found}; otpiser keeps only plain files and directories under .otpiser/base (the merge bases). ` +
        `Remove it and run again (files you edited then cannot be merged until otpiser rewrites them).`,
    );
  }
}

export class TargetNotADirectoryError extends WriterError {
  constructor(readonly target: string) {
    super("target-not-a-directory", `output path ${target} exists and is not a directory`);
  }
}

/**
 * The commit failed after its journal was made durable. The target may hold a mix of old
 * and new files; the journal (and the staged files, if still present) let the next run
 * finish the job before doing anything else.
 */
export class CommitInterruptedError extends WriterError {
  constructor(
    readonly target: string,
    cause: unknown,
  ) {
    super(
      "commit-interrupted",
      `writing ${target} was interrupted (${cause instanceof Error ? cause.message : String(cause)}); ` +
        `run the command again to finish it`,
      { cause },
    );
  }
}
