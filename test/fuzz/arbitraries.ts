import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { KINDS, type Kind } from "../../src/manifest/model.js";
import {
  APP_KEYS, CALL_KEYS, CI_KEYS, CLUSTER_KEYS, COMMON_SERVICE_KEYS, DEFAULTS_KEYS, DEPLOY_KEYS, DEPLOY_TARGETS, GROUP_KEYS,
  HTTP_KEYS, KIND_KEYS, LEGACY_TOP_LEVEL_KEYS, SLA_KEYS, TABLE_KEYS, TOP_LEVEL_KEYS, TRANSITION_KEYS,
} from "../../src/manifest/schema.js";
import { FIXTURES, tomlFiles } from "../manifest/helpers.js";
import {
  arr, bool, entry, inline, int, raw, str, strs, tomlString, tomlText, type TDoc, type TEntry, type TSection, type TValue,
} from "./toml-doc.js";
import { prng } from "../helpers/prng.js";

/**
 * The fuzzers' inputs, all as TOML text. Shared by the CI suite (test/fuzz/fuzz.test.ts) and the long runner
 * (scripts/fuzz.ts) through test/fuzz/properties.ts.
 *
 *  - `fixtureMutationArb`: the valid, legacy and invalid fixtures with the line edits people make by hand.
 *  - `manifestArb`: random manifests of the contract's shape — every kind with random fields, random dependency
 *    graphs (cycles included), groups, supervisor services, optional sections — most of them valid.
 *  - `mutatedManifestArb`: the same, then broken structurally: keys deleted, duplicated, renamed or moved, values of
 *    the wrong type, tables repeated or turned into arrays of tables.
 *  - `hostileManifestArb`: the same, with hostile values planted: huge and special numbers, unicode (RTL, ZWJ,
 *    combining marks, astral, NUL), very long and very deep values (inline tables, arrays, dotted keys, Elixir types).
 *  - `graphArb`: dependency graphs only, larger and denser, with groups and supervisors, cycles included.
 *  - `arbitraryTomlArb`: any TOML: random key paths (manifest words and noise), tables, arrays of tables.
 */

// ---------------------------------------------------------------------------------------------------------------
// Choices drawn from a list of numbers: fast-check shrinks the list (fewer, smaller numbers), and every choice
// below maps 0 to the simplest option, so counterexamples shrink to small manifests.

export class Dice {
  private i = 0;
  constructor(private readonly nums: readonly number[]) {}
  next(): number {
    return this.nums.length === 0 ? 0 : this.nums[this.i++ % this.nums.length]!;
  }
  int(min: number, max: number): number {
    return min + (this.next() % (max - min + 1));
  }
  /** True with probability about `p`; a shrunk 0 means false. */
  chance(p: number): boolean {
    return this.next() % 1000 >= 1000 - p * 1000;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.next() % xs.length]!;
  }
  /** Up to `max` distinct items of `xs`, in the order drawn. */
  some<T>(xs: readonly T[], max: number): T[] {
    const out: T[] = [];
    const k = this.int(0, Math.min(max, xs.length));
    for (let j = 0; j < k; j++) {
      const x = this.pick(xs);
      if (!out.includes(x)) out.push(x);
    }
    return out;
  }
}

const diceArb = (max: number) => fc.array(fc.nat({ max: 65_535 }), { minLength: 8, maxLength: max }).map((nums) => new Dice(nums));

// ---------------------------------------------------------------------------------------------------------------
// Valid-shaped manifests

const KIND_WEIGHTS: [Kind, number][] = KINDS.map((k) => [k, k === "gen_server" ? 8 : 1]);
const WEIGHTED_KINDS: Kind[] = KIND_WEIGHTS.flatMap(([k, w]) => Array.from({ length: w }, () => k));
const ID_WORDS = ["cache", "db", "worker", "events", "sink", "jobs", "config", "conn", "api", "store", "queue", "probe"];
const TYPES = [
  "non_neg_integer()", "String.t() | nil", "map()", "[String.t()]", ":fast | :safe", "{:ok, pid()} | {:error, atom()}",
  "pid() | nil", "float()", "term()", "%{optional(atom()) => integer()}", "list(integer())", "boolean()", "keyword()",
  "%{required(:id) => pos_integer(), optional(:name) => String.t()}", "(integer() -> :ok)", "1..10", "[key: atom(), n: 1..3]",
];
const TERMS = ["{Phoenix.PubSub, name: Demo.PubSub}", "Demo.Thing", "{Finch, name: Demo.Finch, pools: %{default: [size: 10]}}", "{Demo.Mod, [1, 2.5, :a, \"s\"]}"];
const DEFAULT_LITERALS: TValue[] = [int(0), str(""), bool(false), arr([]), inline({}), raw("0.5"), strs(["a", "b"]), inline({ region: str("eu"), retries: int(3) })];
const FUNCTIONS = ["get", "put_value", "fetch", "checkout", "status", "all", "lookup", "reset", "notify", "push", "checkin", "tick"];
const ARGS = ["key", "value", "timeout", "opts", "conn", "item"];
const STATES = ["idle", "running", "open", "closed", "half_open", "done"];
const EVENTS = ["go", "stop", "connect", "drop", "retry", "finish"];
const CRONS = ["*/5 * * * *", "0 3 * * 1-5", "15,45 * * * *", "0 0 1 * *", "* * * * *"];
const AVAILABILITY: TValue[] = [str("99.9%"), str("99.99%"), str("90%"), raw("0.999"), str("50%")];

interface ServicePlan {
  id: string;
  kind: Kind;
}

