import { parseTOML, ParseError, type AST } from "toml-eslint-parser";
import type { Diagnostic, SourceFile, Span } from "../diagnostics/types.js";
import { spanAt, spanOf } from "../diagnostics/span.js";
import type { PArray, PEntry, PTable, PValue } from "./positioned.js";

export type ParseResult = { ok: true; root: PTable } | { ok: false; diagnostics: Diagnostic[] };

/**
 * TOML text → positioned value tree. toml-eslint-parser keeps a location on every key and value (which
 * @iarna/toml does not), so semantic errors found later can still point at the exact text.
 */
export function parseManifest(source: SourceFile): ParseResult {
  let ast: AST.TOMLProgram;
  try {
    ast = parseTOML(source.text, { tomlVersion: "1.0" });
  } catch (error) {
    if (error instanceof ParseError) {
      const offset = Math.min(error.index, source.text.length);
      return {
        ok: false,
        diagnostics: [
          {
            code: "E001",
            severity: "error",
            message: `invalid TOML: ${lowerFirst(error.message)}`,
            file: source.path,
            span: spanAt(source.text, offset),
            hint: tomlHint(error.message),
          },
        ],
      };
    }
    throw error;
  }
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

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function tomlHint(message: string): string | undefined {
  if (/multiple times/i.test(message)) return "each key may be defined once per table; merge the two definitions";
  if (/unterminated|missing/i.test(message)) return "check for an unclosed quote, bracket or brace";
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
