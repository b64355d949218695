import type { Diagnostic, SourceFile, Span } from "../diagnostics/types.js";
import { closest, suggestion } from "../diagnostics/suggest.js";
import type { AppConfig, ClusterConfig, Group, Manifest, Restart } from "./model.js";
import { ID_PATTERN, REQUIREMENT_PATTERN, camelCase, fixId } from "./names.js";
import type { PTable } from "./positioned.js";
import { typeName } from "./positioned.js";
import { Reporter, TableReader, reportDuplicateItems } from "./read.js";
import {
  APP_KEYS, CI_KEYS, CI_PROVIDERS, CLUSTER_KEYS, DEFAULTS_KEYS, GROUP_KEYS, HTTP_KEYS,
  LEGACY_TOP_LEVEL_KEYS, TOP_LEVEL_KEYS, FEATURES_KEYS, TELEMETRY_BACKENDS,
} from "./schema.js";
import { readSla } from "./validate-common.js";
import { RESTARTS, STRATEGIES, readModule, readService } from "./validate-service.js";
import { checkReferences } from "./references.js";
import { readDeploy } from "./validate-deploy.js";
import { translateLegacy } from "./legacy.js";

export interface ValidationResult {
  /** Present when there is no error (warnings allowed). */
  manifest?: Manifest;
  diagnostics: Diagnostic[];
}

/** Positioned tree → typed Manifest, reporting every problem it finds (not just the first). */
export function validateManifest(source: SourceFile, root: PTable): ValidationResult {
  const r = new Reporter(source);
  if (root.entries.size === 0) {
    r.error("E002", "the manifest is empty", undefined, "run `otpiser init` to write a commented starter manifest");
    return { diagnostics: r.diagnostics };
  }
  const legacy = LEGACY_TOP_LEVEL_KEYS.some((k) => root.entries.has(k));
  if (legacy) {
    const translated = translateLegacy(r, root);
    if (!translated) return { diagnostics: r.diagnostics };
    root = translated;
  }
  const top = new TableReader(r, root, "the manifest");
  top.onlyKeys(TOP_LEVEL_KEYS);

  const schema = top.int("schema", 0, 1_000);
  if (schema !== undefined && schema !== 1) {
    r.error("E024", `schema ${schema} is not supported; this otpiser reads schema 1`, top.span("schema"), "remove the line or write `schema = 1`");
  }

  const app = readApp(r, top);
  const sla = top.table_("sla");
  const defaults = readDefaults(r, top);
  const manifest: Manifest = {
    schema: 1,
    app: app ?? { name: "app", module: "App", version: "0.1.0", elixir: "~> 1.14" },
    sla: sla ? readSla(r, sla, "[sla]") : {},
    defaults,
    services: [],
    groups: [],
    features: { telemetry: "builtin" },
    legacy,
    sectionSpans: Object.fromEntries([...root.entries].map(([key, e]) => [key, e.keySpan])),
  };

  const services = top.table_("services");
  // `[servics.x]` produced "declares no services" (sorted first) on top of the E003 that names
  // the real mistake; when an unknown top-level key is a near-miss of `services`, that E003 says it all.
  const misspeltServices = !top.has("services") && [...root.entries.keys()].some((k) => k !== "services" && closest(k, ["services"]) === "services");
  if (!services || services.entries.size === 0) {
    if (!misspeltServices) r.error("E002", "the manifest declares no services", services?.span ?? top.span("app"), 'add one, e.g. `[services.worker]` with `kind = "gen_server"`');
  } else {
    for (const [id, entry] of services.entries) {
      if (!checkId(r, id, entry.keySpan, "service id")) continue;
      if (entry.value.t !== "table") {
        r.error("E004", `\`services.${id}\` must be a table, found ${typeName(entry.value)}`, entry.value.span, `write \`[services.${id}]\` followed by its keys`);
        continue;
      }
      const service = readService(r, id, entry.value, entry.keySpan, { appModule: manifest.app.module, defaults });
      if (service) manifest.services.push(service);
    }
  }

  const groups = top.table_("groups");
  for (const [name, entry] of groups?.entries ?? []) {
    if (!checkId(r, name, entry.keySpan, "group name")) continue;
    if (entry.value.t !== "table") {
      r.error("E004", `\`groups.${name}\` must be a table`, entry.value.span);
      continue;
    }
    const group = readGroup(r, name, entry.value, entry.keySpan, manifest.app.module);
    if (group) manifest.groups.push(group);
  }

  const cluster = top.table_("cluster");
  if (cluster) manifest.cluster = readCluster(r, cluster);
  const http = top.table_("http");
  if (http) {
    const t = new TableReader(r, http, "[http]");
    t.onlyKeys(HTTP_KEYS);
    t.required("port", "the TCP port of /healthz, /readyz and /metrics");
    manifest.http = { port: t.int("port", 1, 65_535) ?? 4000 };
  }
  const features = top.table_("features");
  if (features) {
    const t = new TableReader(r, features, "[features]");
    t.onlyKeys(FEATURES_KEYS);
    manifest.features = { telemetry: t.oneOf("telemetry", TELEMETRY_BACKENDS) ?? "builtin" };
  }
  // After [http], [cluster] and [features]: which targets a manifest supports depends on them.
  const deploy = top.table_("deploy");
  if (deploy) manifest.deploy = readDeploy(r, deploy, manifest);
  const ci = top.table_("ci");
  if (ci) {
    const t = new TableReader(r, ci, "[ci]");
    t.onlyKeys(CI_KEYS);
    manifest.ci = { providers: enumList(r, t, "providers", CI_PROVIDERS) };
  }

  // References are checked even when some tables had errors, so one run reports every problem; services whose own
  // tables failed are passed as "declared" so references to them do not cascade into false "unknown service" errors.
  const read = new Set(manifest.services.map((s) => s.id)); // a Set: a `some` per id was quadratic (0.4 s at 10 000)
  const declared = new Set([...(services?.entries.keys() ?? [])].filter((id) => ID_PATTERN.test(id) && !read.has(id)));
  checkReferences(r, manifest, declared);
  return r.hasErrors ? { diagnostics: r.diagnostics } : { manifest, diagnostics: r.diagnostics };
}