/** One valid-looking manifest: most of what comes out validates, the rest fails on references or graph shape. */
export function buildManifest(d: Dice, opts: { maxServices?: number } = {}): TDoc {
  const n = d.int(1, opts.maxServices ?? 10);
  const services: ServicePlan[] = Array.from({ length: n }, (_, i) => ({ id: `${d.pick(ID_WORDS)}_${i}`, kind: d.pick(WEIGHTED_KINDS) }));
  // Kinds that need another kind get one (mostly): a consumer its producer, a pool its gen_server worker.
  const needs: Partial<Record<Kind, Kind>> = { consumer: "producer", pool: "gen_server" };
  services.forEach((s, i) => {
    const need = needs[s.kind];
    if (need && !services.some((t, j) => j !== i && t.kind === need) && !d.chance(0.05)) s.kind = need;
  });
  const ids = services.map((s) => s.id);
  const clustered = d.chance(0.08);
  const app = d.pick(["demo", "payments", "shop_api", "x"]);
  const appModule = app.split("_").map((p) => p[0]!.toUpperCase() + p.slice(1)).join("");
  const doc: TDoc = [];
  if (d.chance(0.2)) doc.push({ entries: [entry("schema", int(1))] });

  const appEntries = [entry("name", str(app))];
  if (d.chance(0.2)) appEntries.push(entry("version", str(d.pick(["0.1.0", "1.2.3-rc.1", "2.0.0+build.5"]))));
  if (d.chance(0.1)) appEntries.push(entry("elixir", str(d.pick(["~> 1.14", ">= 1.14.0 and < 2.0.0"]))));
  if (d.chance(0.1)) appEntries.push(entry("description", str("A fuzzed app")));
  doc.push({ header: ["app"], entries: appEntries });
  if (d.chance(0.2)) doc.push({ header: ["sla"], entries: slaEntries(d) });
  if (d.chance(0.15)) {
    doc.push({ header: ["defaults"], entries: [entry("restart", str(d.pick(["permanent", "transient", "temporary"]))), entry("shutdown_ms", int(d.int(0, 10_000)))] });
  }

  // who is already inside a container: a service can be a member of one only
  const placed = new Set<string>();
  const containerOf = new Map<string, string>();
  // Templates (a pool's worker, a dynamic_supervisor's child) are chosen first: nothing else may refer to them.
  const templateOf = new Map<number, string>();
  const templates = new Set<string>();
  services.forEach((s, i) => {
    if ((s.kind !== "pool" && s.kind !== "dynamic_supervisor") || (s.kind === "dynamic_supervisor" && !d.chance(0.6))) return;
    const fitting = services.filter((t, j) => j !== i && (t.kind === "gen_server" || (s.kind === "dynamic_supervisor" && t.kind === "gen_statem")));
    const template = fitting.length > 0 && !d.chance(0.05) ? d.pick(fitting).id : d.pick(ids);
    templateOf.set(i, template);
    templates.add(template);
  });
  /** Mostly leaves templates alone, as the contract requires; now and then refers to one anyway. */
  const usable = (xs: string[]) => (d.chance(0.05) ? xs : xs.filter((x) => !templates.has(x)));
  const refTo = (wanted: readonly Kind[] | undefined, self: number): string => {
    if (d.chance(0.03)) return "nowhere";
    const fitting = services.filter((s, j) => j !== self && (wanted === undefined || wanted.includes(s.kind)) && !templates.has(s.id));
    const others = ids.filter((_, j) => j !== self);
    return fitting.length > 0 && !d.chance(0.05) ? d.pick(fitting).id : d.pick(others.length > 0 && !d.chance(0.05) ? others : ids);
  };
  const membersFor = (self: number): string[] => {
    // mostly later services (so that nesting has no loop), never one already placed
    const pool = usable(ids.filter((id, j) => (j > self || d.chance(0.05)) && j !== self && !placed.has(id)));
    const members = d.some(pool, 3);
    members.forEach((m) => {
      placed.add(m);
      containerOf.set(m, ids[self]!);
    });
    return members.length > 0 || !d.chance(0.05) ? members : [d.pick(ids)];
  };

  services.forEach((s, i) => {
    const section: TSection = { header: ["services", s.id], entries: [] };
    const extra: TSection[] = [];
    const e = section.entries;
    if (s.kind !== "gen_server" || d.chance(0.3)) e.push(entry("kind", str(s.kind)));
    // dependencies: mostly on earlier services (a DAG); sometimes on later ones, which can close a cycle
    // never on the supervisors above (they start it), rarely on a template
    const above = new Set<string>();
    for (let c = containerOf.get(s.id); c !== undefined && !above.has(c); c = containerOf.get(c)) above.add(c);
    const candidates = usable(ids.filter((id) => id !== s.id && (!above.has(id) || d.chance(0.05))));
    const deps = d.chance(0.15) ? d.some(candidates, 2) : d.some(candidates.filter((id) => ids.indexOf(id) < i), 3);
    if (deps.length > 0) e.push(entry("depends_on", strs(deps)));
    if (d.chance(0.15)) e.push(entry("uses", strs(d.some(usable(d.chance(0.05) ? ids : ids.filter((id) => id !== s.id)), 2))));
    if (d.chance(0.15)) e.push(entry("restart", str(d.pick(s.kind === "step" ? ["temporary"] : ["permanent", "transient", "temporary"]))));
    if (d.chance(0.1)) e.push(entry("shutdown_ms", int(d.int(0, 60_000))));
    if (d.chance(0.1)) e.push(entry("sla", inline(Object.fromEntries(slaEntries(d).map((x) => [x.key[0]!, x.value])))));
    if (d.chance(0.08)) e.push(entry("significant", bool(true)));
    if (d.chance(0.05)) e.push(entry("telemetry", bool(false)));
    if (d.chance(0.1)) e.push(entry("doc", str(d.pick(["Does things.", "Line one\nline two", "Quotes \" and \\ and #{interpolation}"]))));
    if (d.chance(0.05)) e.push(entry("module", str(`${appModule}.Custom${i}`)));
    if (d.chance(clustered ? 0.2 : 0.01)) e.push(entry("pg_group", str("workers")));
    switch (s.kind) {
      case "gen_server": {
        if (d.chance(0.2)) e.push(entry("continue", bool(true)));
        const fields = d.some(["count", "name", "conns", "items", "ratio", "socket"], 3);
        if (fields.length > 0) {
          extra.push({
            header: ["services", s.id, "state"],
            entries: fields.map((f) =>
              entry(f, d.chance(0.3) ? inline({ type: str(d.pick(TYPES)), default: d.pick(DEFAULT_LITERALS) }) : str(d.pick(TYPES))),
            ),
          });
        }
        const calls = d.some(FUNCTIONS.slice(0, 6), 2);
        for (const name of calls) {
          const c: TEntry[] = [entry("name", str(name))];
          const args = d.some(ARGS, 2);
          if (args.length > 0) c.push(entry("args", strs(args)));
          if (d.chance(0.5)) c.push(entry("returns", str(d.pick(TYPES))));
          extra.push({ header: ["services", s.id, "calls"], array: true, entries: c });
        }
        for (const name of d.some(FUNCTIONS.slice(6), 2)) {
          extra.push({ header: ["services", s.id, "casts"], array: true, entries: [entry("name", str(name)), entry("args", strs(d.some(ARGS, 1)))] });
        }
        if (d.chance(0.2)) e.push(entry("infos", strs(d.some(["tick", "reload", "flush"], 2))));
        break;
      }
      case "gen_statem": {
        const k = d.int(1, 4);
        const states = STATES.slice(0, k);
        e.push(entry("states", strs(states)));
        if (d.chance(0.5)) e.push(entry("initial", str(states[0]!)));
        if (d.chance(0.3)) e.push(entry("callback_mode", str(d.pick(["state_functions", "handle_event_function"]))));
        for (let j = 0; j + 1 < k; j++) {
          extra.push({ header: ["services", s.id, "transitions"], array: true, entries: [entry("from", str(states[j]!)), entry("event", str(EVENTS[j]!)), entry("to", str(states[j + 1]!))] });
        }
        if (k > 1 && d.chance(0.5)) {
          extra.push({ header: ["services", s.id, "transitions"], array: true, entries: [entry("from", str(states[k - 1]!)), entry("event", str("finish")), entry("to", str(states[0]!))] });
        }
        break;
      }
      case "supervisor": {
        const members = membersFor(i);
        // nothing left to supervise: a task_supervisor takes its place (an empty `members` now and then)
        if (members.length === 0 && !d.chance(0.1)) {
          e[0] = entry("kind", str("task_supervisor"));
          break;
        }
        e.push(entry("members", strs(members)));
        containerKeys(d, e);
        break;
      }
      case "dynamic_supervisor":
        if (templateOf.has(i)) e.push(entry("child", str(templateOf.get(i)!)));
        if (d.chance(0.3)) e.push(entry("max_children", int(d.int(1, 1000))));
        if (d.chance(0.2)) e.push(entry("extra_arguments", strs(d.some([":fast", "[retries: 3]", "42", '"text"'], 2))));
        break;
      case "registry":
        if (d.chance(0.5)) e.push(entry("keys", str(d.pick(["unique", "duplicate"]))));
        if (d.chance(0.3)) e.push(entry("partitions", int(d.int(1, 8))));
        break;
      case "task_supervisor":
        if (d.chance(0.4)) e.push(entry("max_children", int(d.int(1, 100))));
        break;
      case "pool":
        e.push(entry("size", int(d.int(1, 8))), entry("worker", str(templateOf.get(i)!)));
        if (d.chance(services.some((t) => t.kind === "registry") ? 0.5 : 0.02)) e.push(entry("registry", str(refTo(["registry"], i))));
        break;
      case "ets_owner":
        for (const name of d.some(["prices", "sessions", "counters"], 2).concat(d.chance(0.8) ? ["main"] : []).map((t) => (d.chance(0.05) ? t : `${t}_${i}`))) {
          const t: TEntry[] = [entry("name", str(name))];
          if (d.chance(0.5)) t.push(entry("type", str(d.pick(["set", "ordered_set", "bag", "duplicate_bag"]))));
          if (d.chance(0.5)) t.push(entry("access", str(d.pick(["public", "protected"]))));
          if (d.chance(0.3)) t.push(entry("read_concurrency", bool(true)));
          if (d.chance(0.3)) t.push(entry("write_concurrency", bool(d.chance(0.5))));
          extra.push({ header: ["services", s.id, "tables"], array: true, entries: t });
        }
        break;
      case "health":
        if (d.chance(0.5)) e.push(entry("interval_ms", int(d.int(10, 60_000))));
        e.push(entry("probes", strs(d.some([`alive:${refTo(undefined, i)}`, `call:${refTo(undefined, i)}`, `mfa:${appModule}.Checks.ok?`, "mfa:Mod.fun"], 3))));
        break;
      case "circuit_breaker":
        e.push(entry("protects", str(refTo(undefined, i))));
        if (d.chance(0.3)) e.push(entry("failure_threshold", int(d.int(1, 20))));
        if (d.chance(0.3)) e.push(entry("reset_timeout_ms", int(d.int(1, 60_000))));
        if (d.chance(0.3)) e.push(entry("half_open_max_calls", int(d.int(1, 5))));
        break;
      case "producer":
        if (d.chance(0.5)) e.push(entry("buffer_size", int(d.int(1, 10_000))));
        if (d.chance(0.5)) e.push(entry("overflow", str(d.pick(["drop_oldest", "drop_newest", "reject"]))));
        break;
      case "consumer": {
        e.push(entry("subscribe_to", strs([refTo(["producer"], i)])));
        const explicitMax = d.chance(0.5);
        const max = explicitMax ? d.int(2, 100) : 10;
        if (explicitMax) e.push(entry("max_demand", int(max)));
        if (d.chance(0.3)) e.push(entry("min_demand", int(d.int(0, max - 1))));
        break;
      }
      case "step":
        e.push(entry("run", str(d.pick([`${appModule}.Migrate.run`, "Other.Setup.go!", `${appModule}.Warm.up`]))));
        break;
      case "pg_scope":
        if (d.chance(0.5)) e.push(entry("scope", str(d.chance(0.1) ? "shared_scope" : `scope_${i}`)));
        break;
      case "scheduled":
        e.push(d.chance(0.5) ? entry("cron", str(d.pick(CRONS))) : entry("every_ms", int(d.int(1, 3_600_000))));
        e.push(entry("run", str(`${appModule}.Jobs.${d.pick(["cleanup", "report", "sync"])}`)));
        if (d.chance(0.3)) e.push(entry("timeout_ms", int(d.int(1, 600_000))));
        if (d.chance(0.3)) e.push(entry("overlap", str(d.pick(["skip", "allow", "queue"]))));
        if (d.chance(0.2)) e.push(entry("history", int(d.int(0, 500))));
        if (d.chance(0.2)) e.push(entry("enabled", bool(d.chance(0.5))));
        break;
      case "external":
        e.push(entry("child_spec", str(d.pick(TERMS))));
        if (d.chance(0.3)) e.push(entry("type", str(d.pick(["worker", "supervisor"]))));
        if (d.chance(0.2)) e.push(entry("deps", strs(['{:phoenix_pubsub, "~> 2.1"}'])));
        break;
    }
    doc.push(section, ...extra);
  });

  const groups = d.int(0, 2);
  for (let g = 0; g < groups; g++) {
    const members = d.some(usable(ids.filter((id) => !placed.has(id))), 3);
    if (members.length === 0 && !d.chance(0.05)) continue;
    members.forEach((m) => placed.add(m));
    const e = [entry("members", strs(members.length > 0 ? members : [d.pick(ids)]))];
    containerKeys(d, e);
    doc.push({ header: ["groups", `group_${g}`], entries: e });
  }
  if (clustered) {
    const discovery = d.pick(["dns", "epmd", "static"]);
    const e = [entry("discovery", str(discovery))];
    if (discovery === "dns") e.push(entry("query", str("demo-headless.default.svc.cluster.local")));
    if (discovery !== "dns" || d.chance(0.2)) e.push(entry("nodes", strs(["a@host1", "b@host2"])));
    e.push(entry("groups", strs(["workers"])));
    doc.push({ header: ["cluster"], entries: e });
  }
  if (d.chance(0.1)) doc.push({ header: ["http"], entries: [entry("port", int(d.int(1, 65_535)))] });
  if (d.chance(0.08)) {
    const e = [entry("targets", strs(d.some(DEPLOY_TARGETS, 4)))];
    if (d.chance(0.5)) e.push(entry("replicas", int(d.int(1, 5))));
    doc.push({ header: ["deploy"], entries: e });
  }
  if (d.chance(0.05)) doc.push({ header: ["ci"], entries: [entry("providers", strs(d.some(["github", "gitlab"], 2)))] });
  if (d.chance(0.05)) doc.push({ header: ["features"], entries: [entry("telemetry", str(d.pick(["builtin", "telemetry"])))] });
  return doc;
}

