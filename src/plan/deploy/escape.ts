/**
 * Escaping for the formats deploy files are written in. Every user-written value (descriptions, image names, URLs,
 * queries) reaches a YAML, JSON, TOML, Nix or shell file through one of these; numbers and names otpiser built
 * from validated identifiers may be written as they are.
 */

/** A JSON value (strings quoted and escaped); also a valid YAML 1.2 flow scalar and TOML basic string for strings. */
export function jsonString(value: unknown): string {
  return JSON.stringify(value);
}

/**
 * A double-quoted YAML scalar. YAML 1.2 is a superset of JSON, so JSON's quoting is exact YAML; NEL, LS and PS are
 * escaped too, since YAML 1.1 readers (go-yaml: kubectl, Argo CD) treat them as line breaks.
 */
export function yamlString(s: string): string {
  return JSON.stringify(s).replace(/\u0085/g, "\\u0085").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** A TOML basic string. TOML shares JSON's escapes but for `\/`, which JSON.stringify never writes; no lone surrogates. */
export function tomlString(s: string): string {
  if (/[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ""))) throw new Error(`not valid Unicode: ${JSON.stringify(s)}`);
  return JSON.stringify(s).replace(/\u007f/g, "\\u007f");
}

/** A Nix double-quoted string: `\`, `"` and the `${` that would start an antiquotation are escaped. */
export function nixString(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\$\{/g, "\\${").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t")}"`;
}

/** One POSIX shell word, single-quoted unless it is plainly safe. */
export function shellWord(s: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
