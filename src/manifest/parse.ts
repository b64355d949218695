import { parseTOML, ParseError, type AST } from "toml-eslint-parser";
import type { Diagnostic, SourceFile, Span } from "../diagnostics/types.js";
import { spanAt, spanOf } from "../diagnostics/span.js";
import type { PArray, PEntry, PTable, PValue } from "./positioned.js";
import { checkKeyDepth, checkLimits, type LimitProblem } from "./limits.js";

export type ParseResult = { ok: true; root: PTable } | { ok: false; diagnostics: Diagnostic[] };

/**
 * TOML text → positioned value tree. toml-eslint-parser keeps a location on every key and value (which
 * @iarna/toml does not), so semantic errors found later can still point at the exact text.
 */
export function parseManifest(source: SourceFile): ParseResult {
  const limit = checkLimits(source.text);
  if (limit) return beyondLimits(source, limit);
  let ast: AST.TOMLProgram;
  try {
    ast = parseTOML(source.text, { tomlVersion: "1.0" });
  } catch (error) {
    if (error instanceof RangeError) {
      // Last resort behind checkLimits: the parser ran out of stack on some input the limits did not foresee.
      return {
        ok: false,
        diagnostics: [{ code: "E028", severity: "error", message: "the manifest is too large or too deeply nested to parse", file: source.path, hint: "split or flatten it" }],
      };
    }
    if (error instanceof ParseError) {
      const offset = Math.min(error.index, source.text.length);
      const located = locateTomlError(source.text, offset, error.message);
      const d: Diagnostic = {
        code: "E001",
        severity: "error",
        message: `invalid TOML: ${lowerFirst(error.message)}`,
        file: source.path,
        span: located?.span ?? spanAt(source.text, offset),
      };
      const hint = located?.hint ?? tomlHint(error.message);
      if (hint) d.hint = hint;
      return { ok: false, diagnostics: [d] };
    }
    throw error;
  }
  const deep = checkKeyDepth(ast);
  if (deep) return beyondLimits(source, deep);
  const top = ast.body[0];
  const root: PTable = { t: "table", entries: new Map(), inline: false, span: spanOf(source.text, ast.range) };
  for (const item of top.body) {
    if (item.type === "TOMLKeyValue") {
      assignKeyValue(source.text, root, item);
    } else {
      const table = openTable(source.text, root, item);
      for (const kv of item.body) assignKeyValue(source.text, table, kv);
    }
  }
  return { ok: true, root };
}