function slaEntries(d: Dice): TEntry[] {
  const e: TEntry[] = [];
  if (d.chance(0.7)) e.push(entry("availability", d.pick(AVAILABILITY)));
  if (d.chance(0.5)) e.push(entry("recovery_ms", int(d.int(1, 5_000))));
  if (d.chance(0.3)) e.push(entry("window_s", int(d.int(1, 3_600))));
  return e;
}

function containerKeys(d: Dice, e: TEntry[]): void {
  if (d.chance(0.3)) e.push(entry("strategy", str(d.pick(["one_for_one", "rest_for_one", "one_for_all"]))));
  if (d.chance(0.15)) e.push(entry("fate", str("shared")));
  if (d.chance(0.2)) e.push(entry("max_restarts", int(d.int(0, 20))));
  if (d.chance(0.2)) e.push(entry("max_seconds", int(d.int(1, 600))));
}

export const manifestDocArb: fc.Arbitrary<TDoc> = diceArb(600).map((d) => buildManifest(d));
export const manifestArb: fc.Arbitrary<string> = manifestDocArb.map(tomlText);

// ---------------------------------------------------------------------------------------------------------------
// Dependency graphs: gen_servers only, up to 60, denser, cycles and nesting included

export function buildGraph(d: Dice): TDoc {
  const n = d.int(1, 60);
  const ids = Array.from({ length: n }, (_, i) => `s${i}`);
  const cyclic = d.chance(0.3);
  const doc: TDoc = [{ header: ["app"], entries: [entry("name", str("graph"))] }];
  const placed = new Set<string>();
  const supervisors = new Set(d.chance(0.4) ? d.some(ids, 4) : []);
  ids.forEach((id, i) => {
    const e: TEntry[] = [];
    const deps = d.some(cyclic ? ids : ids.slice(0, i), d.pick([1, 2, 4, 8]));
    if (supervisors.has(id)) {
      const members = d.some(ids.slice(i + 1).filter((m) => !placed.has(m)), 4);
      members.forEach((m) => placed.add(m));
      if (members.length > 0) e.push(entry("kind", str("supervisor")), entry("members", strs(members)));
      containerKeys(d, e);
      if (members.length === 0) e.length = 0;
    }
    const kept = deps.filter((x) => x !== id);
    if (kept.length > 0) e.push(entry("depends_on", strs(kept)));
    if (d.chance(0.1)) e.push(entry("restart", str(d.pick(["transient", "temporary"]))));
    if (d.chance(0.05)) e.push(entry("significant", bool(true)));
    if (d.chance(0.05)) e.push(entry("uses", strs(d.some(ids, 2))));
    doc.push({ header: ["services", id], entries: e });
  });
  for (let g = 0; g < d.int(0, 3); g++) {
    const members = d.some(ids.filter((m) => !placed.has(m)), 6);
    if (members.length === 0) continue;
    members.forEach((m) => placed.add(m));
    const e = [entry("members", strs(members))];
    containerKeys(d, e);
    doc.push({ header: ["groups", `g${g}`], entries: e });
  }
  return doc;
}

