/**
 * Reads the compiler diagnostics out of mix's output, so `otpiser build` can end with a short list
 * (`error lib/app/x.ex:3:5 undefined function foo/0`) instead of leaving the user to scroll.
 *
 * Pure text in → list out. It understands the formats of Elixir 1.14 to 1.17:
 *
 * - `warning: MESSAGE` (or `error: MESSAGE`) then an indented location line `  lib/x.ex:3: Mod.fun/1` (≤ 1.15), or a
 *   code snippet in a box ending `└─ lib/x.ex:3:5: Mod.fun/1` (≥ 1.16);
 * - `** (CompileError) lib/x.ex:3: MESSAGE`, `** (SyntaxError) lib/x.ex:4:3: MESSAGE`, `** (TokenMissingError) …`,
 *   and 1.16's `** (SyntaxError) invalid syntax found on lib/x.ex:4:3:` with the message in the box below;
 * - `== Compilation error in file lib/x.ex ==`, which names the file of an exception raised without a location;
 * - `** (Mix) MESSAGE` (a task refused to run: missing dependencies, no mix.exs, a release that cannot be built);
 * - `Compilation failed due to warnings while using the --warnings-as-errors option`;
 * - Erlang's `src/x.erl:3:5: MESSAGE` / `src/x.erl:3: Warning: MESSAGE`.
 *
 * Stack trace lines (`    (elixir 1.14.0) lib/kernel/…`) and everything else are ignored.
 */