/** Ids that are Elixir literals: as atoms they are `nil`, `true`, `false`, which generated code cannot tell from the values. */
const LITERAL_IDS = new Set(["nil", "true", "false"]);

function checkId(r: Reporter, id: string, span: Span, what: string): boolean {
  if (LITERAL_IDS.has(id)) {
    r.error("E007", `invalid ${what} \`${id}\`: it is an Elixir literal, not a name`, span, `rename it, e.g. to \`${id}_${what === "group name" ? "group" : "service"}\``);
    return false;
  }
  if (ID_PATTERN.test(id)) return true;
  const fix = fixId(id);
  const why = id.includes("-") ? "hyphens are not allowed in OTP names" : "ids are lowercase snake_case: [a-z][a-z0-9_]*";
  r.error("E007", `invalid ${what} \`${id}\`: ${why}`, span, fix ? `rename it to \`${fix}\`` : undefined);
  return false;
}

function readApp(r: Reporter, top: TableReader): AppConfig | undefined {
  const table = top.table_("app");
  if (!table) {
    if (!top.has("app")) r.error("E002", "the manifest has no [app] table", undefined, 'add `[app]` with `name = "my_app"`');
    return undefined;
  }
  const t = new TableReader(r, table, "[app]");
  t.onlyKeys(APP_KEYS);
  if (!t.required("name", "the OTP application name")) return undefined;
  const nameNode = t.stringNode("name");
  if (!nameNode) return undefined;
  let name = nameNode.v;
  if (!ID_PATTERN.test(name)) {
    const fix = fixId(name);
    const why = name.includes("-") ? "hyphens are not allowed in OTP application names" : "it must match [a-z][a-z0-9_]*";
    r.error("E006", `invalid application name "${name}": ${why}`, nameNode.span, fix ? `use \`name = "${fix}"\`` : undefined);
    name = fix ?? "app";
  } else if (["nil", "true", "false"].includes(name)) {
    // The atom is written bare (`app: nil`), and Mix reads an `app: nil` project as having no application at all.
    r.error("E006", `invalid application name "${name}": it is an Elixir literal, not an application name`, nameNode.span, `use \`name = "${name}_app"\``);
    name = "app";
  }
  const app: AppConfig = {
    name,
    module: readModule(t, "module") ?? camelCase(name),
    version: t.string("version") ?? "0.1.0",
    elixir: t.string("elixir") ?? "~> 1.14",
  };
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(app.version)) {
    // no hint; offer the padded version for "1" / "1.2", the generic example otherwise.
    const short = /^\d+(\.\d+)?$/.test(app.version.trim()) ? `${app.version.trim()}${".0".repeat(3 - app.version.trim().split(".").length)}` : "0.1.0";
    r.error("E009", `\`version\` must be a semantic version like "0.1.0", found "${app.version}"`, t.span("version"), `e.g. version = "${short}"`);
  }
  if (!REQUIREMENT_PATTERN.test(app.elixir)) {
    r.error("E009", `\`elixir\` must be a version requirement like "~> 1.14", found "${app.elixir}"`, t.span("elixir"), 'e.g. elixir = "~> 1.14" (see Version.Requirement): versions have three parts but after `~>`, words are separated by spaces');
  }
  const description = t.string("description");
  if (description !== undefined) app.description = description;
  return app;
}

