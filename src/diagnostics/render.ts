import type { Diagnostic, SourceFile } from "./types.js";
import { lineText } from "./span.js";

export interface Paint {
  error(s: string): string;
  warning(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  caret(s: string, severity: Diagnostic["severity"]): string;
}

export const plain: Paint = {
  error: (s) => s,
  warning: (s) => s,
  dim: (s) => s,
  bold: (s) => s,
  caret: (s) => s,
};

/**
 * One diagnostic as a compiler prints it:
 *
 *   error[E003]: unknown key `depend_on` in service `cache`
 *     --> otpiser.toml:12:1
 *      |
 *   12 | depend_on = ["db_pool"]
 *      | ^^^^^^^^^
 *      = hint: did you mean `depends_on`?
 */
export function renderDiagnostic(d: Diagnostic, source: SourceFile | undefined, paint: Paint = plain): string {
  const label = d.severity === "error" ? paint.error(`error[${d.code}]`) : paint.warning(`warning[${d.code}]`);
  const lines = [`${label}: ${paint.bold(visible(d.message))}`];
  const file = visible(d.file);
  const hint = d.hint === undefined ? undefined : visible(d.hint);
  if (d.span) {
    const { line, col } = d.span;
    const gutter = String(line).length;
    const pad = " ".repeat(gutter);
    lines.push(`${pad}${paint.dim("-->")} ${file}:${line}:${col}`);
    if (source) {
      const text = visible(lineText(source.text, line).replace(/\t/g, " "));
      const endCol = d.span.endLine === line ? d.span.endCol : text.length + 1;
      const width = Math.max(1, Math.min(endCol, text.length + 1) - col);
      const shown = sourceWindow(text, col, width);
      lines.push(`${pad} ${paint.dim("|")}`);
      lines.push(`${paint.dim(String(line))} ${paint.dim("|")} ${shown.text}`);
      lines.push(`${pad} ${paint.dim("|")} ${" ".repeat(shown.caretCol - 1)}${paint.caret("^".repeat(shown.width), d.severity)}`);
    }
    if (hint) lines.push(`${pad} ${paint.dim("=")} hint: ${hint}`);
  } else {
    lines.push(`  ${paint.dim("-->")} ${file}`);
    if (hint) lines.push(`  ${paint.dim("=")} hint: ${hint}`);
  }
  return lines.join("\n");
}

/**
 * Text from the manifest as a terminal may print it: C0 controls (ESC, CR, a line break inside a message…), DEL,
 * C1 controls and bidi formatting characters each become one visible character (a control picture such as ␛, or
 * U+FFFD), so no manifest can drive the terminal and the caret under a source line stays aligned.
 */
export function visible(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    return code === 0x7f ? "\u2421" : "\uFFFD";
  });
}

/** Longest source line shown in full; longer ones are cut to a window around the caret. */
export const MAX_SHOWN_LINE = 120;

/** The part of a long line worth showing: a window around the problem, with `…` where text was cut. */
export function sourceWindow(text: string, col: number, width: number): { text: string; caretCol: number; width: number } {
  if (text.length <= MAX_SHOWN_LINE) return { text, caretCol: col, width };
  const shownWidth = Math.min(width, 40);
  const start = Math.max(0, Math.min(col - 1 - 40, text.length - MAX_SHOWN_LINE));
  const end = Math.min(text.length, start + MAX_SHOWN_LINE);
  const before = start > 0 ? "…" : "";
  const after = end < text.length ? "…" : "";
  return { text: `${before}${text.slice(start, end)}${after}`, caretCol: col - start + before.length, width: shownWidth };
}

/** Sorts by position (file order), errors before warnings at the same place, for stable output. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      (a.span?.offset ?? -1) - (b.span?.offset ?? -1) ||
      (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1) ||
      a.code.localeCompare(b.code),
  );
}

export function summary(list: readonly Diagnostic[]): string {
  const errors = list.filter((d) => d.severity === "error").length;
  const warnings = list.length - errors;
  const part = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
  return `${part(errors, "error")}, ${part(warnings, "warning")}`;
}
