import type { Span } from "../diagnostics/types.js";
import { suggestion } from "../diagnostics/suggest.js";
import type { PArray, PEntry, PString, PTable, PValue } from "./positioned.js";
import { type Reporter, TableReader } from "./read.js";

/**
 * The pre-v1 manifest form, translated on the fly into the v1 tree (docs/legacy.md):
 *
 *   [workload]                      → [app]            (name, module, version, description, elixir)
 *   [[supervisors]]                 → [groups.<name>]  (a supervisor named `root`/`application` → the root level;
 *                                                       one listed as another's child → kind = "supervisor")
 *     strategy, max-restarts, max-seconds → strategy, max_restarts, max_seconds
 *   [[supervisors.children]]        → [services.<name>]
 *     module, restart, kind, doc; type = "worker" → gen_server; shutdown / shutdown-ms → shutdown_ms;
 *     depends-on → depends_on; uses stays
 *   [options] generate-docker = true → [deploy] targets = ["docker"]
 *   [options] generate-tests, flags, [data] input-type/output-type → no v1 meaning (tests are always generated):
 *     reported in the migration warning, never silently dropped.
 *
 * Values keep their source spans, so later diagnostics still point into the legacy file.
 */
const WORKLOAD_KEYS = ["name", "module", "version", "description", "elixir"];
const SUPERVISOR_KEYS = ["name", "strategy", "max-restarts", "max-seconds", "children", "doc", "module"];
const CHILD_KEYS = ["name", "module", "type", "kind", "restart", "shutdown", "shutdown-ms", "depends-on", "uses", "doc"];
const ROOT_NAMES = new Set(["root", "application"]);

