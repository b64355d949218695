import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compareVersions,
  formatVersion,
  looseVersion,
  matches,
  parseRequirement,
  parseVersion,
  satisfies,
  type Version,
} from "../../src/toolchain/version-requirement.js";

describe("parseVersion", () => {
  it("reads SemVer versions with pre-release and build parts", () => {
    expect(parseVersion("1.14.0")).toEqual({ major: 1, minor: 14, patch: 0, pre: [], parts: 3 });
    expect(parseVersion("1.15.0-rc.1")).toEqual({ major: 1, minor: 15, patch: 0, pre: ["rc", 1], parts: 3 });
    expect(parseVersion("1.0.0+build.5")?.pre).toEqual([]);
  });

  it("rejects what is not a full version unless partial versions are allowed", () => {
    for (const bad of ["", "1", "1.14", "v1.14.0", "1.14.0.1", "01.2.3", "1.2.3-", "1.2.3-a..b", "1.2.3-01", "x.y.z"]) {
      expect(parseVersion(bad), bad).toBeUndefined();
    }
    expect(parseVersion("1.14", { partial: true })).toMatchObject({ major: 1, minor: 14, patch: 0, parts: 2 });
    expect(parseVersion("20", { partial: true })).toMatchObject({ major: 20, minor: 0, patch: 0, parts: 1 });
    expect(parseVersion("1.14-rc", { partial: true })).toBeUndefined();
  });

  it("looseVersion drops prefixes and vendor suffixes", () => {
    expect(looseVersion("v1.32.4-dispatcher")).toEqual({ major: 1, minor: 32, patch: 4, pre: [] });
    expect(looseVersion("nix (Nix) 2.8")).toEqual({ major: 2, minor: 8, patch: 0, pre: [] });
    expect(looseVersion("no version here")).toBeUndefined();
  });
});

describe("compareVersions (SemVer precedence)", () => {
  const order = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0-0", "2.0.0"];
  it("orders the SemVer spec's example list", () => {
    for (let i = 0; i + 1 < order.length; i++) {
      const a = parseVersion(order[i]!)!;
      const b = parseVersion(order[i + 1]!)!;
      expect(compareVersions(a, b), `${order[i]} < ${order[i + 1]}`).toBeLessThan(0);
      expect(compareVersions(b, a)).toBeGreaterThan(0);
    }
  });
});

describe("requirements (Elixir's Version.match?)", () => {
  const cases: [string, string, boolean][] = [
    ["1.14.0", "~> 1.14", true],
    ["1.19.3", "~> 1.14", true],
    ["2.0.0", "~> 1.14", false],
    ["2.0.0-rc.0", "~> 1.14", false],
    ["1.13.4", "~> 1.14", false],
    ["1.14.5", "~> 1.14.2", true],
    ["1.14.1", "~> 1.14.2", false],
    ["1.15.0", "~> 1.14.2", false],
    ["1.15.0-rc.1", "~> 1.14.2", false],
    ["1.15.0-rc.1", "~> 1.15.0-rc.0", true],
    ["1.15.0", "~> 1.15.0-rc.0", true],
    ["1.16.0-rc.0", "~> 1.15.0-rc.0", false],
    ["1.14.0", "1.14.0", true],
    ["1.14.0", "== 1.14.0", true],
    ["1.14.1", "== 1.14.0", false],
    ["1.14.1", "!= 1.14.0", true],
    ["1.14.0", "> 1.14.0", false],
    ["1.14.0", ">= 1.14.0", true],
    ["1.14.0", "< 1.14.0", false],
    ["1.14.0", "<= 1.14.0", true],
    ["1.15.0-rc.1", ">= 1.15.0", false],
    ["1.15.0-rc.1", ">= 1.14.0", true],
    ["1.16.2", ">= 1.14.0 and < 1.17.0", true],
    ["1.17.0", ">= 1.14.0 and < 1.17.0", false],
    ["1.13.0", "== 1.13.0 or ~> 1.16", true],
    ["1.14.0", "== 1.13.0 or ~> 1.16", false],
    ["1.16.0", "== 1.13.0 or ~> 1.16", true],
    // `and` binds tighter than `or`
    ["1.10.0", "== 1.10.0 or >= 1.14.0 and < 1.15.0", true],
    ["1.15.0", "== 1.10.0 or >= 1.14.0 and < 1.15.0", false],
    ["20.20.2", ">=20", true],
    ["18.19.0", ">=20", false],
    ["1.14.0", "~>1.14", true],
  ];
  it.each(cases)("%s against %s is %s", (v, req, expected) => {
    expect(satisfies(v, req)).toBe(expected);
  });

  it("reports malformed requirements with a message naming the problem", () => {
    const bad: [string, RegExp][] = [
      ["", /empty/],
      ["~>", /followed by a version/],
      ["~> 1.15-0", /not a version/],
      [">= 1.14 and", /ends with `and`/],
      ["or >= 1.14", /without a version/],
      ["1.14 1.15", /missing `and`\/`or`/],
      ["=> 1.14", /unexpected|followed/],
      ["~> one", /unexpected/],
    ];
    for (const [text, message] of bad) {
      const r = parseRequirement(text);
      expect(r.ok, text).toBe(false);
      if (!r.ok) expect(r.error, text).toMatch(message);
    }
  });

  it("accepts every requirement the manifest validator's E009 pattern accepts (spot check)", () => {
    for (const text of ["~> 1.14", ">= 1.14.0", "== 1.14.0", "1.14.0", "~> 1.14 or ~> 2.0", ">= 1.14.0 and < 2.0.0", "~> 1.15.0-rc.0"]) {
      expect(parseRequirement(text).ok, text).toBe(true);
    }
  });
});

