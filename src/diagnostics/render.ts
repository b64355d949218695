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
  const lines = [`${label}: ${paint.bold(d.message)}`];
  if (d.span) {
    const { line, col } = d.span;
    const gutter = String(line).length;
    const pad = " ".repeat(gutter);
    lines.push(`${pad}${paint.dim("-->")} ${d.file}:${line}:${col}`);
    if (source) {
      const text = lineText(source.text, line);
      const visible = text.replace(/\t/g, " ");
      const endCol = d.span.endLine === line ? d.span.endCol : text.length + 1;
      const width = Math.max(1, Math.min(endCol, visible.length + 1) - col);
      lines.push(`${pad} ${paint.dim("|")}`);
      lines.push(`${paint.dim(String(line))} ${paint.dim("|")} ${visible}`);
      lines.push(`${pad} ${paint.dim("|")} ${" ".repeat(col - 1)}${paint.caret("^".repeat(width), d.severity)}`);
    }
    if (d.hint) lines.push(`${pad} ${paint.dim("=")} hint: ${d.hint}`);
  } else {
    lines.push(`  ${paint.dim("-->")} ${d.file}`);
    if (d.hint) lines.push(`  ${paint.dim("=")} hint: ${d.hint}`);
  }
  return lines.join("\n");
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