export const graphArb: fc.Arbitrary<string> = diceArb(1200).map((d) => tomlText(buildGraph(d)));

// ---------------------------------------------------------------------------------------------------------------
// Hostile values

/** Numbers at the edges: TOML's own (inf, nan, hex, underscores), beyond i64, beyond doubles, negative zero. */
export const HUGE_NUMBERS = [
  "1e308", "-1e308", "1.7976931348623157e309", "5e-324", "1e-400", "9223372036854775807", "-9223372036854775808",
  "9223372036854775808", "99999999999999999999", "0x7fffffffffffffff", "0xffffffffffffffff", "0o777", "0b1010",
  "-0", "+0", "-0.0", "+0.0", "nan", "+nan", "-nan", "inf", "+inf", "-inf", "1_000_000", "9007199254740993",
  "-1", "0", "3.14", "1e3", "2147483648", "4294967296", "86401", "65536", "100001",
];

/** Unicode that has broken parsers, renderers and generated code before. */
export const UNICODE_TEXTS = [
  "\u202egnp.exe", "\u200fabc", "مرحبا", "שלום", "👨‍👩‍👧", "e\u0301", "a\u0300\u0301\u0302\u0303", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "😀", "\u0000",
  "a\u0000b", "\u001b[31mred", "\ufeffbom", "line\u2028sep", "para\u2029sep", "İstanbul", "straße", "ǅ", "\ud800", "\udfff",
  "\u{10ffff}", "\t\r\n", "Ⅻ", "０１２", "ﬀ", "ᴬᴮ", "日本語", "\u00a0", "\u200b", "cafe\u0301", "a".repeat(300),
];

