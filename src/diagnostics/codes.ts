/**
 * The catalogue of diagnostic codes. Codes are stable: a code is never reused for another meaning.
 * E… are errors (exit 1), W… are warnings (exit 0, or 1 with --strict). docs/diagnostics.md lists them.
 */
export const CODES = {
  E001: "invalid TOML",
  E002: "empty or incomplete manifest",
  E003: "unknown key",
  E004: "wrong type",
  E005: "missing required key",
  E006: "invalid application name",
  E007: "invalid service or group id",
  E008: "invalid Elixir module name",
  E009: "invalid value",
  E010: "number out of range",
  E011: "unknown service reference",
  E012: "self-dependency",
  E013: "duplicate id or membership",
  E014: "dependency cycle",
  E015: "invalid Elixir type expression",
  E016: "invalid availability",
  E017: "invalid reference for this kind",
  E018: "invalid state machine",
  E019: "invalid Elixir term",
  E020: "module name collision",
  E021: "invalid run target",
  E022: "invalid cron expression",
  E023: "kind not generated yet",
  E024: "unsupported schema version",
  E025: "invalid Elixir identifier",
  E026: "manifest file not found or unreadable",
  E027: "invalid legacy manifest",
  W101: "override weakens the computed supervision",
  W102: "depends_on a temporary service",
  W103: "dependency crosses a group boundary",
  W104: "restart intensity bound exceeded",
  W105: "significant child misplaced",
  W106: "legacy manifest",
  W107: "same id in depends_on and uses",
  W109: "uses names no service of this manifest",
  W110: "key has no effect here",
} as const;

export type Code = keyof typeof CODES;
