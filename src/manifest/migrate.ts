import { parseTOML, type AST } from "toml-eslint-parser";
import type { Diagnostic, SourceFile } from "../diagnostics/types.js";
import { translateLegacy } from "./legacy.js";
import { parseManifest } from "./parse.js";
import type { PArray, PEntry, PTable, PValue } from "./positioned.js";
import { Reporter } from "./read.js";
import {
  APP_KEYS, CALL_KEYS, CAST_KEYS, CI_KEYS, CLUSTER_KEYS, COMMON_SERVICE_KEYS, DEFAULTS_KEYS, DEPLOY_KEYS, FEATURES_KEYS,
  GROUP_KEYS, HTTP_KEYS, INFO_KEYS, KIND_KEYS, LEGACY_TOP_LEVEL_KEYS, SLA_KEYS, STATE_FIELD_KEYS, TABLE_KEYS, TOP_LEVEL_KEYS,
  TRANSITION_KEYS,
} from "./schema.js";

/**
 * `otpiser migrate`: a legacy `[workload]` / `[[supervisors]]` manifest → the same manifest in the v1 form, as text.
 *
 * The values come from the legacy translation (`translateLegacy`, the one otpiser already uses to read legacy
 * files), so the migrated file describes exactly the tree the legacy one did. The text is written by a small TOML
 * writer (`writeToml`): keys in the canonical order of docs/manifest.md, strings escaped for TOML.
 *
 * Comments are carried over: each legacy comment is attached to the nearest key or table header that follows it
 * in the legacy source (a comment on the same line as a key or header stays a trailing comment of that line; one
 * inside a multi-line value goes above its key), and written above (or after) the v1 key or table that key became.
 * A key with no v1 counterpart of its own (`name`, `type = "worker"`) hands its comments to its table. Comments
 * that still have no place (the root supervisor's, `[data]`'s, `[options]`') are never dropped: they go at the end
 * under a `# from the legacy manifest:` heading, followed by the legacy settings that have no v1 meaning.
 */

export interface MigrationStats {
  /** Legacy comments written next to the v1 key or table they belonged to. */
  placed: number;
  /** Legacy comments written at the end, under "# from the legacy manifest:". */
  unplaced: number;
}

export type MigrationResult =
  | { status: "already-v1" }
  | { status: "errors"; diagnostics: Diagnostic[] }
  | {
      status: "migrated";
      /** The v1 manifest. */
      text: string;
      comments: MigrationStats;
      /** Legacy settings with no v1 meaning, as written (`[data] input-type = "map()"`); kept as comments at the end. */
      ignored: string[];
    };

export const UNPLACED_HEADING = "# from the legacy manifest:";

/** True when the manifest text is in the legacy form (it has a `[workload]`, `[[supervisors]]`, … table). */
export function isLegacyRoot(root: PTable): boolean {
  return LEGACY_TOP_LEVEL_KEYS.some((k) => root.entries.has(k));
}

/**
 * Rewrites a legacy manifest in the v1 form. Pure. A manifest that does not parse or whose translation has errors
 * gives `errors` (the caller runs the full check for the complete list); a v1 manifest gives `already-v1`.
 */
