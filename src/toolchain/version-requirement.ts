/**
 * Versions and version requirements the way Elixir's `Version` module reads them (the `elixir: "~> 1.14"` of a
 * mix.exs), so `otpiser doctor` can tell whether the installed Elixir satisfies `[app] elixir`.
 *
 * Semantics (Elixir's `Version.match?/2` with its default `allow_pre: true`):
 * - versions are SemVer 2.0: `MAJOR.MINOR.PATCH[-PRE][+BUILD]`; precedence as in SemVer (a pre-release sorts before
 *   its release, numeric identifiers numerically and before alphanumeric ones; build metadata is ignored);
 * - operators `==`, `!=`, `>`, `>=`, `<`, `<=`, `~>`; a bare version means `==`;
 * - `~> 1.14` means `>= 1.14.0 and < 2.0.0-0`, `~> 1.14.2` means `>= 1.14.2 and < 1.15.0-0`;
 * - clauses combine with `and` (binds tighter) and `or`.
 *
 * Lenient where Elixir is strict: a version in a requirement may omit its minor or patch part (missing parts are 0;
 * `~> 1` reads as `~> 1.0`). `otpiser validate` refuses such requirements (REQUIREMENT_PATTERN, as mix.exs would).
 */

export interface Version {
  major: number;
  minor: number;
  patch: number;
  /** Pre-release identifiers (`rc.1` → ["rc", 1]); empty for a release. */
  pre: (string | number)[];
}

export type Operator = "==" | "!=" | ">" | ">=" | "<" | "<=" | "~>";

export interface Clause {
  op: Operator;
  version: Version;
  /** How many of MAJOR.MINOR.PATCH the requirement spelled out (decides what `~>` allows). */
  parts: 1 | 2 | 3;
}

/** Alternatives (`or`) of conjunctions (`and`) of clauses. */
export interface Requirement {
  text: string;
  anyOf: Clause[][];
}

const NUMERIC = /^(0|[1-9]\d*)$/;
const IDENT = /^[0-9A-Za-z-]+$/;

function parsePre(text: string): (string | number)[] | undefined {
  const ids = text.split(".");
  const out: (string | number)[] = [];
  for (const id of ids) {
    if (!IDENT.test(id)) return undefined;
    if (/^\d+$/.test(id)) {
      if (!NUMERIC.test(id)) return undefined; // no leading zeros in numeric identifiers
      out.push(Number(id));
    } else out.push(id);
  }
  return out;
}

/** Parses `1.14.0`, `1.15.0-rc.1`, `1.14.0+build`; with `partial`, also `1.14` and `1`. Undefined when malformed. */
export function parseVersion(text: string, options: { partial?: boolean } = {}): (Version & { parts: 1 | 2 | 3 }) | undefined {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(text.trim());
  if (!m) return undefined;
  const nums = [m[1], m[2], m[3]];
  const parts = (nums.filter((n) => n !== undefined).length as 1 | 2 | 3);
  if (parts < 3 && !options.partial) return undefined;
  if (parts < 3 && m[4] !== undefined) return undefined; // `1.14-rc` is not a version
  for (const n of nums) if (n !== undefined && !NUMERIC.test(n)) return undefined;
  const pre = m[4] === undefined ? [] : parsePre(m[4]);
  if (pre === undefined) return undefined;
  if (m[5] !== undefined && !m[5].split(".").every((id) => IDENT.test(id))) return undefined;
  return { major: Number(m[1]), minor: Number(m[2] ?? 0), patch: Number(m[3] ?? 0), pre, parts };
}

/**
 * The version at the start of a tool's own output line, with vendor suffixes dropped: `v1.32.4-dispatcher` →
 * 1.32.4, `28.2.2` → 28.2.2, `2.8` → 2.8.0. For display and "at least" checks of tools other than Elixir.
 */
export function looseVersion(text: string): Version | undefined {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), pre: [] };
}

export function formatVersion(v: Version): string {
  return `${v.major}.${v.minor}.${v.patch}${v.pre.length > 0 ? `-${v.pre.join(".")}` : ""}`;
}