function readDefaults(r: Reporter, top: TableReader): { restart: Restart; shutdownMs: number } {
  const table = top.table_("defaults");
  if (!table) return { restart: "permanent", shutdownMs: 5000 };
  const t = new TableReader(r, table, "[defaults]");
  t.onlyKeys(DEFAULTS_KEYS);
  return { restart: t.oneOf("restart", RESTARTS) ?? "permanent", shutdownMs: t.int("shutdown_ms", 0, 3_600_000) ?? 5000 };
}

function readGroup(r: Reporter, name: string, table: PTable, span: Span, appModule: string): Group | undefined {
  const where = `group \`${name}\``;
  const t = new TableReader(r, table, where);
  t.onlyKeys(GROUP_KEYS);
  if (!t.required("members", "the ids of the services it supervises")) return undefined;
  const members = t.strings("members") ?? [];
  reportDuplicateItems(r, members, "members", where);
  if (members.length === 0 && t.has("members")) r.error("E009", `${where} has no members`, t.span("members"), "list at least one service id");
  const spans: Record<string, Span> = {};
  for (const [key, entry] of table.entries) spans[key] = entry.value.span;
  const group: Group = {
    name,
    module: readModule(t, "module") ?? `${appModule}.${camelCase(name)}`,
    members: members.map((m) => m.v),
    span,
    spans,
    itemSpans: { members: members.map((m) => m.span) },
  };
  const strategy = t.oneOf("strategy", STRATEGIES);
  const fate = t.oneOf("fate", ["shared"] as const);
  if (fate && strategy && strategy !== "one_for_all") {
    r.warn("W101", `\`fate = "shared"\` forces one_for_all; \`strategy = "${strategy}"\` is ignored`, t.span("strategy"), "remove `strategy`, or drop `fate` to use it");
  }
  if (strategy) group.strategy = strategy;
  if (fate) {
    group.fate = fate;
    group.strategy = "one_for_all";
  }
  const mr = t.int("max_restarts", 0, 1_000_000);
  if (mr !== undefined) group.maxRestarts = mr;
  const ms = t.int("max_seconds", 1, 86_400);
  if (ms !== undefined) group.maxSeconds = ms;
  const doc = t.string("doc");
  if (doc !== undefined) group.doc = doc;
  return group;
}

function readCluster(r: Reporter, table: PTable): ClusterConfig {
  const t = new TableReader(r, table, "[cluster]");
  t.onlyKeys(CLUSTER_KEYS);
  const discovery = t.oneOf("discovery", ["dns", "epmd", "static"] as const) ?? "epmd";
  // `nodes` and `groups` were each read twice, so a wrongly typed value (`nodes = "a@h"`)
  // was reported twice. Read once, reuse.
  const nodes = t.strings("nodes");
  const groups = t.strings("groups");
  const cluster: ClusterConfig = {
    enabled: t.bool("enabled") ?? true,
    discovery,
    nodes: (nodes ?? []).map((n) => n.v),
    groups: (groups ?? []).map((g) => g.v),
  };
  const query = t.string("query");
  if (query !== undefined) cluster.query = query;
  if (discovery === "dns" && query === undefined) {
    r.error("E005", '[cluster] with `discovery = "dns"` needs `query` (the headless service name)', table.span, 'e.g. query = "my-app-headless.default.svc.cluster.local"');
  }
  // `discovery = "static"` with no `nodes` was accepted, leaving the cluster nothing to connect to.
  if (discovery === "static" && cluster.nodes.length === 0 && !(t.has("nodes") && nodes === undefined)) {
    r.error("E005", '[cluster] with `discovery = "static"` needs `nodes` (the node names to connect to)', t.has("nodes") ? t.span("nodes") : table.span, 'e.g. nodes = ["payments@10.0.0.5", "payments@10.0.0.6"]');
  }
  for (const node of nodes ?? []) {
    if (!/^[A-Za-z0-9_.-]+@[A-Za-z0-9_.-]+$/.test(node.v)) {
      r.error("E009", `node "${node.v}" must look like name@host`, node.span, 'e.g. "payments@10.0.0.5"');
    }
  }
  for (const g of groups ?? []) {
    if (!/^[a-z_][A-Za-z0-9_]*$/.test(g.v)) r.error("E025", `group "${g.v}" must be a snake_case atom name`, g.span);
  }
  return cluster;
}

function enumList<T extends string>(r: Reporter, t: TableReader, key: string, allowed: readonly T[]): T[] {
  const items = t.strings(key) ?? [];
  reportDuplicateItems(r, items, key, t.where);
  const out: T[] = [];
  for (const item of items) {
    if ((allowed as readonly string[]).includes(item.v)) out.push(item.v as T);
    else r.error("E009", `unknown ${key.replace(/s$/, "")} "${item.v}" in ${t.where}`, item.span, suggestion(item.v, allowed, "known"));
  }
  return out;
}
