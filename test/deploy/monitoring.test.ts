import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { check } from "../../src/pipeline.js";
import { ALERT_THRESHOLDS, EXPOSED_METRICS, MONITORING_DIR } from "../../src/plan/deploy/monitoring.js";
import { fileOf, planFixture, planToml, ROOT } from "./helpers.js";

/**
 * The monitoring target, read as Prometheus and Grafana read it: the YAML and JSON through real parsers and schemas
 * written from their references (both refuse or ignore unknown keys), and every PromQL expression through a small
 * parser that knows only the series the generated /metrics serves — taken from the generated metrics module, so a
 * renamed metric fails here.
 */

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
const schema = (name: string) => JSON.parse(readFileSync(join(ROOT, "test/deploy/schemas", name), "utf8")) as object;
const validateConfig = ajv.compile(schema("prometheus-config.schema.json"));
const validateRules = ajv.compile(schema("prometheus-rules.schema.json"));
const validateDashboard = ajv.compile(schema("grafana-dashboard.schema.json"));

function problems(validate: typeof validateConfig, value: unknown): string[] {
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// What /metrics serves, read from the generated project.

interface Family {
  type: "counter" | "gauge";
  labels: string[];
}

/**
 * The metric families of the generated `<App>.Metrics`: names and types from its `metric("name", :type, …)` calls,
 * labels from its moduledoc (`` `ledger_service_restarts_total{service}` ``), prefixed by its `@prefix`.
 */
function servedFamilies(metricsEx: string): Map<string, Family> {
  const prefix = /@prefix "([a-z0-9_]+)"/.exec(metricsEx)?.[1];
  if (!prefix) throw new Error("no @prefix in the metrics module");
  const labels = new Map<string, string[]>();
  for (const m of metricsEx.matchAll(/`([a-z0-9_]+)(?:\{([a-z_, ]+)\})?`/g)) labels.set(m[1]!, m[2] ? m[2].split(",").map((l) => l.trim()) : []);
  const families = new Map<string, Family>();
  for (const m of metricsEx.matchAll(/metric\("([a-z0-9_]+)", :(counter|gauge),/g)) {
    const name = `${prefix}_${m[1]}`;
    const documented = labels.get(name);
    if (!documented) throw new Error(`${name} is served but not documented in the moduledoc`);
    families.set(name, { type: m[2] as Family["type"], labels: documented });
  }
  return families;
}

// ---------------------------------------------------------------------------------------------------------------
// A PromQL checker: the subset of the grammar alerts and dashboards use, with types and labels.

const AGGREGATIONS = new Set(["sum", "min", "max", "avg", "count", "group", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values"]);
/** Functions taking a range vector, and those among them that only make sense on counters. */
const RANGE_FUNCTIONS = new Set(["increase", "rate", "irate", "resets", "changes", "delta", "deriv", "idelta", "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time", "last_over_time", "absent_over_time", "quantile_over_time", "stddev_over_time", "predict_linear"]);
const COUNTER_FUNCTIONS = new Set(["increase", "rate", "irate", "resets"]);
const FUNCTIONS = new Set([...RANGE_FUNCTIONS, "abs", "absent", "ceil", "floor", "round", "clamp_min", "clamp_max", "exp", "ln", "scalar", "vector", "sort", "sort_desc", "time", "timestamp", "histogram_quantile", "label_replace"]);
const BINARY = new Set(["+", "-", "*", "/", "%", "^", "==", "!=", ">", "<", ">=", "<=", "and", "or", "unless"]);
/** Labels Prometheus attaches to every scraped series. */
const TARGET_LABELS = ["job", "instance"];

type Token = { kind: "ident" | "number" | "string" | "range" | "op" | "punct"; text: string };

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s+|([a-zA-Z_:][a-zA-Z0-9_:]*)|(\d+(?:\.\d+)?(?:e[+-]?\d+)?)|("(?:[^"\\]|\\.)*")|\[(\d+(?:ms|[smhdwy])|\$__\w+)\]|(==|!=|>=|<=|=~|!~|[-+*/%^<>=])|([(){},])/y;
  let at = 0;
  while (at < expr.length) {
    re.lastIndex = at;
    const m = re.exec(expr);
    if (!m) throw new Error(`unexpected ${JSON.stringify(expr.slice(at, at + 10))} at ${at}`);
    at = re.lastIndex;
    if (m[1]) tokens.push({ kind: "ident", text: m[1] });
    else if (m[2]) tokens.push({ kind: "number", text: m[2] });
    else if (m[3]) tokens.push({ kind: "string", text: m[3] });
    else if (m[4]) tokens.push({ kind: "range", text: m[4] });
    else if (m[5]) tokens.push({ kind: "op", text: m[5] });
    else if (m[6]) tokens.push({ kind: "punct", text: m[6] });
  }
  return tokens;
}

/** An expression's value: a scalar, or an instant vector with the labels its series carry. */
type Value = { kind: "scalar" } | { kind: "vector"; labels: Set<string> };

/**
 * Parses `expr` and checks it against the served families: known functions and aggregations, known metrics with
 * known labels in matchers and `by (…)`, range selectors only inside range functions, counters only inside
 * increase/rate (and never there a gauge). Returns the labels of the result, for the alert's templates.
 */
function checkPromQL(expr: string, families: Map<string, Family>, variables: Set<string> = new Set()): Value {
  const tokens = tokenize(expr);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => {
    const t = tokens[i++];
    if (!t) throw new Error(`unexpected end of ${JSON.stringify(expr)}`);
    return t;
  };
  const expect_ = (text: string) => {
    const t = next();
    if (t.text !== text) throw new Error(`expected ${text}, found ${t.text} in ${JSON.stringify(expr)}`);
  };
  const labelList = (): string[] => {
    expect_("(");
    const names: string[] = [];
    while (peek()?.text !== ")") {
      const t = next();
      if (t.kind !== "ident") throw new Error(`expected a label name, found ${t.text}`);
      names.push(t.text);
      if (peek()?.text === ",") next();
    }
    expect_(")");
    return names;
  };

  /** A vector selector; `inRange` says whether a range function will take it (the only place a range may be). */
  const selector = (name: string, inRange: { counterOnly: boolean } | null): Value => {
    const family: Family | undefined = name === "up" ? { type: "gauge", labels: [] } : families.get(name);
    if (!family) throw new Error(`unknown metric ${name} (served: up, ${[...families.keys()].join(", ")})`);
    const labels = new Set([...family.labels, ...TARGET_LABELS]);
    if (peek()?.text === "{") {
      next();
      while (peek()?.text !== "}") {
        const label = next();
        if (label.kind !== "ident" || !labels.has(label.text)) throw new Error(`${name} has no label ${label.text}`);
        const op = next();
        if (!["=", "!=", "=~", "!~"].includes(op.text)) throw new Error(`bad matcher operator ${op.text}`);
        const value = next();
        if (value.kind !== "string") throw new Error(`matcher value must be a string, found ${value.text}`);
        for (const v of value.text.matchAll(/\$(\w+)/g)) if (!variables.has(v[1]!)) throw new Error(`undefined variable $${v[1]}`);
        if (peek()?.text === ",") next();
      }
      expect_("}");
    }
    const ranged = peek()?.kind === "range";
    if (ranged) {
      const range = next().text;
      if (range.startsWith("$") && !variables.has(range.slice(1))) throw new Error(`undefined variable ${range}`);
    }
    if (inRange && !ranged) throw new Error(`${name} needs a range here`);
    if (!inRange && ranged) throw new Error(`a range selector ${name}[…] outside a range function`);
    if (inRange?.counterOnly && family.type !== "counter") throw new Error(`${name} is a ${family.type}: increase/rate need a counter`);
    if (!inRange?.counterOnly && family.type === "counter") throw new Error(`${name} is a counter: read it through increase() or rate()`);
    return { kind: "vector", labels };
  };

  const primary = (): Value => {
    const t = next();
    if (t.kind === "number") return { kind: "scalar" };
    if (t.text === "-") return primary();
    if (t.text === "(") {
      const v = expression();
      expect_(")");
      return v;
    }
    if (t.kind !== "ident") throw new Error(`unexpected ${t.text} in ${JSON.stringify(expr)}`);
    if (AGGREGATIONS.has(t.text)) {
      let grouping: { by: boolean; labels: string[] } | undefined;
      if (peek()?.text === "by" || peek()?.text === "without") grouping = { by: next().text === "by", labels: labelList() };
      expect_("(");
      if (["topk", "bottomk", "quantile", "count_values"].includes(t.text)) {
        primary();
        expect_(",");
      }
      const inner = expression();
      expect_(")");
      if (!grouping && (peek()?.text === "by" || peek()?.text === "without")) grouping = { by: next().text === "by", labels: labelList() };
      if (inner.kind !== "vector") throw new Error(`${t.text} of a scalar`);
      for (const l of grouping?.labels ?? []) if (!inner.labels.has(l)) throw new Error(`${t.text} by ${l}: the series have no such label`);
      const labels = !grouping ? new Set<string>() : grouping.by ? new Set(grouping.labels) : new Set([...inner.labels].filter((l) => !grouping!.labels.includes(l)));
      return { kind: "vector", labels };
    }
    if (FUNCTIONS.has(t.text)) {
      expect_("(");
      let value: Value;
      if (RANGE_FUNCTIONS.has(t.text)) {
        const metric = next();
        if (metric.kind !== "ident") throw new Error(`${t.text} needs a range selector`);
        value = selector(metric.text, { counterOnly: COUNTER_FUNCTIONS.has(t.text) });
      } else if (t.text === "vector") {
        primary();
        value = { kind: "vector", labels: new Set() };
      } else if (t.text === "absent") {
        // absent() returns one series with the labels of the selector's equality matchers.
        const start = i;
        expression();
        const matched = tokens.slice(start, i);
        const eq = new Set<string>();
        matched.forEach((tok, k) => { if (tok.text === "=" && matched[k - 1]?.kind === "ident") eq.add(matched[k - 1]!.text); });
        value = { kind: "vector", labels: eq };
      } else {
        value = expression();
      }
      expect_(")");
      return value;
    }
    if (peek()?.text === "(") throw new Error(`unknown function ${t.text}`);
    if (BINARY.has(t.text)) throw new Error(`operator ${t.text} without a left operand`);
    return selector(t.text, null);
  };

  const expression = (): Value => {
    let left = primary();
    while (peek() && (BINARY.has(peek()!.text))) {
      next();
      if (peek()?.text === "bool") next();
      const right = primary();
      if (left.kind === "scalar") left = right;
    }
    return left;
  };

  const value = expression();
  if (i !== tokens.length) throw new Error(`trailing ${tokens.slice(i).map((t) => t.text).join(" ")} in ${JSON.stringify(expr)}`);
  return value;
}

/** `{{ $labels.x }}` and `{{ $value }}` in an alert's annotations: the labels it names must be on the result. */
function checkAlertTemplate(text: string, result: Value): void {
  const opened = text.split("{{").length - 1;
  if (opened !== text.split("}}").length - 1) throw new Error(`unbalanced {{ }} in ${JSON.stringify(text)}`);
  for (const m of text.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
    const body = m[1]!;
    const label = /^\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(body)?.[1];
    if (label !== undefined) {
      if (result.kind !== "vector" || !result.labels.has(label)) throw new Error(`{{ $labels.${label} }} but the alert's series have no ${label}`);
    } else if (!/^\$value( \| (humanize|humanize1024|humanizePercentage))?$/.test(body)) {
      throw new Error(`unexpected template {{ ${body} }}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets: { refId: string; expr: string; legendFormat: string }[];
}
interface Dashboard {
  title: string;
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: unknown }[] };
}

const at = (name: string) => `${MONITORING_DIR}/${name}`;
const yamlOf = <T>(files: Map<string, string>, name: string) => parseYaml(fileOf(files, at(name))) as T;
const rulesOf = (files: Map<string, string>) => yamlOf<{ groups: { name: string; rules: Rule[] }[] }>(files, "alerts.yml");
const dashboardOf = (files: Map<string, string>) => JSON.parse(fileOf(files, at("grafana-dashboard.json"))) as Dashboard;
/** The generated `<App>.Metrics` module, wherever the app's module puts it. */
function metricsModule(files: Map<string, string>): string {
  const found = [...files].filter(([path, text]) => /^lib\/.*\/metrics\.ex$/.test(path) && /^defmodule [A-Z][\w.]*\.Metrics do$/m.test(text));
  if (found.length !== 1) throw new Error(`expected one metrics module, found ${found.map(([p]) => p).join(", ") || "none"}`);
  return found[0]![1];
}
const familiesOf = (files: Map<string, string>) => servedFamilies(metricsModule(files));

/** Every rule's expr and templates, checked; every panel's queries, checked with the dashboard's variables. */
function checkAll(files: Map<string, string>): void {
  const families = familiesOf(files);
  for (const rule of rulesOf(files).groups.flatMap((g) => g.rules)) {
    const result = checkPromQL(rule.expr, families);
    for (const text of Object.values(rule.annotations)) checkAlertTemplate(text, result);
  }
  const dashboard = dashboardOf(files);
  const variables = new Set([...dashboard.templating.list.map((v) => v.name), "__rate_interval", "__interval", "__range"]);
  for (const target of dashboard.panels.flatMap((p) => p.targets)) {
    const result = checkPromQL(target.expr, families, variables);
    for (const m of target.legendFormat.matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
      if (result.kind !== "vector" || !result.labels.has(m[1]!)) throw new Error(`legend {{${m[1]}}} but ${target.expr} has no such label`);
    }
  }
}

/** Grafana panels on the 24-column grid may not overlap. */
function overlaps(panels: Panel[]): string[] {
  const out: string[] = [];
  panels.forEach((a, i) =>
    panels.slice(i + 1).forEach((b) => {
      const apart = a.gridPos.x + a.gridPos.w <= b.gridPos.x || b.gridPos.x + b.gridPos.w <= a.gridPos.x || a.gridPos.y + a.gridPos.h <= b.gridPos.y || b.gridPos.y + b.gridPos.h <= a.gridPos.y;
      if (!apart) out.push(`${a.title} / ${b.title}`);
    }),
  );
  return out;
}

describe("monitoring target: the all-targets fixture", () => {
  const { files } = planFixture("deploy-targets");
  const families = familiesOf(files);

  it("knows exactly the families the generated Ledger.Metrics serves, with their types and labels", () => {
    const expected = new Map(EXPOSED_METRICS.map((m) => [`ledger_${m.name}`, { type: m.type, labels: [...m.labels] }]));
    expect(families).toEqual(expected);
  });

  it("prometheus.yml passes the Prometheus configuration schema and scrapes every clustered node's /metrics", () => {
    const config = yamlOf<{ rule_files: string[]; scrape_configs: Record<string, unknown>[] }>(files, "prometheus.yml");
    expect(problems(validateConfig, config)).toEqual([]);
    expect(config.rule_files).toEqual(["alerts.yml"]);
    expect(config.scrape_configs).toEqual([
      { job_name: "ledger", metrics_path: "/metrics", scheme: "http", static_configs: [{ targets: ["ledger-1:4000", "ledger-2:4000", "ledger-3:4000"] }] },
    ]);
    // The names are the compose target's services, one per node.
    const compose = parseYaml(fileOf(files, "docker-compose.yml")) as { services: Record<string, unknown> };
    expect(Object.keys(compose.services).sort()).toEqual(["ledger-1", "ledger-2", "ledger-3"]);
    expect(files.has(at("alerts.yml"))).toBe(true);
  });

  it("prometheus-kubernetes.yml discovers the kubernetes target's pods, on the HTTP port, in [deploy] namespace", () => {
    const config = yamlOf<{ scrape_configs: { job_name: string; kubernetes_sd_configs: unknown[]; relabel_configs: { source_labels: string[]; regex?: string; action?: string; target_label?: string }[] }[] }>(files, "prometheus-kubernetes.yml");
    expect(problems(validateConfig, config)).toEqual([]);
    const [job] = config.scrape_configs;
    expect(job!.job_name).toBe("ledger");
    expect(job!.kubernetes_sd_configs).toEqual([{ role: "pod", namespaces: { names: ["ledger"] } }]);
    const keep = Object.fromEntries(job!.relabel_configs.filter((r) => r.action === "keep").map((r) => [r.source_labels[0], r.regex]));
    expect(keep).toEqual({ __meta_kubernetes_pod_label_app_kubernetes_io_name: "ledger", __meta_kubernetes_pod_container_port_number: "4000", __meta_kubernetes_pod_phase: "Running" });
    // The kubernetes target's pods carry that label and declare that port.
    const pods = [...files].filter(([path, text]) => path.startsWith("deploy/kubernetes/") && /^kind: (Deployment|StatefulSet)$/m.test(text));
    expect(pods).toHaveLength(1);
    const workload = parseYaml(pods[0]![1]) as { spec: { template: { metadata: { labels: Record<string, string> }; spec: { containers: { ports: { containerPort: number }[] }[] } } } };
    expect(workload.spec.template.metadata.labels["app.kubernetes.io/name"]).toBe("ledger");
    expect(workload.spec.template.spec.containers.flatMap((c) => c.ports.map((p) => p.containerPort))).toContain(4000);
  });

  it("alerts.yml passes the rule-file schema: restarts, probes, down replicas, mailboxes, memory", () => {
    const rules = rulesOf(files);
    expect(problems(validateRules, rules)).toEqual([]);
    expect(rules.groups.map((g) => g.name)).toEqual(["ledger"]);
    const all = rules.groups[0]!.rules;
    expect(all.map((r) => r.alert)).toEqual([
      "LedgerInstanceDown",
      "LedgerAbsent",
      "LedgerReplicasMissing",
      "LedgerServiceRestartStorm",
      "LedgerSupervisorRestartStorm",
      "LedgerProbeFailing",
      "LedgerMailboxBacklog",
      "LedgerMemoryNearLimit",
    ]);
    const byName = Object.fromEntries(all.map((r) => [r.alert, r]));
    expect(byName.LedgerInstanceDown!.expr).toBe('up{job="ledger"} == 0');
    expect(byName.LedgerReplicasMissing!.expr).toBe('count(up{job="ledger"} == 1) < 3');
    expect(byName.LedgerServiceRestartStorm!.expr).toBe(`sum by (instance, service) (increase(ledger_service_restarts_total{job="ledger"}[5m])) >= ${ALERT_THRESHOLDS.serviceRestarts}`);
    expect(byName.LedgerSupervisorRestartStorm!.expr).toContain("increase(ledger_supervisor_restarts_total{");
    expect(byName.LedgerProbeFailing!.expr).toBe('ledger_probe_up{job="ledger"} == 0');
    expect(byName.LedgerMemoryNearLimit!.expr).toBe(`ledger_beam_memory_bytes{job="ledger", type="total"} > ${Math.round(0.9 * 512 * 1024 * 1024)}`);
    for (const rule of all) {
      expect(["critical", "warning"], rule.alert).toContain(rule.labels.severity);
      expect(Object.keys(rule.annotations).sort(), rule.alert).toEqual(["description", "summary"]);
    }
  });

  it("every alert and panel query is PromQL over the served series, and every template names a label it has", () => {
    expect(() => checkAll(files)).not.toThrow();
  });

  it("the dashboard passes the Grafana dashboard schema, its panels tile the grid, its variables are defined", () => {
    const dashboard = dashboardOf(files);
    expect(problems(validateDashboard, dashboard)).toEqual([]);
    expect(dashboard.uid).toBe("otpiser-ledger");
    expect(overlaps(dashboard.panels)).toEqual([]);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    for (const p of dashboard.panels) expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(["datasource", "instance"]);
    expect(dashboard.panels.map((p) => p.title)).toContain("Health probes");
    // Every served family is on the dashboard.
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join("\n");
    for (const name of families.keys()) expect(exprs, name).toContain(name);
  });

  it("the README tells how Prometheus finds the replicas and lists every alert", () => {
    const readme = fileOf(files, at("README.md"));
    expect(readme).toContain("`ledger-1:4000`, `ledger-2:4000`, `ledger-3:4000`");
    expect(readme).toContain("app.kubernetes.io/name: ledger");
    for (const rule of rulesOf(files).groups[0]!.rules) expect(readme).toContain(`\`${rule.alert}\``);
  });
});

describe("monitoring target: variants", () => {
  const manifest = (opts: { module?: string; health?: boolean; deploy?: string } = {}) =>
    [
      "[app]",
      'name = "shop"',
      ...(opts.module ? [`module = "${opts.module}"`] : []),
      "[services.store]",
      ...(opts.health ? ["[services.health]", 'kind = "health"', 'probes = ["alive:store"]'] : []),
      "[http]",
      "port = 9000",
      "[deploy]",
      opts.deploy ?? 'targets = ["monitoring"]',
    ].join("\n");

  it("without [cluster], discovers one service's replicas through DNS; without kubernetes, no kubernetes config", () => {
    const { files } = planToml(manifest({ deploy: 'targets = ["monitoring", "compose", "docker"]\nreplicas = 2' }));
    const config = yamlOf<{ scrape_configs: Record<string, unknown>[] }>(files, "prometheus.yml");
    expect(problems(validateConfig, config)).toEqual([]);
    expect(config.scrape_configs[0]!.dns_sd_configs).toEqual([{ names: ["shop"], type: "A", port: 9000, refresh_interval: "30s" }]);
    expect(files.has(at("prometheus-kubernetes.yml"))).toBe(false);
    // compose runs the replicas as the one service of that name.
    const compose = parseYaml(fileOf(files, "docker-compose.yml")) as { services: Record<string, { deploy: { replicas: number } }> };
    expect(Object.keys(compose.services)).toEqual(["shop"]);
    expect(compose.services.shop!.deploy.replicas).toBe(2);
    expect(fileOf(files, at("alerts.yml"))).not.toContain("kubernetes");
  });

  it("without a health service there is no probe series, so no probe rule or panel; one replica, no ReplicasMissing", () => {
    const { files } = planToml(manifest());
    expect(familiesOf(files).has("shop_probe_up")).toBe(true);
    const all = Object.values(Object.fromEntries([...files].filter(([p]) => p.startsWith(MONITORING_DIR)))).join("\n");
    expect(all).not.toContain("probe_up");
    expect(rulesOf(files).groups[0]!.rules.map((r) => r.alert)).toEqual([
      "ShopInstanceDown",
      "ShopAbsent",
      "ShopServiceRestartStorm",
      "ShopSupervisorRestartStorm",
      "ShopMailboxBacklog",
      "ShopMemoryNearLimit",
    ]);
    expect(problems(validateDashboard, dashboardOf(files))).toEqual([]);
    expect(overlaps(dashboardOf(files).panels)).toEqual([]);
    expect(() => checkAll(files)).not.toThrow();
  });

  it("with a health service and a dotted module: probe rule and panels, alert names still metric names", () => {
    const { files } = planToml(manifest({ module: "Acme.Shop", health: true, deploy: 'targets = ["monitoring"]\nmemory_mb = 1024' }));
    const rules = rulesOf(files);
    expect(problems(validateRules, rules)).toEqual([]);
    expect(rules.groups[0]!.rules.map((r) => r.alert)).toContain("AcmeShopProbeFailing");
    expect(rules.groups[0]!.rules.find((r) => r.alert === "AcmeShopMemoryNearLimit")!.expr).toContain(`> ${Math.round(0.9 * 1024 * 1024 * 1024)}`);
    expect(dashboardOf(files).title).toBe("Acme.Shop (otpiser)");
    expect(() => checkAll(files)).not.toThrow();
    expect(overlaps(dashboardOf(files).panels)).toEqual([]);
  });

  it("E029 without [http]: there is no /metrics to scrape", () => {
    const diagnostics = check({ path: "otpiser.toml", text: manifest().replace("[http]\nport = 9000\n", "") }).diagnostics;
    expect(diagnostics.map((d) => d.code)).toEqual(["E029"]);
  });
});

describe("monitoring target: the checks can fail", () => {
  const { files } = planFixture("deploy-targets");
  const families = familiesOf(files);
  const promql = (expr: string) => () => checkPromQL(expr, families, new Set(["instance"]));

  it("the PromQL checker refuses bad syntax, unknown names, misused types and labels", () => {
    expect(promql('sum(up{job="ledger"}')).toThrow(/end|expected/);
    expect(promql('up{job="ledger"} == 0)')).toThrow(/trailing/);
    expect(promql('ledger_service_restart_total{job="ledger"}')).toThrow(/unknown metric/);
    expect(promql('summ(up{job="ledger"})')).toThrow(/unknown function/);
    expect(promql('increase(ledger_message_queue_length{job="ledger"}[5m])')).toThrow(/is a gauge/);
    expect(promql('ledger_service_restarts_total{job="ledger"} > 3')).toThrow(/is a counter/);
    expect(promql('increase(ledger_service_restarts_total{job="ledger"})')).toThrow(/needs a range/);
    expect(promql('ledger_beam_processes{job="ledger"}[5m]')).toThrow(/outside a range function/);
    expect(promql('ledger_probe_up{service="x"} == 0')).toThrow(/no label service/);
    expect(promql('sum by (probe) (ledger_beam_processes{job="ledger"})')).toThrow(/no such label/);
    expect(promql('up{job="ledger", instance=~"$replica"}')).toThrow(/undefined variable/);
    expect(promql('up{job=ledger}')).toThrow(/must be a string/);
  });

  it("alert templates must name labels the alert's series carry", () => {
    const result = checkPromQL('sum by (instance) (up{job="ledger"})', families);
    expect(() => checkAlertTemplate("{{ $labels.service }} is down", result)).toThrow(/no service/);
    expect(() => checkAlertTemplate("{{ $labels.instance }} is down {{", result)).toThrow(/unbalanced/);
    expect(() => checkAlertTemplate("{{ .Labels.instance }}", result)).toThrow(/unexpected template/);
  });

  it("a renamed metric in the Elixir template would no longer match", () => {
    const renamed = metricsModule(files).replace('metric("probe_up"', 'metric("probe_ok"');
    expect(() => servedFamilies(renamed)).toThrow(/not documented/);
    const dropped = metricsModule(files).replace(/metric\("probe_up".*\n/, "");
    const served = servedFamilies(dropped);
    expect(() => checkPromQL('ledger_probe_up{job="ledger"} == 0', served)).toThrow(/unknown metric/);
  });

  it("the schemas refuse what Prometheus and Grafana refuse or would ignore", () => {
    const config = yamlOf<Record<string, unknown> & { global: Record<string, unknown>; scrape_configs: Record<string, unknown>[] }>(files, "prometheus.yml");
    const edit = <T>(value: T, change: (v: T) => void): T => {
      const copy = structuredClone(value);
      change(copy);
      return copy;
    };
    expect(problems(validateConfig, edit(config, (c) => { c.global.scrape_intervall = "15s"; }))).not.toEqual([]);
    expect(problems(validateConfig, edit(config, (c) => { c.global.scrape_interval = "15 seconds"; }))).not.toEqual([]);
    expect(problems(validateConfig, edit(config, (c) => { c.scrape_configs[0]!.dns_sd_configs = [{ names: ["x"], type: "A" }]; }))).not.toEqual([]);
    expect(problems(validateConfig, edit(config, (c) => { c.scrape_configs[0]!.relabel_configs = [{ action: "keep", regex: "x" }]; }))).not.toEqual([]);
    const rules = rulesOf(files);
    expect(problems(validateRules, edit(rules, (r) => { r.groups[0]!.rules[0]!.for = "5 minutes"; }))).not.toEqual([]);
    expect(problems(validateRules, edit(rules, (r) => { r.groups[0]!.rules[0]!.alert = "Ledger.InstanceDown"; }))).not.toEqual([]);
    expect(problems(validateRules, edit(rules, (r) => { (r.groups[0]!.rules[0] as unknown as Record<string, unknown>).record = "x"; }))).not.toEqual([]);
    expect(problems(validateRules, edit(rules, (r) => { r.groups[0]!.rules[0]!.labels = { "bad-label": "x" }; }))).not.toEqual([]);
    const dashboard = dashboardOf(files);
    expect(problems(validateDashboard, edit(dashboard, (d) => { d.panels[0]!.gridPos.w = 30; }))).not.toEqual([]);
    expect(problems(validateDashboard, edit(dashboard, (d) => { (d.panels[0] as unknown as Record<string, unknown>).target = []; }))).not.toEqual([]);
    expect(problems(validateDashboard, edit(dashboard, (d) => { d.uid = "x".repeat(41); }))).not.toEqual([]);
    expect(overlaps([...dashboard.panels, { ...dashboard.panels[0]!, id: 99, title: "copy" }])).not.toEqual([]);
  });
});
