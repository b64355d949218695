import type { Sla } from "./model.js";
import { canonicalType, canonicalTerm, SyntaxProblem } from "./elixir-syntax.js";
import { subSpanOfString } from "./string-span.js";
import type { PString, PTable } from "./positioned.js";
import { type Reporter, TableReader } from "./read.js";
import { SLA_KEYS } from "./schema.js";

/** `availability`: "99.9%" or a float in (0, 1). */
export function readAvailability(t: TableReader): number | undefined {
  const e = t.entry("availability");
  if (!e) return undefined;
  const v = e.value;
  const bad = (found: string) =>
    t.r.error(
      "E016",
      `\`availability\` in ${t.where} must be a percentage string like "99.9%" or a number between 0 and 1, found ${found}`,
      v.span,
      "e.g. availability = \"99.9%\" or availability = 0.999",
    );
  if (v.t === "string") {
    const m = v.v.trim().match(/^(\d+(?:\.\d+)?)\s*%$/);
    if (!m) {
      bad(`"${v.v}"`);
      return undefined;
    }
    const a = Number(m[1]) / 100;
    if (!(a > 0 && a < 1)) {
      bad(`"${v.v}" (must be strictly between 0% and 100%)`);
      return undefined;
    }
    return a;
  }
  if (v.t === "float" || v.t === "integer") {
    if (!(v.v > 0 && v.v < 1)) {
      // As written: `nan` and `inf` would otherwise read "found NaN", "found Infinity".
      bad(t.r.source.text.slice(v.span.offset, v.span.endOffset));
      return undefined;
    }
    return v.v;
  }
  bad(v.t);
  return undefined;
}

export function readSla(r: Reporter, table: PTable, where: string): Sla {
  const t = new TableReader(r, table, where);
  t.onlyKeys(SLA_KEYS);
  const sla: Sla = {};
  const a = readAvailability(t);
  if (a !== undefined) sla.availability = a;
  const rec = t.int("recovery_ms", 1, 3_600_000);
  if (rec !== undefined) sla.recoveryMs = rec;
  const w = t.int("window_s", 1, 86_400);
  if (w !== undefined) sla.windowS = w;
  return sla;
}

/** A type expression in a string value; reports E015 at the exact place inside the string. */
export function readType(r: Reporter, node: PString, what: string): string | undefined {
  try {
    return canonicalType(node.v);
  } catch (e) {
    if (!(e instanceof SyntaxProblem)) throw e;
    r.error("E015", `invalid Elixir type in ${what}: ${e.message}`, subSpanOfString(r.source.text, node, e.at, e.length), typeHint(node.v));
    return undefined;
  }
}

function typeHint(text: string): string {
  if (text.includes("#{")) return "types cannot contain interpolation; write a typespec such as `String.t() | nil`";
  return "write a typespec such as `non_neg_integer()`, `String.t() | nil` or `{:ok, pid()} | {:error, atom()}`";
}

/** A literal Elixir term in a string value (external child specs, deps); reports E019. */
export function readTerm(r: Reporter, node: PString, what: string, hint: string): string | undefined {
  try {
    return canonicalTerm(node.v);
  } catch (e) {
    if (!(e instanceof SyntaxProblem)) throw e;
    r.error("E019", `invalid Elixir term in ${what}: ${e.message}`, subSpanOfString(r.source.text, node, e.at, e.length), hint);
    return undefined;
  }
}