export interface MixProblem {
  severity: "error" | "warning";
  message: string;
  /** Relative to the project, as mix prints it; absent for project-wide errors (`** (Mix) …`). */
  file?: string;
  line?: number;
  column?: number;
  /** The Elixir exception for `** (Kind) …` errors, e.g. `CompileError`. */
  exception?: string;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

const SOURCE = String.raw`[^\s:│└][^:]*?\.(?:ex|exs|erl|hrl|eex|heex|leex|xrl|yrl)`;
/** `lib/x.ex:3`, `lib/x.ex:3:5`, optionally followed by `: context`. */
const LOCATION = new RegExp(String.raw`^\s*(?:└─\s*)?(${SOURCE}):(\d+)(?::(\d+))?(?::\s*(.*))?$`);
/** A location-only line without a line number (`  lib/x.ex: Mod.fun/1` is rare but exists). */
const FILE_ONLY = new RegExp(String.raw`^\s*(?:└─\s*)?(${SOURCE})(?::\s*(.*))?$`);
const START = /^\s*(warning|error): (.*)$/;
const EXCEPTION = /^\*\* \(([A-Z][\w.]*)\) ?(.*)$/;
const HEADER = new RegExp(String.raw`^== Compilation error in file (${SOURCE}) ==$`);
const IN_EXCEPTION = new RegExp(String.raw`^(?:[^:]*? on )?(${SOURCE}):(\d+)(?::(\d+))?:\s*(.*)$`);
const IN_EXCEPTION_FILE = new RegExp(String.raw`^(${SOURCE}):\s*(.*)$`);
const ERLANG = new RegExp(String.raw`^(${SOURCE}):(\d+):(?:(\d+):)? (Warning: )?(.*)$`);
/** Snippet lines of ≥ 1.16 diagnostics: `    │`, `  3 │   code`, `    │   ^`, `    ...`. */
const SNIPPET = /^\s*(?:\d+\s*)?│|^\s*\.\.\.\s*$/;
const WARNINGS_AS_ERRORS = /^Compilation failed due to warnings while using the --warnings-as-errors option/;
/** The summary exception 1.15+ raises after logging the real errors. */
const LOGGED = /\(errors have been logged\)|compilation failed/i;

function located(p: MixProblem, file: string | undefined, line: string | undefined, column: string | undefined): MixProblem {
  if (file !== undefined) p.file = file;
  if (line !== undefined) p.line = Number(line);
  if (column !== undefined) p.column = Number(column);
  return p;
}

export function parseMixOutput(output: string): MixProblem[] {
  const lines = stripAnsi(output).split(/\r?\n/);
  const found: MixProblem[] = [];
  /** The open `warning:`/`error:` block, waiting for its location. */
  let open: { problem: MixProblem; snippet: boolean } | undefined;
  /** An exception whose message is in the `error:` block that follows (1.16+ syntax errors). */
  let awaiting: MixProblem | undefined;
  let headerFile: string | undefined;

  const close = () => {
    if (open) found.push(open.problem);
    open = undefined;
  };

  for (const raw of lines) {
    const line = raw.replace(/\s+$/, "");
    if (open) {
      const loc = LOCATION.exec(line);
      if (loc) {
        located(open.problem, loc[1], loc[2], loc[3]);
        close();
        continue;
      }
      if (line === "") {
        // A blank line inside a snippet box does not happen; before any location it ends a bare block.
        close();
        continue;
      }
      if (SNIPPET.test(line)) {
        open.snippet = true;
        continue;
      }
      const fileOnly = !open.snippet && /^\s/.test(line) ? FILE_ONLY.exec(line) : null;
      if (fileOnly) {
        located(open.problem, fileOnly[1], undefined, undefined);
        close();
        continue;
      }
      if (!open.snippet && /^\s/.test(line) && !START.test(line)) {
        // A message continued on the next line (indented), before the location.
        open.problem.message += ` ${line.trim()}`;
        continue;
      }
      close();
    }

    const start = START.exec(line);
    if (start) {
      const problem: MixProblem = { severity: start[1] === "error" ? "error" : "warning", message: start[2]!.trim() };
      if (awaiting && problem.severity === "error" && awaiting.message === "") {
        // `** (SyntaxError) invalid syntax found on lib/x.ex:4:3:` then `error: syntax error before: end` in a box.
        awaiting.message = problem.message;
        awaiting = undefined;
        continue;
      }
      awaiting = undefined;
      open = { problem, snippet: false };
      continue;
    }

    const header = HEADER.exec(line);
    if (header) {
      headerFile = header[1];
      continue;
    }

    const exception = EXCEPTION.exec(line);
    if (exception) {
      const [, kind, rest = ""] = exception;
      const problem: MixProblem = { severity: "error", message: rest.trim(), exception: kind! };
      const at = IN_EXCEPTION.exec(rest);
      const atFile = at ? undefined : IN_EXCEPTION_FILE.exec(rest);
      if (at) {
        located(problem, at[1], at[2], at[3]);
        problem.message = at[4]!.trim();
      } else if (atFile) {
        located(problem, atFile[1], undefined, undefined);
        problem.message = atFile[2]!.trim();
      } else if (kind !== "Mix" && headerFile !== undefined) {
        problem.file = headerFile;
      }
      headerFile = undefined;
      found.push(problem);
      awaiting = problem.message === "" ? problem : undefined;
      continue;
    }

    if (WARNINGS_AS_ERRORS.test(line)) {
      found.push({ severity: "error", message: "compilation failed because of warnings (--warnings-as-errors)" });
      continue;
    }

    const erlang = ERLANG.exec(line);
    if (erlang) {
      found.push(located({ severity: erlang[4] ? "warning" : "error", message: erlang[5]!.trim() }, erlang[1], erlang[2], erlang[3]));
    }
  }
  close();
  return tidy(found);
}

/** Drops duplicates and the summary exceptions that only repeat errors already listed. */
function tidy(found: MixProblem[]): MixProblem[] {
  const seen = new Set<string>();
  const unique: MixProblem[] = [];
  for (const p of found) {
    const key = `${p.severity}|${p.file ?? ""}|${p.line ?? ""}|${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(p);
  }
  return unique.filter((p) => {
    if (p.exception === undefined || p.line !== undefined) return true;
    // `** (CompileError) lib/x.ex: cannot compile module X (errors have been logged)`: keep it only when nothing
    // more precise was found for that file.
    if (!LOGGED.test(p.message)) return true;
    return !unique.some((q) => q !== p && q.severity === "error" && (p.file === undefined || q.file === p.file) && q.line !== undefined);
  }).map((p) => (p.message === "" ? { ...p, message: p.exception ?? "error" } : p));
}

/** `lib/x.ex:3:5`, `lib/x.ex`, or "" when the problem has no place. */
export function problemLocation(p: MixProblem): string {
  if (p.file === undefined) return "";
  return `${p.file}${p.line !== undefined ? `:${p.line}` : ""}${p.line !== undefined && p.column !== undefined ? `:${p.column}` : ""}`;
}