/** Text that would break out of the Elixir, YAML or shell it ends up in if it were pasted there unescaped. */
export const INJECTIONS = [
  "#{System.halt()}", '"; System.halt(); "', "'''", '"""', "\\", "end\ndefmodule X do", "${HOME}", "$(rm -rf /)", "`id`",
  ":\n  - evil", "{{ x }}", "</script>", "%{a: 1}", "unquote(x)", "~s(x)", "\\u0000",
];

const deepArray = (depth: number) => raw(`${"[".repeat(depth)}${"]".repeat(depth)}`);
const deepInline = (depth: number) => raw(`${"{ a = ".repeat(depth)}1${" }".repeat(depth)}`);
const deepDotted = (depth: number) => raw(`{ ${Array.from({ length: depth }, () => "k").join(".")} = 1 }`);
const deepType = (depth: number, open: string, close: string, core = "integer()") => str(`${open.repeat(depth)}${core}${close.repeat(depth)}`);

/** Depths around otpiser's limit (100) and far beyond it. */
const DEPTHS = [10, 99, 100, 101, 1000, 20_000];

/** A hostile value of any type. */
export const hostileValueArb: fc.Arbitrary<TValue> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HUGE_NUMBERS).map(raw) },
  { weight: 3, arbitrary: fc.constantFrom(...UNICODE_TEXTS, ...INJECTIONS).map(str) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 12 }).map(str) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 8 }).map((s) => raw(`'${s.replace(/['\n\r]/g, "")}'`)) },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom(...DEPTHS), fc.nat(6)).map(([depth, shape]) => {
      switch (shape) {
        case 0:
          return deepArray(depth);
        case 1:
          return deepInline(depth);
        case 2:
          return deepDotted(depth);
        case 3:
          return deepType(depth, "list(", ")");
        case 4:
          return deepType(depth, "(", ")");
        case 5:
          return deepType(depth, "{", "}", ":a");
        default:
          return deepType(depth, "[", "]");
      }
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom(...UNICODE_TEXTS).map((s) => inline({ [s]: int(1) })) },
);