export function migrateLegacy(source: SourceFile): MigrationResult {
  const parsed = parseManifest(source);
  if (!parsed.ok) return { status: "errors", diagnostics: parsed.diagnostics };
  if (!isLegacyRoot(parsed.root)) return { status: "already-v1" };
  const r = new Reporter(source);
  const translated = translateLegacy(r, parsed.root);
  if (!translated || r.hasErrors) return { status: "errors", diagnostics: r.diagnostics };
  const ast = parseTOML(source.text, { tomlVersion: "1.0" });
  const anchors = collectAnchors(ast);
  const slots = registerSlots(translated);
  const notes: Notes = { leading: new Map(), trailing: new Map() };
  /** The end section, in legacy source order: comments with no place, and settings with no v1 meaning. */
  const leftovers: { at: number; text: string; trailsAnchor?: Anchor }[] = [];
  const eof: Comment[] = [];
  let placed = 0;
  let unplaced = 0;

  const comments = ast.comments.map((c, i, all) => toComment(source.text, c, all[i + 1]?.range[0], anchors));
  for (const c of comments) {
    const target = attach(c, anchors);
    if (!target) {
      eof.push(c); // after the last key: stays at the end
      placed++;
      continue;
    }
    const slot = resolve(target.anchor, slots);
    if (!slot) {
      leftovers.push(target.trailing ? { at: c.start, text: c.text, trailsAnchor: target.anchor } : { at: c.start, text: c.text });
      unplaced++;
      continue;
    }
    placed++;
    // A trailing comment stays trailing only where its line itself became the slot's line.
    if (target.trailing && slot.direct && !notes.trailing.has(slot.id)) notes.trailing.set(slot.id, c.text);
    else push(notes.leading, slot.id, c);
  }

  const ignoredAnchors = anchors.filter((a) => a.type === "kv" && isIgnored(a, slots));
  const ignored = ignoredAnchors.map((a) => describe(source.text, a));
  const settingLines = new Map<Anchor, { at: number; text: string }>();
  ignoredAnchors.forEach((a, i) => {
    const line = { at: a.start, text: `#   ${ignored[i]!}` };
    settingLines.set(a, line);
    leftovers.push(line);
  });
  for (const l of leftovers) {
    const setting = l.trailsAnchor && settingLines.get(l.trailsAnchor);
    if (setting) {
      setting.text += ` ${l.text}`; // a trailing comment stays on its setting's line
      l.text = "";
    }
  }

  let text = writeToml(translated, notes);
  if (eof.length > 0) text += `\n${eof.map((c) => c.text + (c.blankAfter ? "\n" : "")).join("\n").trimEnd()}\n`;
  const rest = leftovers.filter((l) => l.text !== "").sort((x, y) => x.at - y.at).map((l) => l.text);
  if (rest.length > 0) {
    const lines = [UNPLACED_HEADING];
    if (ignored.length > 0) lines.push("# (the indented settings have no v1 meaning and otpiser ignores them; see docs/legacy.md)");
    text += `\n${[...lines, ...rest].join("\n")}\n`;
  }
  return { status: "migrated", text, comments: { placed, unplaced }, ignored };
}

// ---------------------------------------------------------------------------------------------------------------
// Anchors: the key/value pairs and table headers of the legacy source, in source order.

interface Anchor {
  type: "table" | "kv";
  index: number;
  /** Offsets of the whole construct: a header alone (`[[supervisors]]`) or a key with its value. */
  start: number;
  end: number;
  /** 1-based lines of the first and last character. */
  line: number;
  endLine: number;
  /** kv: offsets of its (last) key and of its value. table: of its last header key. */
  keyOffset: number;
  valueOffset?: number;
  /** table: the string value of its `name` key (legacy supervisors and children are named by it), with its offset. */
  name?: { v: string; offset: number };
  /** kv: the table it sits in (undefined at the top level). */
  owner?: Anchor;
  /** table: the header as written, e.g. `[[supervisors.children]]`. */
  header?: string;
  /** kv: the key as written. */
  key?: string;
}

function collectAnchors(ast: AST.TOMLProgram): Anchor[] {
  const out: Anchor[] = [];
  const kv = (node: AST.TOMLKeyValue, owner: Anchor | undefined): void => {
    const keys = node.key.keys;
    const a: Anchor = {
      type: "kv", index: out.length, start: node.range[0], end: node.range[1], line: node.loc.start.line, endLine: node.loc.end.line,
      keyOffset: keys[keys.length - 1]!.range[0], valueOffset: node.value.range[0],
      key: keys.map((k) => (k.type === "TOMLBare" ? k.name : JSON.stringify(k.value))).join("."),
    };
    if (owner) a.owner = owner;
    out.push(a);
  };
  for (const item of ast.body[0]?.body ?? []) {
    if (item.type === "TOMLKeyValue") {
      kv(item, undefined);
      continue;
    }
    const keys = item.key.keys;
    const names = keys.map((k) => (k.type === "TOMLBare" ? k.name : JSON.stringify(k.value))).join(".");
    const headerEnd = item.body.length > 0 ? item.key.range[1] : item.range[1];
    const t: Anchor = {
      type: "table", index: out.length, start: item.range[0], end: headerEnd, line: item.loc.start.line, endLine: item.key.loc.end.line,
      keyOffset: keys[keys.length - 1]!.range[0], header: item.kind === "array" ? `[[${names}]]` : `[${names}]`,
    };
    const name = item.body.find((b) => b.key.keys.length === 1 && keyName(b.key.keys[0]!) === "name");
    if (name && name.value.type === "TOMLValue" && name.value.kind === "string") t.name = { v: name.value.value, offset: name.value.range[0] };
    out.push(t);
    for (const b of item.body) kv(b, t);
  }
  return out;
}