export function translateLegacy(r: Reporter, root: PTable): PTable | undefined {
  const top = new TableReader(r, root, "the legacy manifest");
  top.onlyKeys(["workload", "supervisors", "data", "options", "schema"], (key) =>
    ["app", "services", "groups"].includes(key) ? `\`${key}\` is v1 syntax; a manifest is either legacy ([workload]) or v1, not both` : undefined,
  );
  const out: PTable = { t: "table", entries: new Map(), inline: false, span: root.span };
  const dropped: string[] = [];

  const workload = top.table_("workload");
  if (!workload) {
    r.error("E027", "a legacy manifest needs a [workload] table (it becomes [app])", root.span, 'add `[workload]` with `name = "my_app"`');
    return undefined;
  }
  const w = new TableReader(r, workload, "[workload]");
  w.onlyKeys(WORKLOAD_KEYS);
  put(out, "app", workload, root.entries.get("workload")!.keySpan);

  const services = table(root.span);
  const groups = table(root.span);
  const supervisors = top.tables("supervisors") ?? [];
  const supervisorNames = new Set(supervisors.map((s) => (s.entries.get("name")?.value as PString | undefined)?.v).filter(Boolean));
  const childNames = new Set<string>();
  for (const sup of supervisors) {
    for (const child of (sup.entries.get("children")?.value as PArray | undefined)?.items ?? []) {
      const n = child.t === "table" ? child.entries.get("name")?.value : undefined;
      if (n?.t === "string") childNames.add(n.v);
    }
  }

  supervisors.forEach((sup, i) => {
    const s = new TableReader(r, sup, `supervisor #${i + 1}`);
    s.onlyKeys(SUPERVISOR_KEYS, (key) => legacyHint(key, SUPERVISOR_KEYS));
    if (!s.required("name", "the supervisor's name")) return;
    const nameNode = s.stringNode("name");
    if (!nameNode) return;
    const members: PString[] = [];
    for (const [j, child] of (s.tables("children") ?? []).entries()) {
      const c = new TableReader(r, child, `child #${j + 1} of supervisor \`${nameNode.v}\``);
      c.onlyKeys(CHILD_KEYS, (key) => legacyHint(key, CHILD_KEYS));
      if (!c.required("name", "the child's id")) continue;
      const childName = c.stringNode("name");
      if (!childName) continue;
      members.push(childName);
      if (supervisorNames.has(childName.v)) continue; // a nested supervisor: declared by its own [[supervisors]] entry
      services.entries.set(childName.v, { key: childName.v, keySpan: childName.span, value: translateChild(r, child) });
    }
    const isRoot = ROOT_NAMES.has(nameNode.v);
    if (isRoot) {
      for (const key of ["strategy", "max-restarts", "max-seconds"]) {
        if (s.has(key)) dropped.push(`\`${key}\` of the root supervisor (the root's strategy and intensity are computed)`);
      }
      return;
    }
    const group = table(sup.span);
    const list: PArray = { t: "array", items: members, ofTables: false, span: s.span("children") };
    group.entries.set("members", { key: "members", keySpan: s.entry("children")?.keySpan ?? sup.span, value: list });
    for (const [from, to] of [["strategy", "strategy"], ["max-restarts", "max_restarts"], ["max-seconds", "max_seconds"], ["doc", "doc"], ["module", "module"]] as const) {
      const e = sup.entries.get(from);
      if (e) group.entries.set(to, { ...e, key: to });
    }
    if (childNames.has(nameNode.v)) {
      group.entries.set("kind", { key: "kind", keySpan: nameNode.span, value: str("supervisor", nameNode.span) });
      services.entries.set(nameNode.v, { key: nameNode.v, keySpan: nameNode.span, value: group });
    } else {
      groups.entries.set(nameNode.v, { key: nameNode.v, keySpan: nameNode.span, value: group });
    }
  });
  if (services.entries.size > 0) out.entries.set("services", { key: "services", keySpan: root.span, value: services });
  if (groups.entries.size > 0) out.entries.set("groups", { key: "groups", keySpan: root.span, value: groups });

  const options = top.table_("options");
  if (options) {
    const o = new TableReader(r, options, "[options]");
    o.onlyKeys(["flags", "generate-tests", "generate-docker"]);
    if (o.bool("generate-docker") === true) {
      const span = o.span("generate-docker");
      const deploy = table(span);
      deploy.entries.set("targets", { key: "targets", keySpan: span, value: { t: "array", items: [str("docker", span)], ofTables: false, span } });
      out.entries.set("deploy", { key: "deploy", keySpan: span, value: deploy });
    }
    if (o.has("generate-tests")) dropped.push("`[options] generate-tests` (tests are always generated)");
    if (o.has("flags")) dropped.push("`[options] flags`");
  }
  const data = top.table_("data");
  if (data) {
    new TableReader(r, data, "[data]").onlyKeys(["input-type", "output-type"]);
    dropped.push("`[data]` (declare `calls` with `args` and `returns` on the service that processes the data)");
  }
  const schema = root.entries.get("schema");
  if (schema) out.entries.set("schema", schema);

  r.warn(
    "W106",
    "this is a legacy manifest ([workload] / [[supervisors]]); otpiser translated it to the v1 form" +
      (dropped.length > 0 ? `; with no v1 meaning and ignored: ${dropped.join(", ")}` : ""),
    root.entries.get("workload")!.keySpan,
    "migrate: [workload] → [app]; [[supervisors]] → [groups.<name>]; [[supervisors.children]] → [services.<name>]; " +
      "kebab-case keys → snake_case (max-restarts → max_restarts, depends-on → depends_on, shutdown → shutdown_ms); " +
      "run `otpiser migrate --in-place` to rewrite the file in the v1 form (comments kept, the original saved as .legacy); see docs/legacy.md",
  );
  return out;
}

function translateChild(r: Reporter, child: PTable): PTable {
  const out = table(child.span);
  for (const [key, entry] of child.entries) {
    if (key === "name") continue;
    if (key === "type") {
      const v = entry.value;
      if (v.t === "string" && v.v === "supervisor") {
        r.error("E027", "a child of type \"supervisor\" must be declared by its own [[supervisors]] entry with the same name", v.span, "add `[[supervisors]]` with this name and its children");
      } else if (v.t === "string" && v.v !== "worker") {
        r.error("E027", `legacy child type must be "worker" or "supervisor", found "${v.v}"`, v.span);
      }
      continue; // workers become gen_servers, the v1 default kind
    }
    const renamed = key === "shutdown" || key === "shutdown-ms" ? "shutdown_ms" : key === "depends-on" ? "depends_on" : key;
    out.entries.set(renamed, { ...entry, key: renamed });
  }
  return out;
}

function legacyHint(key: string, allowed: string[]): string | undefined {
  const kebab = key.replace(/_/g, "-");
  if (allowed.includes(kebab)) return `legacy manifests use kebab-case: \`${kebab}\``;
  return suggestion(key, allowed, "allowed keys");
}

function table(span: Span): PTable {
  return { t: "table", entries: new Map<string, PEntry>(), inline: false, span };
}

function str(v: string, span: Span): PString {
  return { t: "string", v, span, contentOffset: span.offset };
}

function put(out: PTable, key: string, value: PValue, keySpan: Span): void {
  out.entries.set(key, { key, keySpan, value });
}