/** Values of every TOML type, to put where another type belongs. */
export const WRONG_TYPES: TValue[] = [
  str("x"), str(""), int(1), int(-1), raw("1.5"), bool(true), raw("1979-05-27T07:32:00Z"), raw("1979-05-27"), raw("07:32:00"),
  arr([]), strs(["a"]), arr([int(1), int(2)]), arr([int(1), str("a")]), inline({}), inline({ a: int(1) }), arr([inline({ name: str("x") })]),
];

// ---------------------------------------------------------------------------------------------------------------
// Structural mutations of a document

/** Every manifest word, for renames into a key that exists somewhere else (or near-misses of one). */
export const MANIFEST_KEYS = [
  ...new Set<string>([
    ...TOP_LEVEL_KEYS, ...LEGACY_TOP_LEVEL_KEYS, ...APP_KEYS, ...SLA_KEYS, ...DEFAULTS_KEYS, ...GROUP_KEYS, ...CLUSTER_KEYS,
    ...HTTP_KEYS, ...DEPLOY_KEYS, ...CI_KEYS, ...COMMON_SERVICE_KEYS, ...Object.values(KIND_KEYS).flat(), ...CALL_KEYS,
    ...TRANSITION_KEYS, ...TABLE_KEYS, "state", "type", "default",
  ]),
];

export type DocMutation =
  | { t: "delete-entry" | "delete-section" | "duplicate-section" | "array-of-tables"; at: number }
  | { t: "duplicate-entry" | "move-entry"; at: number; to: number }
  | { t: "rename-key" | "rename-header"; at: number; name: string }
  | { t: "set-value"; at: number; value: TValue }
  /** Sets a free-text key (`doc`, `description`) of some table to `text`: hostile text that is still valid. */
  | { t: "set-text"; at: number; text: string }
  /** Replaces one of the values otpiser reads as Elixir (types, terms) or as a literal (`default`). */
  | { t: "set-elixir"; at: number; value: TValue };

const renameArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...MANIFEST_KEYS) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...MANIFEST_KEYS), fc.nat(), fc.constantFrom("_", "s", "-", "A", "é")).map(([k, i, ch]) => k.slice(0, i % (k.length + 1)) + ch + k.slice(i % (k.length + 1))) },
  { weight: 1, arbitrary: fc.constantFrom(...UNICODE_TEXTS, "", " ", "Kind", "SERVICES", "1abc", "a-b") },
);

export const structuralMutationArb: fc.Arbitrary<DocMutation> = fc.oneof(
  fc.record({ t: fc.constantFrom("delete-entry" as const, "delete-section" as const, "duplicate-section" as const, "array-of-tables" as const), at: fc.nat() }),
  fc.record({ t: fc.constantFrom("duplicate-entry" as const, "move-entry" as const), at: fc.nat(), to: fc.nat() }),
  fc.record({ t: fc.constantFrom("rename-key" as const, "rename-header" as const), at: fc.nat(), name: renameArb }),
  fc.record({ t: fc.constant("set-value" as const), at: fc.nat(), value: fc.constantFrom(...WRONG_TYPES) }),
);

/** Keys whose strings are read as Elixir types or terms, or whose value becomes an Elixir literal. */
const ELIXIR_KEYS = new Set(["returns", "type", "child_spec", "deps", "extra_arguments", "default"]);
const deepElixirArb: fc.Arbitrary<TValue> = fc.tuple(fc.constantFrom(99, 100, 101, 1000, 5000, 12_000), fc.nat(5)).map(([depth, shape]) =>
  [deepType(depth, "list(", ")"), deepType(depth, "(", ")"), deepType(depth, "{", "}", ":a"), deepType(depth, "[", "]"), deepType(depth, "%{a: ", "}", "1"), deepDotted(depth)][shape]!,
);

export const hostileMutationArb: fc.Arbitrary<DocMutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant("set-elixir" as const), at: fc.nat(), value: fc.oneof({ weight: 2, arbitrary: deepElixirArb }, { weight: 1, arbitrary: fc.constantFrom(...INJECTIONS).map(str) }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("set-text" as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...UNICODE_TEXTS, ...INJECTIONS), fc.string({ unit: "binary", maxLength: 12 })) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("set-value" as const), at: fc.nat(), value: hostileValueArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constantFrom("rename-key" as const, "rename-header" as const), at: fc.nat(), name: fc.constantFrom(...UNICODE_TEXTS, ...INJECTIONS) }) },
);

