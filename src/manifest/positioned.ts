import type { Span } from "../diagnostics/types.js";

/**
 * The manifest as a tree of values that remember where they were written.
 * The validator reads only this; it never sees the TOML AST.
 */
export type PValue = PString | PInteger | PFloat | PBoolean | PDateTime | PArray | PTable;

interface Located {
  span: Span;
}
export interface PString extends Located {
  t: "string";
  v: string;
  /** Offset of the first content character (after the opening quote) — for positions inside the string. */
  contentOffset: number;
}
export interface PInteger extends Located {
  t: "integer";
  v: number;
  /** Exact value: TOML integers are 64-bit, JS numbers are not. */
  big: bigint;
}
export interface PFloat extends Located {
  t: "float";
  v: number;
}
export interface PBoolean extends Located {
  t: "boolean";
  v: boolean;
}
export interface PDateTime extends Located {
  t: "datetime";
  v: string;
}
export interface PArray extends Located {
  t: "array";
  items: PValue[];
  /** True for `[[array.of.tables]]`. */
  ofTables: boolean;
}
export interface PTable extends Located {
  t: "table";
  entries: Map<string, PEntry>;
  /** True for `{ inline = "tables" }`. */
  inline: boolean;
}
export interface PEntry {
  key: string;
  keySpan: Span;
  value: PValue;
}

export function typeName(v: PValue): string {
  switch (v.t) {
    case "string":
      return "a string";
    case "integer":
      return "an integer";
    case "float":
      return "a float";
    case "boolean":
      return "a boolean";
    case "datetime":
      return "a date-time";
    case "array":
      return v.ofTables ? "an array of tables" : "an array";
    case "table":
      return "a table";
  }
}
