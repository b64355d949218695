/** Naming rules of the manifest, and the conversions otpiser applies (snake_case id → CamelCase alias). */

export const ID_PATTERN = /^[a-z][a-z0-9_]*$/;
/** An Elixir alias: dot-separated segments, each starting with an uppercase ASCII letter. */
export const ALIAS_PATTERN = /^[A-Z][A-Za-z0-9_]*(\.[A-Z][A-Za-z0-9_]*)*$/;
/**
 * An Elixir version requirement exactly as `Version.parse_requirement/1` reads it (`mix.exs` refuses anything else):
 * clauses `~> 1.14`, `>= 1.14.0`, `1.14.0-rc.1` joined by `and` / `or`, words separated by spaces only; a version
 * has three parts, but after `~>`, which also takes `MAJOR.MINOR`. A string, so the JSON Schema can share it.
 */
export const REQUIREMENT_SOURCE = (() => {
  const num = "(0|[1-9][0-9]*)";
  const preId = "([0-9A-Za-z-]*[A-Za-z-][0-9A-Za-z-]*|0|[1-9][0-9]*)";
  const suffix = `(-${preId}(\\.${preId})*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?`;
  const clause = `(~> *${num}\\.${num}(\\.${num})?${suffix}|((==|!=|>=|<=|>|<) *)?${num}\\.${num}\\.${num}${suffix})`;
  return `^ *${clause}( +(and|or) +${clause})* *$`;
})();
export const REQUIREMENT_PATTERN = new RegExp(REQUIREMENT_SOURCE);

/** A local function name (may end in ? or !). */
export const FUNCTION_PATTERN = /^[a-z_][a-zA-Z0-9_]*[?!]?$/;
/** A variable (argument) name. */
export const VARIABLE_PATTERN = /^[a-z_][a-zA-Z0-9_]*$/;

/** Words Elixir reserves; they can be neither function nor variable names. */
export const RESERVED_WORDS = new Set([
  "do", "end", "fn", "nil", "true", "false", "when", "and", "or", "not", "in", "catch", "rescue", "after", "else",
  "__MODULE__", "__CALLER__", "__ENV__", "__DIR__", "__STACKTRACE__",
]);

export function camelCase(id: string): string {
  return id
    .split("_")
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}

/** The closest valid id to a rejected one (`payment-gateway` → `payment_gateway`, `Foo` → `foo`), if any. */
export function fixId(raw: string): string | undefined {
  const fixed = raw
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^[^a-z]+/, "")
    .replace(/_+/g, "_")
    .replace(/_$/, "");
  return ID_PATTERN.test(fixed) ? fixed : undefined;
}

/** The closest valid alias (`payments` → `Payments`, `my.app` → `My.App`), if any. */
export function fixAlias(raw: string): string | undefined {
  const fixed = raw
    .split(".")
    .map((seg) => camelCase(seg.replace(/[^A-Za-z0-9_]/g, "_")))
    .join(".");
  return ALIAS_PATTERN.test(fixed) ? fixed : undefined;
}

export function isValidFunctionName(s: string): boolean {
  return FUNCTION_PATTERN.test(s) && !RESERVED_WORDS.has(s);
}

export function isValidVariableName(s: string): boolean {
  return VARIABLE_PATTERN.test(s) && !RESERVED_WORDS.has(s);
}