/** Applies one mutation to a copy of `doc`; indices wrap around, so every mutation applies to every document. */
export function mutate(doc: TDoc, m: DocMutation): TDoc {
  const out: TDoc = doc.map((s) => ({ ...s, entries: [...s.entries] }));
  if (out.length === 0) return out;
  const all = out.flatMap((s, si) => s.entries.map((_, ei) => [si, ei] as const));
  const sectionAt = (i: number) => out[i % out.length]!;
  switch (m.t) {
    case "delete-section":
      out.splice(m.at % out.length, 1);
      return out;
    case "duplicate-section": {
      const i = m.at % out.length;
      out.splice(i + 1, 0, { ...out[i]!, entries: [...out[i]!.entries] });
      return out;
    }
    case "array-of-tables": {
      const s = sectionAt(m.at);
      if (s.header) s.array = !s.array;
      return out;
    }
    case "rename-header": {
      const s = sectionAt(m.at);
      if (s.header) s.header = s.header.map((h, i) => (i === m.at % s.header!.length ? m.name : h));
      return out;
    }
    case "set-elixir": {
      // state fields (`x = "type"`) and the keys above, wherever they are
      const targets = out.flatMap((s) => s.entries.filter((e) => ELIXIR_KEYS.has(e.key[e.key.length - 1]!) || s.header?.[s.header.length - 1] === "state").map((e) => [s, e] as const));
      if (targets.length === 0) return out;
      const [s, e] = targets[m.at % targets.length]!;
      s.entries = s.entries.map((x) => (x === e ? { ...e, value: m.value } : x));
      return out;
    }
    case "set-text": {
      const texts = out.filter((s) => s.header && !s.array && (s.header[0] === "app" || (s.header[0] === "services" && s.header.length === 2) || (s.header[0] === "groups" && s.header.length === 2)));
      if (texts.length === 0) return out;
      const s = texts[m.at % texts.length]!;
      const key = s.header![0] === "app" ? "description" : "doc";
      s.entries = [...s.entries.filter((e) => e.key.join(".") !== key), entry(key, str(m.text))];
      return out;
    }
    default:
      break;
  }
  if (all.length === 0) return out;
  const [si, ei] = all[m.at % all.length]!;
  const section = out[si]!;
  const target = section.entries[ei]!;
  switch (m.t) {
    case "delete-entry":
      section.entries.splice(ei, 1);
      break;
    case "duplicate-entry":
      sectionAt(m.to).entries.push(target);
      break;
    case "move-entry":
      section.entries.splice(ei, 1);
      sectionAt(m.to).entries.push(target);
      break;
    case "rename-key":
      section.entries[ei] = { ...target, key: [...target.key.slice(0, -1), m.name] };
      break;
    case "set-value":
      section.entries[ei] = { ...target, value: m.value };
      break;
  }
  return out;
}

export const mutatedManifestArb: fc.Arbitrary<string> = fc
  .tuple(manifestDocArb, fc.array(structuralMutationArb, { minLength: 1, maxLength: 4 }))
  .map(([doc, ms]) => tomlText(ms.reduce(mutate, doc)));

export const hostileManifestArb: fc.Arbitrary<string> = fc
  .tuple(manifestDocArb, fc.array(hostileMutationArb, { minLength: 1, maxLength: 3 }))
  .map(([doc, ms]) => tomlText(ms.reduce(mutate, doc)));

// ---------------------------------------------------------------------------------------------------------------
// Arbitrary TOML: random key paths (manifest words mixed with noise), tables, arrays of tables, nested values

const keyArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...MANIFEST_KEYS) },
  { weight: 2, arbitrary: fc.constantFrom("a", "b", "s0", "s1", "x") },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constantFrom(...UNICODE_TEXTS) },
);
const keyPathArb = fc.array(keyArb, { minLength: 1, maxLength: 3 });
const scalarArb: fc.Arbitrary<TValue> = fc.oneof(
  fc.constantFrom("x", "s0", "s1", "gen_server", "supervisor", "one_for_all", "99.9%", "Demo.Mod.run", "term()", "").map(str),
  fc.string({ maxLength: 8 }).map(str),
  fc.integer().map(int),
  fc.double().map((x) => raw(Number.isNaN(x) ? "nan" : x === Infinity ? "inf" : x === -Infinity ? "-inf" : Number.isInteger(x) ? `${x}.0` : String(x).replace(/e\+?/, "e"))),
  fc.boolean().map(bool),
  fc.constantFrom("1979-05-27T07:32:00Z", "1979-05-27", "07:32:00", "1979-05-27T00:32:00.999999-07:00", ...HUGE_NUMBERS).map(raw),
);
const { value: anyValueArb } = fc.letrec<{ value: TValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalarArb,
    fc.array(tie("value"), { maxLength: 4 }).map(arr),
    fc.array(fc.tuple(keyPathArb, tie("value")), { maxLength: 3 }).map((kvs): TValue => ({ t: "inline", entries: kvs.map(([key, value]) => ({ key, value })) })),
  ),
}));
const sectionArb: fc.Arbitrary<TSection> = fc.record({
  header: fc.option(fc.oneof(keyPathArb, fc.tuple(fc.constantFrom("services", "groups"), keyArb).map(([a, b]) => [a, b])), { nil: undefined, freq: 5 }),
  array: fc.boolean(),
  entries: fc.array(fc.record({ key: keyPathArb, value: anyValueArb }), { maxLength: 5 }),
});

export const arbitraryTomlArb: fc.Arbitrary<string> = fc
  .tuple(fc.boolean(), fc.array(sectionArb, { maxLength: 8 }))
  .map(([withApp, sections]) => tomlText([...(withApp ? [{ header: ["app"], entries: [entry("name", str("any"))] }] : []), ...sections]));

// ---------------------------------------------------------------------------------------------------------------
// Line edits of the fixtures (the fuzz-lite suite of the first issue, moved here): a deleted or repeated line, a
// misspelt key, stray quotes and brackets, interpolation, unicode, a value swapped for another.

const fixtureTexts = (dir: string) => tomlFiles(join(FIXTURES, dir)).map((path) => readFileSync(path, "utf8"));
/** The fixtures by directory: valid ones, legacy ones (a translation path of their own), invalid ones. */
export const FIXTURE_TEXTS = { valid: fixtureTexts("valid"), legacy: fixtureTexts("legacy"), invalid: fixtureTexts("invalid") };

