import type { Diagnostic, SourceFile, Span } from "../diagnostics/types.js";
import type { Code } from "../diagnostics/codes.js";
import { suggestion } from "../diagnostics/suggest.js";
import { type PEntry, type PString, type PTable, type PValue, typeName } from "./positioned.js";

/** C0 controls but tab, LF and CR; DEL; C1 controls. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** Collects diagnostics for one manifest; every reader below reports through it. */
export class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  constructor(readonly source: SourceFile) {}

  error(code: Code, message: string, span: Span | undefined, hint?: string): void {
    this.push("error", code, message, span, hint);
  }
  warn(code: Code, message: string, span: Span | undefined, hint?: string): void {
    this.push("warning", code, message, span, hint);
  }
  get hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === "error");
  }
  private push(severity: Diagnostic["severity"], code: Code, message: string, span?: Span, hint?: string) {
    const d: Diagnostic = { code, severity, message, file: this.source.path };
    if (span) d.span = span;
    if (hint) d.hint = hint;
    this.diagnostics.push(d);
  }
}

/**
 * Typed access to one table, reporting wrong types and unknown keys. `where` names the table in messages
 * ("service `cache`", "[app]"). Getters return undefined after reporting, so validation goes on and every
 * problem is found in one run.
 */
export class TableReader {
  constructor(
    readonly r: Reporter,
    readonly table: PTable,
    readonly where: string,
  ) {}

  entry(key: string): PEntry | undefined {
    return this.table.entries.get(key);
  }
  has(key: string): boolean {
    return this.table.entries.has(key);
  }
  span(key: string): Span {
    return this.table.entries.get(key)?.value.span ?? this.table.span;
  }

  /** Reports every key not in `allowed`, with a "did you mean" hint. */
  onlyKeys(allowed: readonly string[], extraHint?: (key: string) => string | undefined): void {
    for (const [key, entry] of this.table.entries) {
      if (allowed.includes(key)) continue;
      const hint = extraHint?.(key) ?? suggestion(key, allowed, "allowed keys");
      this.r.error("E003", `unknown key \`${key}\` in ${this.where}`, entry.keySpan, hint);
    }
  }

  private typed<T extends PValue["t"]>(key: string, t: T, expected: string): Extract<PValue, { t: T }> | undefined {
    const e = this.entry(key);
    if (!e) return undefined;
    if (e.value.t !== t) {
      this.r.error("E004", `\`${key}\` in ${this.where} must be ${expected}, found ${typeName(e.value)}`, e.value.span, typeHint(key, t, e.value));
      return undefined;
    }
    if (e.value.t === "string" && !this.plainText(key, e.value)) return undefined;
    return e.value as Extract<PValue, { t: T }>;
  }

  /**
   * E030 for a string holding a control character other than tab and line breaks (NUL, ESC, DEL, C1…): no file
   * otpiser writes can carry every one of them (a Nix string cannot hold NUL, a terminal obeys ESC), and no name,
   * doc or description needs them.
   */
  private plainText(key: string, node: PString): boolean {
    const at = node.v.search(CONTROL_CHARACTER);
    if (at < 0) return true;
    const code = node.v.charCodeAt(at).toString(16).toUpperCase().padStart(4, "0");
    this.r.error(
      "E030",
      `\`${key}\` in ${this.where} contains the control character U+${code}`,
      node.span,
      "remove it: text in the manifest may hold tabs and line breaks, no other control characters",
    );
    return false;
  }

  required(key: string, what: string): boolean {
    if (this.has(key)) return true;
    this.r.error("E005", `${this.where} needs \`${key}\` (${what})`, this.table.span, `add \`${key} = ...\``);
    return false;
  }

  string(key: string): string | undefined {
    return this.typed(key, "string", "a string")?.v;
  }
  stringNode(key: string): PString | undefined {
    return this.typed(key, "string", "a string");
  }
  bool(key: string): boolean | undefined {
    return this.typed(key, "boolean", "a boolean (true or false)")?.v;
  }
  table_(key: string): PTable | undefined {
    return this.typed(key, "table", "a table");
  }