function beyondLimits(source: SourceFile, limit: LimitProblem): ParseResult {
  const span = spanOf(source.text, [limit.offset, Math.min(source.text.length, limit.offset + limit.length)]);
  return { ok: false, diagnostics: [{ code: "E028", severity: "error", message: limit.message, file: source.path, span, hint: limit.hint }] };
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function tomlHint(message: string): string | undefined {
  if (/multiple times/i.test(message)) return "each key may be defined once per table; merge the two definitions";
  if (/unterminated|missing/i.test(message)) return "check for an unclosed quote, bracket or brace";
  return undefined;
}

/**
 * the parser reports an unterminated string/array/inline table at the end of the line (or of
 * the file), and a duplicate key as one character. Point at the opening quote or bracket instead, cover the whole
 * repeated key, and name where it was first defined, so the caret lands on the text the user has to change.
 */
function locateTomlError(text: string, offset: number, message: string): { span: Span; hint?: string } | undefined {
  const opener = /unterminated string/i.test(message)
    ? "string"
    : /unterminated array/i.test(message)
      ? "["
      : /unterminated inline table/i.test(message)
        ? "{"
        : undefined;
  if (opener) {
    const at = unclosedOpener(text, offset, opener);
    if (at === undefined) return undefined;
    if (opener !== "string") {
      return { span: spanAt(text, at), hint: `this \`${opener}\` is never closed; add the matching \`${opener === "[" ? "]" : "}"}\`` };
    }
    const lineEnd = text.indexOf("\n", at);
    const end = lineEnd === -1 ? text.length : lineEnd > at && text[lineEnd - 1] === "\r" ? lineEnd - 1 : lineEnd;
    return { span: spanOf(text, [at, Math.max(end, at + 1)]), hint: "this string is never closed; add the closing quote" };
  }
  if (/multiple times/i.test(message)) {
    const key = /^(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')/.exec(text.slice(offset))?.[0];
    if (!key) return undefined;
    const span = spanOf(text, [offset, offset + key.length]);
    const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
    const header = /^\s*(\[\[?[^\]\n]*\]\]?)/.exec(text.slice(lineStart))?.[1];
    const lines = text.slice(0, lineStart).split("\n");
    let earlier: number | undefined;
    if (header && offset > lineStart + text.slice(lineStart).indexOf("[")) {
      const norm = (h: string) => h.replace(/\s+/g, "");
      const i = lines.findIndex((l) => /^\s*\[/.test(l) && norm(l.replace(/#.*$/, "")) === norm(header));
      if (i >= 0) earlier = i + 1;
      return { span, hint: earlier ? `\`${header}\` is already defined on line ${earlier}; merge the two tables` : tomlHint(message) ?? "" };
    }
    const bare = key.replace(/^["']|["']$/g, "");
    for (let i = lines.length - 1; i >= 0; i--) {
      const l = lines[i]!;
      if (/^\s*\[/.test(l)) break;
      const m = /^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*[.=]/.exec(l);
      if (m && (m[1] ?? m[2] ?? m[3]) === bare) {
        earlier = i + 1;
        break;
      }
    }
    return { span, hint: earlier ? `\`${bare}\` is already set on line ${earlier}; keep one of the two` : tomlHint(message) ?? "" };
  }
  return undefined;
}

/** Offset of the string or bracket still open at `offset`, found by a lexical scan of comments, strings and brackets. */
function unclosedOpener(text: string, offset: number, want: "string" | "[" | "{"): number | undefined {
  const stack: { ch: string; at: number }[] = [];
  let i = 0;
  while (i < offset) {
    const ch = text[i]!;
    if (ch === "#") {
      const nl = text.indexOf("\n", i);
      i = nl === -1 ? text.length : nl;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const triple = text.startsWith(ch.repeat(3), i);
      const start = i;
      i += triple ? 3 : 1;
      let closed = false;
      while (i < offset) {
        const c = text[i]!;
        if (ch === '"' && c === "\\") {
          i += 2;
          continue;
        }
        if (!triple && c === "\n") break;
        if (triple ? text.startsWith(ch.repeat(3), i) : c === ch) {
          i += triple ? 3 : 1;
          closed = true;
          break;
        }
        i++;
      }
      if (!closed && (i >= offset || !triple)) return want === "string" ? start : undefined;
      continue;
    }
    if (ch === "[" || ch === "{") stack.push({ ch, at: i });
    else if ((ch === "]" || ch === "}") && stack.length > 0) stack.pop();
    i++;
  }
  if (want === "string") return undefined;
  for (let k = stack.length - 1; k >= 0; k--) if (stack[k]!.ch === want) return stack[k]!.at;
  return undefined;
}

function keyNames(key: AST.TOMLKey): string[] {
  return key.keys.map((k) => (k.type === "TOMLBare" ? k.name : k.value));
}

/** Walks (creating as needed) the tables named by a `[header]` or `[[header]]` and returns the one to fill. */
function openTable(text: string, root: PTable, table: AST.TOMLTable): PTable {
  const names = keyNames(table.key);
  const keys = table.key.keys;
  let current = root;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const keySpan = spanOf(text, keys[i]!.range);
    const last = i === names.length - 1;
    const existing = current.entries.get(name);
    if (last && table.kind === "array") {
      const fresh: PTable = { t: "table", entries: new Map(), inline: false, span: spanOf(text, table.range) };
      if (existing && existing.value.t === "array") {
        existing.value.items.push(fresh);
      } else {
        const arr: PArray = { t: "array", items: [fresh], ofTables: true, span: spanOf(text, table.range) };
        current.entries.set(name, { key: name, keySpan, value: arr });
      }
      return fresh;
    }
    if (existing) {
      const v = existing.value;
      // The parser already rejected redefinitions; an array of tables here means "its last element".
      current = v.t === "array" ? (v.items[v.items.length - 1] as PTable) : (v as PTable);
      if (last) {
        current.span = spanOf(text, table.range);
        existing.keySpan = keySpan;
      }
    } else {
      const fresh: PTable = {
        t: "table",
        entries: new Map(),
        inline: false,
        span: spanOf(text, last ? table.range : keys[i]!.range),
      };
      current.entries.set(name, { key: name, keySpan, value: fresh });
      current = fresh;
    }
  }
  return current;
}

function assignKeyValue(text: string, target: PTable, kv: AST.TOMLKeyValue): void {
  const names = keyNames(kv.key);
  let current = target;
  for (let i = 0; i < names.length - 1; i++) {
    const name = names[i]!;
    const existing = current.entries.get(name);
    if (existing && existing.value.t === "table") {
      current = existing.value;
    } else {
      const fresh: PTable = { t: "table", entries: new Map(), inline: false, span: spanOf(text, kv.range) };
      current.entries.set(name, { key: name, keySpan: spanOf(text, kv.key.keys[i]!.range), value: fresh });
      current = fresh;
    }
  }
  const last = names[names.length - 1]!;
  const entry: PEntry = {
    key: last,
    keySpan: spanOf(text, kv.key.keys[names.length - 1]!.range),
    value: convert(text, kv.value),
  };
  current.entries.set(last, entry);
}

function convert(text: string, node: AST.TOMLContentNode): PValue {
  const span: Span = spanOf(text, node.range);
  switch (node.type) {
    case "TOMLArray":
      return { t: "array", items: node.elements.map((e) => convert(text, e)), ofTables: false, span };
    case "TOMLInlineTable": {
      const table: PTable = { t: "table", entries: new Map(), inline: true, span };
      for (const kv of node.body) assignKeyValue(text, table, kv);
      return table;
    }
    case "TOMLValue":
      switch (node.kind) {
        case "string":
          return { t: "string", v: node.value, span, contentOffset: node.range[0] + (node.multiline ? 3 : 1) };
        case "integer":
          return { t: "integer", v: node.value, big: node.bigint, span };
        case "float":
          return { t: "float", v: node.value, span };
        case "boolean":
          return { t: "boolean", v: node.value, span };
        default:
          return { t: "datetime", v: node.datetime, span };
      }
  }
}