const JUNK = [
  '"', "'", "#{", "#{System.halt()}", "}", "{", "[", "]", "[[", "]]", "=", "\n", "\\", "\\u", "'''", '"""', "#", ".", ",",
  " = 1", "\r\n", "\t", "-", "é", "😀", "\u0000", "\u202e", "\ufeff", "\u2028", "İ", "ß", "1e999", "nan", "0x",
];
const VALUES = [
  '"x"', "1", "-1", "0", "true", "[]", "{}", '["a"]', "1.5", "1979-05-27", "07:32:00", '"#{x}"', "99999999999999999999",
  '"a b"', '"Foo"', '[1, "a"]', "{ a = 1 }", '"supervisor"', '"pool"', '"dynamic_supervisor"', '"step"', '"external"',
  '["config"]', '["cache", "db_pool"]', '"one_for_one"', '"shared"', '"unquote(x)"', '"{Foo, System.halt()}"',
];

export type LineMutation =
  | { t: "delete"; line: number }
  | { t: "duplicate"; line: number; to: number }
  | { t: "near-miss"; line: number; at: number; op: number; ch: string }
  | { t: "insert"; at: number; s: string }
  | { t: "value"; line: number; v: string };

export const lineMutationArb: fc.Arbitrary<LineMutation> = fc.oneof(
  fc.record({ t: fc.constant("delete" as const), line: fc.nat() }),
  fc.record({ t: fc.constant("duplicate" as const), line: fc.nat(), to: fc.nat() }),
  fc.record({ t: fc.constant("near-miss" as const), line: fc.nat(), at: fc.nat(), op: fc.nat({ max: 3 }), ch: fc.constantFrom("_", "s", "e", "x", "-", "A") }),
  fc.record({ t: fc.constant("insert" as const), at: fc.nat(), s: fc.oneof(fc.constantFrom(...JUNK), fc.string({ unit: "binary", maxLength: 3 })) }),
  fc.record({ t: fc.constant("value" as const), line: fc.nat(), v: fc.constantFrom(...VALUES) }),
);

/** One edit of a key: drop, insert, replace or transpose a character — the typos "did you mean" exists for. */
function nearMiss(key: string, at: number, op: number, ch: string): string {
  const i = at % (key.length + 1);
  switch (op) {
    case 0:
      return key.slice(0, i) + key.slice(i + 1);
    case 1:
      return key.slice(0, i) + ch + key.slice(i);
    case 2:
      return key.slice(0, i) + ch + key.slice(i + 1);
    default:
      return key.slice(0, i) + key.slice(i + 1, i + 2) + key.slice(i, i + 1) + key.slice(i + 2);
  }
}

export function applyLineMutation(text: string, m: LineMutation): string {
  const lines = text.split("\n");
  switch (m.t) {
    case "delete":
      lines.splice(m.line % lines.length, 1);
      return lines.join("\n");
    case "duplicate":
      lines.splice(m.to % lines.length, 0, lines[m.line % lines.length]!);
      return lines.join("\n");
    case "near-miss": {
      const i = m.line % lines.length;
      const kv = /^(\s*)([A-Za-z0-9_.-]+)(\s*=.*)$/.exec(lines[i]!) ?? /^(\[\[?)([^\]]+)(.*)$/.exec(lines[i]!);
      if (!kv) return text;
      lines[i] = kv[1]! + nearMiss(kv[2]!, m.at, m.op, m.ch) + kv[3]!;
      return lines.join("\n");
    }
    case "insert": {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + m.s + text.slice(at);
    }
    case "value": {
      const i = m.line % lines.length;
      const kv = /^(\s*[A-Za-z0-9_.-]+\s*=\s*)/.exec(lines[i]!);
      if (!kv) return text;
      lines[i] = kv[1]! + m.v;
      return lines.join("\n");
    }
  }
}

/** A fixture (valid: half the time, legacy: a sixth, invalid: a third) with 1..4 line edits. */
export const fixtureMutationArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...FIXTURE_TEXTS.valid) },
      { weight: 1, arbitrary: fc.constantFrom(...FIXTURE_TEXTS.legacy) },
      { weight: 2, arbitrary: fc.constantFrom(...FIXTURE_TEXTS.invalid) },
    ),
    fc.array(lineMutationArb, { minLength: 1, maxLength: 4 }),
  )
  .map(([text, ms]) => ms.reduce(applyLineMutation, text));

// ---------------------------------------------------------------------------------------------------------------
// Very large manifests

export type LargeShape = "chain" | "fan-out" | "random-dag";

/**
 * `n` services: a chain (each depends on the one before), a wide fan-out (everything depends on one service), or a
 * random sparse DAG with a sprinkle of other kinds, written in a shuffled order.
 */
export function largeManifest(shape: LargeShape, n: number, seed = 2026): string {
  const random = prng(seed);
  const deps: number[][] = [];
  for (let i = 0; i < n; i++) {
    if (shape === "chain") deps.push(i > 0 ? [i - 1] : []);
    else if (shape === "fan-out") deps.push(i > 0 ? [0] : []);
    else {
      const d = new Set<number>();
      const k = i === 0 ? 0 : Math.floor(random() * 3);
      for (let j = 0; j < k; j++) d.add(Math.floor(random() * i));
      deps.push([...d]);
    }
  }
  const order = deps.map((_, i) => i);
  if (shape === "random-dag") {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
  }
  const lines = ["[app]", `name = "large"`, ""];
  for (const i of order) {
    lines.push(`[services.s${i}]`);
    if (shape === "random-dag" && i % 97 === 5) lines.push(`kind = "registry"`);
    else if (shape === "random-dag" && i % 89 === 7) lines.push(`kind = "producer"`);
    if (deps[i]!.length > 0) lines.push(`depends_on = [${deps[i]!.map((x) => tomlString(`s${x}`)).join(", ")}]`);
    lines.push("");
  }
  return lines.join("\n");
}
