/**
 * A TOML document as data, written out by hand rather than by a TOML library: the fuzzers build manifests in this
 * form and then break them in TOML's own terms (a key deleted, repeated or renamed, a value of the wrong type, a
 * table turned into an array of tables) before serialising. A library would refuse to write most of that.
 */

export type TValue = { t: "raw"; text: string } | { t: "array"; items: TValue[] } | { t: "inline"; entries: TEntry[] };
export interface TEntry {
  /** A dotted key: `["sla", "availability"]` is written `sla.availability`. */
  key: string[];
  value: TValue;
}
export interface TSection {
  /** Absent for the top of the document (before the first header). */
  header?: string[];
  /** `[[header]]` instead of `[header]`. */
  array?: boolean;
  entries: TEntry[];
}
export type TDoc = TSection[];

export const raw = (text: string): TValue => ({ t: "raw", text });
export const str = (s: string): TValue => raw(tomlString(s));
export const int = (n: number): TValue => raw(String(n));
export const bool = (b: boolean): TValue => raw(String(b));
export const arr = (items: TValue[]): TValue => ({ t: "array", items });
export const strs = (items: string[]): TValue => arr(items.map(str));
export const inline = (entries: Record<string, TValue>): TValue => ({ t: "inline", entries: Object.entries(entries).map(([k, value]) => ({ key: [k], value })) });
export const entry = (key: string, value: TValue): TEntry => ({ key: [key], value });

/** A basic string with what TOML requires escaped (quote, backslash, control characters); everything else raw. */
export function tomlString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (c < 0x20 || c === 0x7f) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

export function tomlKey(k: string): string {
  return /^[A-Za-z0-9_-]+$/.test(k) ? k : tomlString(k);
}

const keyPath = (key: string[]) => key.map(tomlKey).join(".");

/** Iterative, so a value nested 100 000 deep is written without overflowing the stack of the writer itself. */
export function tomlValue(v: TValue): string {
  const out: string[] = [];
  const stack: (TValue | string)[] = [v];
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (typeof top === "string") {
      out.push(top);
      continue;
    }
    if (top.t === "raw") {
      out.push(top.text);
    } else if (top.t === "array") {
      const parts: (TValue | string)[] = ["["];
      top.items.forEach((item, i) => parts.push(...(i > 0 ? [", "] : []), item));
      parts.push("]");
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]!);
    } else {
      const parts: (TValue | string)[] = ["{ "];
      top.entries.forEach((e, i) => parts.push(`${i > 0 ? ", " : ""}${keyPath(e.key)} = `, e.value));
      parts.push(top.entries.length > 0 ? " }" : "}");
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]!);
    }
  }
  return out.join("");
}

export function tomlText(doc: TDoc): string {
  const lines: string[] = [];
  for (const section of doc) {
    if (section.header) {
      if (lines.length > 0) lines.push("");
      lines.push(section.array ? `[[${keyPath(section.header)}]]` : `[${keyPath(section.header)}]`);
    }
    for (const e of section.entries) lines.push(`${keyPath(e.key)} = ${tomlValue(e.value)}`);
  }
  return `${lines.join("\n")}\n`;
}
