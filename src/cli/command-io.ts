/**
 * What commands print and read, without oclif: the manifest read with its E026/UTF-8 diagnostics, diagnostics and
 * JSON output, and the report of a failed command. BaseCommand delegates here, and so does the fast path
 * (fast-path.ts), which runs the most frequent commands without loading oclif at all: one implementation, so the
 * two paths cannot drift apart.
 */
import { readFile } from "node:fs/promises";
import type { Diagnostic, SourceFile } from "../diagnostics/types.js";
import { renderDiagnostic, sortDiagnostics, summary, type Paint } from "../diagnostics/render.js";
import { decodeManifest } from "../manifest/source.js";
import { EXIT, UserError } from "./errors.js";

/** How a command prints: JSON on stdout or text (coloured by `paint`) on stderr. */
export interface CommandIO {
  jsonMode: boolean;
  /** Undefined only when a command failed before reading its flags. */
  paint: Paint | undefined;
}

/**
 * Colours only where they help: on a TTY, unless --no-color or NO_COLOR (chalk's own detection then honours
 * FORCE_COLOR and TERM=dumb). Without colours the plain paint does, and chalk need not even be loaded.
 */
export function colourWanted(stream: NodeJS.WriteStream, noColor: boolean): boolean {
  return !noColor && stream.isTTY === true && process.env["NO_COLOR"] === undefined;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Diagnostics to stderr (text mode), sorted, with a one-line summary. */
export function printDiagnostics(io: CommandIO, diagnostics: Diagnostic[], source: SourceFile | undefined): void {
  if (io.jsonMode || diagnostics.length === 0) return;
  for (const d of sortDiagnostics(diagnostics)) process.stderr.write(`${renderDiagnostic(d, source, io.paint)}\n\n`);
  process.stderr.write(`${summary(diagnostics)}\n`);
}

/** Reads and decodes the manifest; a missing/unreadable file or bad UTF-8 is a UserError with its diagnostic. */
export async function readManifest(io: CommandIO, path: string): Promise<SourceFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "not found" : code === "EISDIR" ? "is a directory" : `cannot be read (${code ?? "unknown error"})`;
    throw new UserError(`manifest ${path} ${why}`, [
      { code: "E026", severity: "error", message: `manifest ${why}`, file: path, hint: code === "ENOENT" ? "run `otpiser init` to write one, or pass -m PATH" : undefined } as Diagnostic,
    ]);
  }
  const decoded = decodeManifest(path, bytes);
  if ("diagnostic" in decoded) {
    const lossy = { path, text: new TextDecoder().decode(bytes) };
    printDiagnostics(io, [decoded.diagnostic], lossy);
    throw new UserError("the manifest is not valid UTF-8", io.jsonMode ? [decoded.diagnostic] : []);
  }
  return decoded.source;
}

/** A UserError as the user sees it (JSON, diagnostics, or `error: message` + hint); exit 1. */
export function reportUserError(io: CommandIO, err: UserError): void {
  if (io.jsonMode) {
    printJson({ ok: false, error: err.message, diagnostics: err.diagnostics });
  } else if (err.diagnostics.length > 0) {
    printDiagnostics(io, err.diagnostics, undefined);
  } else {
    process.stderr.write(`${io.paint?.error("error") ?? "error"}: ${err.message}\n${err.hint ? `  hint: ${err.hint}\n` : ""}`);
  }
  process.exitCode = EXIT.user;
}

/** Anything else is otpiser's bug: say so, no stack unless OTPISER_DEBUG; exit 2. */
export function reportInternalError(err: Error): void {
  process.stderr.write(
    `internal error: ${err.message}\nThis is a bug in otpiser, not in your manifest. Please report it with the command you ran.\n` +
      (process.env["OTPISER_DEBUG"] ? `${err.stack ?? ""}\n` : "Set OTPISER_DEBUG=1 to see the stack trace.\n"),
  );
  process.exitCode = EXIT.internal;
}