function compareIds(a: string | number, b: string | number): number {
  if (typeof a === "number" && typeof b === "number") return Math.sign(a - b);
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** SemVer precedence: negative, zero or positive. */
export function compareVersions(a: Version, b: Version): number {
  for (const k of ["major", "minor", "patch"] as const) if (a[k] !== b[k]) return Math.sign(a[k] - b[k]);
  if (a.pre.length === 0 || b.pre.length === 0) return a.pre.length === b.pre.length ? 0 : a.pre.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
    const c = compareIds(a.pre[i]!, b.pre[i]!);
    if (c !== 0) return c;
  }
  return Math.sign(a.pre.length - b.pre.length);
}

const TOKEN = /\s*(~>|>=|<=|==|!=|>|<|\band\b|\bor\b|[0-9][0-9A-Za-z.+-]*)/y;

export type ParsedRequirement = { ok: true; requirement: Requirement } | { ok: false; error: string };

/** Parses a requirement such as `~> 1.14`, `>= 1.14.0 and < 1.17.0`, `== 1.14.0 or ~> 1.16`. */
export function parseRequirement(text: string): ParsedRequirement {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (!m) return { ok: false, error: `unexpected \`${text.slice(pos).trim().split(/\s+/)[0]}\` in "${text}"` };
    tokens.push(m[1]!);
    pos = TOKEN.lastIndex;
  }
  if (tokens.length === 0) return { ok: false, error: "the requirement is empty" };
  const anyOf: Clause[][] = [[]];
  let expectClause = true;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === "and" || t === "or") {
      if (expectClause) return { ok: false, error: `\`${t}\` without a version before it in "${text}"` };
      if (t === "or") anyOf.push([]);
      expectClause = true;
      continue;
    }
    if (!expectClause) return { ok: false, error: `missing \`and\`/\`or\` before \`${t}\` in "${text}"` };
    let op: Operator = "==";
    let versionText = t;
    if (/^[~<>=!]/.test(t)) {
      op = t as Operator;
      versionText = tokens[++i] ?? "";
      if (versionText === "" || !/^\d/.test(versionText)) return { ok: false, error: `\`${t}\` must be followed by a version in "${text}"` };
    }
    const v = parseVersion(versionText, { partial: true });
    if (!v) return { ok: false, error: `\`${versionText}\` is not a version (expected MAJOR.MINOR.PATCH, e.g. 1.14.0)` };
    const { parts, ...version } = v;
    anyOf[anyOf.length - 1]!.push({ op, version, parts });
    expectClause = false;
  }
  if (expectClause) return { ok: false, error: `"${text}" ends with \`${tokens[tokens.length - 1]}\`` };
  return { ok: true, requirement: { text: text.trim(), anyOf } };
}

/** The exclusive upper bound of `~> version` (Elixir's: the next minor, or the next major for `~> M.m`, as `-0`). */
export function approximateUpper(c: Clause): Version {
  return c.parts === 3
    ? { major: c.version.major, minor: c.version.minor + 1, patch: 0, pre: [0] }
    : { major: c.version.major + 1, minor: 0, patch: 0, pre: [0] };
}

function clauseMatches(v: Version, c: Clause): boolean {
  const cmp = compareVersions(v, c.version);
  switch (c.op) {
    case "==": return cmp === 0;
    case "!=": return cmp !== 0;
    case ">": return cmp > 0;
    case ">=": return cmp >= 0;
    case "<": return cmp < 0;
    case "<=": return cmp <= 0;
    case "~>": return cmp >= 0 && compareVersions(v, approximateUpper(c)) < 0;
  }
}

export function matches(version: Version, requirement: Requirement): boolean {
  return requirement.anyOf.some((all) => all.every((c) => clauseMatches(version, c)));
}

/** Convenience: does version text `v` satisfy requirement text `req`? Throws on malformed input (for tests). */
export function satisfies(v: string, req: string): boolean {
  const version = parseVersion(v);
  if (!version) throw new Error(`not a version: ${v}`);
  const r = parseRequirement(req);
  if (!r.ok) throw new Error(r.error);
  return matches(version, r.requirement);
}