// ----- properties -------------------------------------------------------------------------------------------

const ident = fc.oneof(fc.nat({ max: 20 }), fc.constantFrom("alpha", "beta", "rc", "x-y"));
const version: fc.Arbitrary<Version> = fc.record({
  major: fc.nat({ max: 5 }),
  minor: fc.nat({ max: 20 }),
  patch: fc.nat({ max: 10 }),
  pre: fc.oneof({ weight: 3, arbitrary: fc.constant([] as (string | number)[]) }, { weight: 1, arbitrary: fc.array(ident, { minLength: 1, maxLength: 3 }) }),
});
const req = (s: string) => {
  const r = parseRequirement(s);
  if (!r.ok) throw new Error(r.error);
  return r.requirement;
};

describe("properties", () => {
  it("format/parse round-trips", () => {
    fc.assert(
      fc.property(version, (v) => {
        expect(parseVersion(formatVersion(v))).toEqual({ ...v, parts: 3 });
      }),
    );
  });

  it("compare is a total order: antisymmetric and transitive", () => {
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        expect(Math.sign(compareVersions(a, b)) + Math.sign(compareVersions(b, a))).toBe(0);
        if (compareVersions(a, b) <= 0 && compareVersions(b, c) <= 0) expect(compareVersions(a, c)).toBeLessThanOrEqual(0);
        expect(compareVersions(a, a)).toBe(0);
      }),
    );
  });

  it("each comparison operator agrees with compareVersions", () => {
    fc.assert(
      fc.property(version, version, (v, w) => {
        const c = compareVersions(v, w);
        const W = formatVersion(w);
        expect(matches(v, req(`== ${W}`))).toBe(c === 0);
        expect(matches(v, req(W))).toBe(c === 0);
        expect(matches(v, req(`!= ${W}`))).toBe(c !== 0);
        expect(matches(v, req(`> ${W}`))).toBe(c > 0);
        expect(matches(v, req(`>= ${W}`))).toBe(c >= 0);
        expect(matches(v, req(`< ${W}`))).toBe(c < 0);
        expect(matches(v, req(`<= ${W}`))).toBe(c <= 0);
      }),
    );
  });

  it("~> M.m is >= M.m.0 and < (M+1).0.0-0; ~> M.m.p is >= M.m.p and < M.(m+1).0-0", () => {
    fc.assert(
      fc.property(version, fc.nat({ max: 5 }), fc.nat({ max: 20 }), fc.nat({ max: 10 }), (v, M, m, p) => {
        expect(matches(v, req(`~> ${M}.${m}`))).toBe(matches(v, req(`>= ${M}.${m}.0 and < ${M + 1}.0.0-0`)));
        expect(matches(v, req(`~> ${M}.${m}.${p}`))).toBe(matches(v, req(`>= ${M}.${m}.${p} and < ${M}.${m + 1}.0-0`)));
      }),
    );
  });

  it("`and` is conjunction, `or` is disjunction", () => {
    const ops = fc.constantFrom("==", "!=", ">", ">=", "<", "<=", "~>");
    const clause = fc.tuple(ops, version).map(([op, w]) => `${op} ${formatVersion(w)}`);
    fc.assert(
      fc.property(version, clause, clause, clause, (v, a, b, c) => {
        const [A, B, C] = [a, b, c].map((x) => matches(v, req(x)));
        expect(matches(v, req(`${a} and ${b}`))).toBe(A && B);
        expect(matches(v, req(`${a} or ${b}`))).toBe(A || B);
        expect(matches(v, req(`${a} or ${b} and ${c}`))).toBe(A || (B && C));
      }),
    );
  });
});
