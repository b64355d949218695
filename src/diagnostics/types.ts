/** A region of the manifest source. Lines and columns are 1-based; offsets are 0-based UTF-16 indices. */
export interface Span {
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  offset: number;
  endOffset: number;
}

export type Severity = "error" | "warning";

export interface Diagnostic {
  /** Stable code, e.g. `E012`. Never reused for a different meaning; see docs/diagnostics.md. */
  code: string;
  severity: Severity;
  message: string;
  /** Path of the manifest as the user named it. */
  file: string;
  /** Absent only for problems that have no place in the source (e.g. an empty file). */
  span?: Span;
  /** A fix-it hint: "did you mean `depends_on`?". */
  hint?: string;
}

/** The manifest text with its path: everything the renderer needs to quote source lines. */
export interface SourceFile {
  path: string;
  text: string;
}