function keyName(k: AST.TOMLBare | AST.TOMLQuoted): string {
  return k.type === "TOMLBare" ? k.name : k.value;
}

interface Comment {
  text: string;
  start: number;
  end: number;
  line: number;
  /** A blank line follows it in the legacy source (before the next comment or key): kept in the output. */
  blankAfter: boolean;
}

function toComment(text: string, c: AST.Comment, nextComment: number | undefined, anchors: Anchor[]): Comment {
  const next = Math.min(nextComment ?? text.length, anchors.find((a) => a.start >= c.range[1])?.start ?? text.length);
  return {
    text: text.slice(c.range[0], c.range[1]).trimEnd(),
    start: c.range[0],
    end: c.range[1],
    line: c.loc.start.line,
    blankAfter: /\n[ \t]*\r?\n/.test(text.slice(c.range[1], next)),
  };
}

/** The anchor a comment belongs to: the key it is inside or trails, else the next key or header; none at the end. */
function attach(c: Comment, anchors: Anchor[]): { anchor: Anchor; trailing: boolean } | undefined {
  const inside = anchors.find((a) => a.type === "kv" && a.start < c.start && c.start < a.end);
  if (inside) return { anchor: inside, trailing: false };
  // The last anchor ending on the comment's line before it (a header's line, or a key's last line).
  const before = anchors.filter((a) => a.end <= c.start && (a.type === "table" ? a.line : a.endLine) === c.line);
  if (before.length > 0) return { anchor: before[before.length - 1]!, trailing: true };
  const next = anchors.find((a) => a.start >= c.end);
  return next ? { anchor: next, trailing: false } : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Slots: the v1 lines (table headers and keys) the translated tree will be written as, found by the legacy source
// offsets their spans still carry.

interface Slot {
  id: string;
  kind: "table" | "key";
}

interface Slots {
  tables: Map<number, Slot>;
  keys: Map<number, Slot>;
  byId: Map<string, Slot>;
}


function registerSlots(root: PTable): Slots {
  const slots: Slots = { tables: new Map(), keys: new Map(), byId: new Map() };
  const add = (map: Map<number, Slot>, offset: number, slot: Slot) => {
    if (offset >= 0 && !map.has(offset)) map.set(offset, slot);
    slots.byId.set(slot.id, slot);
  };
  const walk = (table: PTable, path: (string | number)[]): void => {
    for (const [key, entry] of table.entries) {
      const p = [...path, key];
      const v = entry.value;
      if (v.t === "table" && !v.inline) {
        add(slots.tables, entry.keySpan.offset, { id: slotId(p), kind: "table" });
        walk(v, p);
      } else if (v.t === "array" && v.ofTables) {
        v.items.forEach((item, i) => {
          if (item.t !== "table") return;
          add(slots.tables, i === 0 ? entry.keySpan.offset : item.span.offset, { id: slotId([...p, i]), kind: "table" });
          walk(item, [...p, i]);
        });
      } else {
        add(slots.keys, entry.keySpan.offset, { id: slotId(p), kind: "key" });
      }
    }
  };
  walk(root, []);
  return slots;
}

function slotId(path: (string | number)[]): string {
  return JSON.stringify(path);
}

/** The v1 slot of a legacy anchor; `direct` when the anchor's own line became that slot's line. */
function resolve(anchor: Anchor, slots: Slots): { id: string; direct: boolean } | undefined {
  const own = slotOf(anchor, slots);
  if (own) return { id: own.id, direct: true };
  // A key without a v1 line of its own (`name`, `type`): its table's.
  if (anchor.type === "kv" && anchor.owner) {
    const table = slotOf(anchor.owner, slots);
    if (table) return { id: table.id, direct: false };
  }
  return undefined;
}

function slotOf(anchor: Anchor, slots: Slots): Slot | undefined {
  if (anchor.type === "kv") {
    return slots.keys.get(anchor.keyOffset) ?? slots.keys.get(anchor.valueOffset ?? -1) ?? slots.tables.get(anchor.valueOffset ?? -1);
  }
  if (anchor.name) {
    const named =
      slots.tables.get(anchor.name.offset) ?? slots.byId.get(slotId(["services", anchor.name.v])) ?? slots.byId.get(slotId(["groups", anchor.name.v]));
    if (named?.kind === "table") return named;
  }
  return slots.tables.get(anchor.keyOffset);
}

/** A legacy setting with no v1 line: not a name, not the implied `type`, not a disabled option, not a table list. */
function isIgnored(a: Anchor, slots: Slots): boolean {
  if (slotOf(a, slots)) return false;
  // `generate-docker = true` became [deploy]; `false` is the v1 default (no deploy targets).
  if (["name", "type", "children", "supervisors", "generate-docker"].includes(a.key ?? "")) return false;
  return true;
}

function describe(text: string, a: Anchor): string {
  const kv = text.slice(a.start, a.end).replace(/\s*\r?\n\s*/g, " ");
  if (!a.owner) return kv;
  return `${a.owner.header}${a.owner.name ? ` (${a.owner.name.v})` : ""} ${kv}`;
}

function push(map: Map<string, Comment[]>, key: string, c: Comment): void {
  const list = map.get(key);
  if (list) list.push(c);
  else map.set(key, [c]);
}

// ---------------------------------------------------------------------------------------------------------------
// The TOML writer.

interface Notes {
  /** Comment lines to write above a slot's line, in source order. */
  leading: Map<string, Comment[]>;
  /** A comment to write at the end of a slot's line. */
  trailing: Map<string, string>;
}

/**
 * A positioned tree → TOML text: top-level keys, then one `[table]` per table with keys (tables holding only
 * tables get no header of their own), `[[array.of.tables]]` for arrays of tables, inline tables and arrays on one
 * line. Keys are in the canonical order of docs/manifest.md (unknown keys after them, as given).
 */
export function writeToml(root: PTable, notes: Notes = { leading: new Map(), trailing: new Map() }): string {
  const out: string[] = [];
  let pending: Comment[] = [];
  const commentLines = (id: string): string[] => {
    const list = [...pending, ...(notes.leading.get(id) ?? [])];
    pending = [];
    const lines: string[] = [];
    for (const c of list) {
      lines.push(c.text);
      if (c.blankAfter) lines.push("");
    }
    return lines;
  };
  const line = (id: string, text: string): void => {
    const trailing = notes.trailing.get(id);
    out.push(trailing === undefined ? text : `${text} ${trailing}`);
  };

  const writeTable = (table: PTable, path: (string | number)[], header: string | undefined, headerPath: string[], always = false): void => {
    const entries = ordered(table, headerPath);
    const scalars = entries.filter((e) => !isSection(e.value));
    const sections = entries.filter((e) => isSection(e.value));
    const id = slotId(path);
    if (header !== undefined && (always || scalars.length > 0 || sections.length === 0)) {
      if (out.length > 0) out.push("");
      const lines = commentLines(id);
      out.push(...lines);
      line(id, header);
    } else if (header !== undefined) {
      pending.push(...(notes.leading.get(id) ?? []));
      const trailing = notes.trailing.get(id);
      if (trailing !== undefined) pending.push({ text: trailing, start: 0, end: 0, line: 0, blankAfter: false });
    }
    for (const e of scalars) {
      const keyId = slotId([...path, e.key]);
      const lines = commentLines(keyId);
      // Comments above a key directly under its header: no blank line in between.
      out.push(...lines.filter((l, i) => l !== "" || i < lines.length - 1));
      line(keyId, `${tomlKey(e.key)} = ${tomlValue(e.value)}`);
    }
    for (const e of sections) {
      const p = [...path, e.key];
      const names = [...headerPath, e.key];
      const v = e.value;
      if (v.t === "table") {
        writeTable(v, p, `[${names.map(tomlKey).join(".")}]`, names);
      } else if (v.t === "array") {
        v.items.forEach((item, i) => writeTable(item as PTable, [...p, i], `[[${names.map(tomlKey).join(".")}]]`, names, true));
      }
    }
  };
  writeTable(root, [], undefined, []);
  if (pending.length > 0) out.push(...pending.map((c) => c.text));
  return `${out.join("\n").replace(/\n{3,}/g, "\n\n").trim()}\n`;
}

function isSection(v: PValue): boolean {
  return (v.t === "table" && !v.inline) || (v.t === "array" && v.ofTables && v.items.length > 0 && v.items.every((i) => i.t === "table" && !i.inline));
}

/** Entries of `table` in canonical order; `path` names the table (`services.<id>`, array items without index). */
function ordered(table: PTable, path: string[]): PEntry[] {
  const order = canonicalOrder(path, table);
  const rank = (key: string) => {
    const i = order.indexOf(key);
    return i === -1 ? order.length : i;
  };
  return [...table.entries.values()]
    .map((e, i) => ({ e, i }))
    .sort((a, b) => rank(a.e.key) - rank(b.e.key) || a.i - b.i)
    .map(({ e }) => e);
}

function canonicalOrder(path: string[], table: PTable): readonly string[] {
  const [top, , third] = path;
  if (path.length === 0) return TOP_LEVEL_KEYS;
  if (path.length === 1) {
    const byTop: Record<string, readonly string[]> = {
      app: APP_KEYS, sla: SLA_KEYS, defaults: DEFAULTS_KEYS, cluster: CLUSTER_KEYS, http: HTTP_KEYS, deploy: DEPLOY_KEYS, ci: CI_KEYS,
      features: FEATURES_KEYS,
    };
    return byTop[top!] ?? [];
  }
  if (top === "groups" && path.length === 2) return GROUP_KEYS;
  if (top === "services" && path.length === 2) {
    const kind = table.entries.get("kind")?.value;
    const own = kind?.t === "string" ? (KIND_KEYS as Record<string, readonly string[]>)[kind.v] ?? [] : KIND_KEYS.gen_server;
    return [...COMMON_SERVICE_KEYS, ...own, ...Object.values(KIND_KEYS).flat()];
  }
  if (top === "services" && path.length === 3) {
    const byKey: Record<string, readonly string[]> = { sla: SLA_KEYS, calls: CALL_KEYS, casts: CAST_KEYS, infos: INFO_KEYS, transitions: TRANSITION_KEYS, tables: TABLE_KEYS };
    return byKey[third!] ?? [];
  }
  if (top === "services" && path.length === 4 && third === "state") return STATE_FIELD_KEYS;
  return [];
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/** A key as TOML: bare when it can be, else a basic string. */
export function tomlKey(key: string): string {
  return BARE_KEY.test(key) ? key : tomlString(key);
}

/** A TOML basic string: `"`, `\` and control characters escaped; everything else (Unicode included) as is. */
export function tomlString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
    else if (code >= 0xd800 && code <= 0xdfff) out += "\uFFFD"; // a lone surrogate has no UTF-8 form
    else out += ch;
  }
  return `${out}"`;
}

