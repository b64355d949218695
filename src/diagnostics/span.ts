import type { Span } from "./types.js";

/**
 * Offsets → line/column. Line starts are indexed once per text (the last text seen is cached), so turning every
 * node of a 10 000-service manifest into a span stays O(n log n) instead of rescanning from the top each time.
 */
let cachedText: string | undefined;
let cachedStarts: number[] = [];

function lineStarts(text: string): number[] {
  if (text !== cachedText) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
    cachedText = text;
    cachedStarts = starts;
  }
  return cachedStarts;
}

/** Line and column (both 1-based) of a 0-based offset. */
export function positionAt(text: string, offset: number): { line: number; col: number } {
  const starts = lineStarts(text);
  const at = Math.max(0, Math.min(offset, text.length));
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, col: at - starts[lo]! + 1 };
}

export function spanOf(text: string, range: readonly [number, number]): Span {
  const start = positionAt(text, range[0]);
  const end = positionAt(text, range[1]);
  return { line: start.line, col: start.col, endLine: end.line, endCol: end.col, offset: range[0], endOffset: range[1] };
}

/** A span covering one character at `offset` (or an empty one at the end of the text). */
export function spanAt(text: string, offset: number): Span {
  return spanOf(text, [offset, Math.min(offset + 1, text.length)]);
}

/** The text of line `line` (1-based), without its newline. */
export function lineText(text: string, line: number): string {
  const starts = lineStarts(text);
  const start = starts[line - 1];
  if (start === undefined) return "";
  const next = starts[line];
  return text.slice(start, next === undefined ? text.length : next - 1).replace(/\r$/, "");
}
