import type { Span } from "../diagnostics/types.js";
import { spanOf } from "../diagnostics/span.js";
import type { PString } from "./positioned.js";

/**
 * The span of characters [at, at+length) inside a string value. Exact for strings without escapes written on one
 * line (the common case for types and terms); otherwise falls back to the whole value. A problem at the end of the
 * value ("unexpected end") covers the closing quote: an empty span would point at nothing.
 */
export function subSpanOfString(text: string, node: PString, at: number, length: number): Span {
  const raw = text.slice(node.contentOffset, node.contentOffset + node.v.length);
  if (raw !== node.v) return node.span;
  const start = node.contentOffset + Math.min(at, node.v.length);
  const end = node.contentOffset + node.v.length + 1;
  return spanOf(text, [start, Math.min(start + Math.max(1, length), end, text.length)]);
}