/** A multi-line text as a `"""` string (newlines kept as lines), when it has no other control characters. */
function tomlMultiline(s: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (!s.includes("\n") || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(s)) return undefined;
  // Every `"` is escaped, so no `"""` can end the string early; the newline after the opening quotes is not content.
  return `"""\n${s.split("\n").map((l) => tomlString(l).slice(1, -1)).join("\n")}"""`;
}

export function tomlValue(v: PValue): string {
  switch (v.t) {
    case "string":
      return tomlMultiline(v.v) ?? tomlString(v.v);
    case "integer":
      return v.big.toString();
    case "float":
      return tomlFloat(v.v);
    case "boolean":
      return v.v ? "true" : "false";
    case "datetime":
      return v.v;
    case "array":
      return `[${(v as PArray).items.map((i) => (i.t === "table" ? inlineTable(i) : tomlValue(i))).join(", ")}]`;
    case "table":
      return inlineTable(v);
  }
}

function inlineTable(t: PTable): string {
  if (t.entries.size === 0) return "{}";
  return `{ ${[...t.entries.values()].map((e) => `${tomlKey(e.key)} = ${e.value.t === "table" ? inlineTable(e.value) : tomlValue(e.value)}`).join(", ")} }`;
}

export function tomlFloat(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  if (Object.is(n, -0)) return "-0.0";
  const s = String(n);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}