  /** An integer within [min, max]; floats and huge values are reported. */
  int(key: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const e = this.entry(key);
    if (!e) return undefined;
    const v = e.value;
    if (v.t !== "integer") {
      // a quoted number (`shutdown_ms = "5000"`) had no hint; say to drop the quotes.
      // Only for floats written with a decimal point and zeros (`5000.0`): `1e308` is integral too, and "write
      // `1e+308` without the decimal point" (the fuzzer's find) made no sense.
      const written = this.r.source.text.slice(v.span.offset, v.span.endOffset);
      const hint =
        v.t === "float" && /^[+-]?[0-9][0-9_]*\.0+$/.test(written)
          ? `write \`${written.replace(/\.0+$/, "")}\` without the decimal point`
          : v.t === "string" && /^[+-]?[0-9][0-9_]*$/.test(v.v.trim())
            ? `write \`${key} = ${v.v.trim()}\` without the quotes`
            : undefined;
      this.r.error("E004", `\`${key}\` in ${this.where} must be an integer, found ${typeName(v)}`, v.span, hint);
      return undefined;
    }
    if (v.big < BigInt(min) || v.big > BigInt(max)) {
      const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`;
      this.r.error("E010", `\`${key}\` in ${this.where} must be ${range}, found ${v.big}`, v.span);
      return undefined;
    }
    return v.v;
  }

  /** One of `values`, with a "did you mean" hint. */
  oneOf<T extends string>(key: string, values: readonly T[]): T | undefined {
    const node = this.stringNode(key);
    if (!node) return undefined;
    if ((values as readonly string[]).includes(node.v)) return node.v as T;
    this.r.error(
      "E009",
      `\`${key}\` in ${this.where} must be one of ${values.map((v) => `"${v}"`).join(", ")}, found "${node.v}"`,
      node.span,
      suggestion(node.v, values, "allowed"),
    );
    return undefined;
  }

  /** An array whose items are all strings; returns the items with their spans. */
  strings(key: string): PString[] | undefined {
    const e = this.entry(key);
    if (!e) return undefined;
    if (e.value.t !== "array" || e.value.ofTables) {
      const hint = e.value.t === "string" ? `write \`${key} = ["${e.value.v}"]\`` : undefined;
      this.r.error("E004", `\`${key}\` in ${this.where} must be an array of strings, found ${typeName(e.value)}`, e.value.span, hint);
      return undefined;
    }
    const out: PString[] = [];
    let ok = true;
    for (const item of e.value.items) {
      if (item.t !== "string") {
        this.r.error("E004", `\`${key}\` in ${this.where} must contain only strings, found ${typeName(item)}`, item.span);
        ok = false;
      } else if (!this.plainText(key, item)) {
        ok = false;
      } else {
        out.push(item);
      }
    }
    return ok ? out : undefined;
  }

  /** `[[key]]` array of tables (or an inline array of inline tables). */
  tables(key: string): PTable[] | undefined {
    const e = this.entry(key);
    if (!e) return undefined;
    if (e.value.t !== "array" || e.value.items.some((i) => i.t !== "table")) {
      this.r.error(
        "E004",
        `\`${key}\` in ${this.where} must be an array of tables (\`[[...${key}]]\`), found ${typeName(e.value)}`,
        e.value.span,
      );
      return undefined;
    }
    return e.value.items as PTable[];
  }
}

/** Reports duplicates within a string list (e.g. `depends_on = ["a", "a"]`). */
export function reportDuplicateItems(r: Reporter, items: PString[], key: string, where: string): void {
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.v)) r.error("E013", `\`${item.v}\` is listed twice in \`${key}\` of ${where}`, item.span, "remove the repeated entry");
    seen.add(item.v);
  }
}

/**
 * wrong-type errors had no fix-it hint even when the intent is obvious — a boolean written as
 * 0/1 or "true".
 */
function typeHint(key: string, expected: PValue["t"], found: PValue): string | undefined {
  if (expected === "boolean") {
    if (found.t === "integer" && (found.v === 0 || found.v === 1)) return `write \`${key} = ${found.v === 1}\``;
    if (found.t === "string" && /^(true|false)$/i.test(found.v.trim())) return `write \`${key} = ${found.v.trim().toLowerCase()}\` without the quotes`;
    return "write `true` or `false`";
  }
  return undefined;
}
