import type { Service } from "../manifest/model.js";
import { atom, elixirString, integer, keywordKey } from "../elixir/escape.js";
import { bind, entry, fits, list, statement, tuple, verticalList, wrapText } from "../elixir/layout.js";
import { modulePath, testPath } from "../elixir/naming.js";
import { supportModule } from "../manifest/support-modules.js";
import { code, isSupervisorNode, owned, type PlanContext, registeredName } from "./context.js";
import { DOC_WIDTH, paragraphs } from "./docs.js";
import { healthServices, healthTestAlias, processLocation } from "./health.js";
import { lifecycleModule, PROCESS_HOOK_KINDS } from "./process.js";
import { render } from "./render.js";
import { scheduledAlias, scheduledServices } from "./scheduled.js";
import { emptyNeeds, type PlannedFile, type ProjectNeeds } from "./types.js";

/** Where the endpoint listens unless configured otherwise: every interface (what containers need). */
const DEFAULT_BIND = "0.0.0.0";

const httpModule = (ctx: PlanContext): string => supportModule(ctx.app.module, "http");
const metricsModule = (ctx: PlanContext): string => supportModule(ctx.app.module, "metrics");

/**
 * `config :app, Mod, k: v` as `mix format` lays it out at `indent` (the keywords one per line when too long),
 * returned without that indentation: the project planner indents it.
 */
function configStatement(indent: number, ctx: PlanContext, module: string, keywords: string[]): string {
  const head = `config ${atom(ctx.app.name)}, ${module},`;
  const oneLine = `${head} ${keywords.join(", ")}`;
  if (fits(indent, oneLine)) return oneLine;
  const last = (i: number): string => (i < keywords.length - 1 ? "," : "");
  if (fits(indent, head)) return [head, ...keywords.map((k, i) => `  ${k}${last(i)}`)].join("\n");
  // Not even the positional arguments fit: one argument per line, aligned after `config `.
  const args = [`${atom(ctx.app.name)},`, `${module},`, ...keywords.map((k, i) => `${k}${last(i)}`)];
  return args.map((a, i) => (i === 0 ? `config ${a}` : `       ${a}`)).join("\n");
}

const indented = (text: string, n: number): string =>
  text
    .split("\n")
    .map((line) => (line === "" ? line : " ".repeat(n) + line))
    .join("\n");

/** What `[http]` adds to the application, mix.exs and config. */
export function httpNeeds(ctx: PlanContext): ProjectNeeds {
  const needs = emptyNeeds();
  const http = ctx.manifest.http;
  if (!http) return needs;
  const module = httpModule(ctx);
  needs.lastRootChildren.push(module);
  needs.extraApplications.push(":inets");
  needs.config.push(
    [
      "# The HTTP endpoint (/healthz, /readyz, /metrics): its port and the address it listens on.",
      configStatement(0, ctx, module, [`port: ${integer(http.port)}`, `bind_address: ${elixirString(DEFAULT_BIND)}`]),
    ].join("\n"),
  );
  needs.testConfig.push(
    [
      "# Tests ask the endpoint on localhost, on a free port (see its port/1).",
      configStatement(2, ctx, module, ["port: 0", `bind_address: ${elixirString("127.0.0.1")}`]),
    ].join("\n"),
  );
  needs.runtimeConfig.push(
    [
      "# PORT and BIND_ADDRESS set the HTTP endpoint's port and address at boot; tests keep a free port.",
      "if config_env() != :test do",
      '  if port = System.get_env("PORT") do',
      indented(configStatement(4, ctx, module, ["port: String.to_integer(port)"]), 4),
      "  end",
      "",
      '  if address = System.get_env("BIND_ADDRESS") do',
      indented(configStatement(4, ctx, module, ["bind_address: address"]), 4),
      "  end",
      "end",
    ].join("\n"),
  );
  return needs;
}

/** `@health [health: Shop.Health]`: the health services by id. */
function healthAttribute(ctx: PlanContext): string {
  const services = healthServices(ctx);
  const oneLine = list(2, "@health ", services.map((s) => `${keywordKey(s.id)} ${s.module}`));
  if (!oneLine.includes("\n")) return oneLine;
  const entries = services.map((s, i) => entry(4, keywordKey(s.id), s.module, i < services.length - 1 ? "," : ""));
  return ["  @health [", ...entries, "  ]"].join("\n");
}

/** `@scheduled [report: Shop.Report]`: the scheduled services by id, their schedulers registered by module name. */
function scheduledAttribute(ctx: PlanContext): string {
  const services = scheduledServices(ctx);
  const oneLine = list(2, "@scheduled ", services.map((s) => `${keywordKey(s.id)} ${s.module}`));
  if (!oneLine.includes("\n")) return oneLine;
  const entries = services.map((s, i) => entry(4, keywordKey(s.id), s.module, i < services.length - 1 ? "," : ""));
  return ["  @scheduled [", ...entries, "  ]"].join("\n");
}

/** The services of the tree that are processes at runtime (not steps), in start order. */
function processServices(ctx: PlanContext): Service[] {
  const out: Service[] = [];
  for (const [id, node] of ctx.nodes) {
    const service = ctx.services.get(id);
    if (!service || node.origin !== "service" || !ctx.parents.has(id) || node.kind === "step") continue;
    out.push(service);
  }
  return out;
}

/** `defp services do [...] end`: every service process as `{id, supervisor, child id}`. */
function servicesFunction(ctx: PlanContext, services: Service[]): { text: string; hasExternal: boolean } {
  const bindings: string[] = [];
  const entries = services.map((service) => {
    const location = processLocation(ctx, service);
    let childId = location.childId;
    if (location.childSpec !== undefined) {
      childId = `${service.id}_id`;
      bindings.push(statement(bind(4, childId, { call: "child_id", args: [location.childSpec] })));
    }
    return [atom(service.id), location.supervisor, childId];
  });
  const listLines = ["    [", ...entries.map((e, i) => tuple(6, e, i < entries.length - 1 ? "," : "")), "    ]"];
  const text = [
    "  # Every service process: {service id, the supervisor it runs under, its child id there}.",
    "  defp services do",
    ...bindings,
    ...(bindings.length > 0 ? [""] : []),
    ...listLines,
    "  end",
  ].join("\n");
  return { text, hasExternal: bindings.length > 0 };
}

/** A moduledoc bullet, wrapped, continuation lines under its text. */
function bullet(text: string): string {
  return wrapText(text, DOC_WIDTH - 4)
    .map((line, i) => (i === 0 ? `  * ${line}` : `    ${line}`))
    .join("\n");
}

function metricsModuledoc(ctx: PlanContext): string {
  const p = ctx.app.name;
  const lifecycle = lifecycleModule(ctx);
  const scheduled = scheduledServices(ctx).length > 0;
  return [
    paragraphs(`The metrics of \`/metrics\`, in the Prometheus text exposition format (version 0.0.4):`),
    [
      bullet(`\`${p}_service_restarts_total{service}\`: restarts of each service since the application started (its starts minus one, from ${code(`${lifecycle}.restarts/0`)});`),
      bullet(`\`${p}_supervisor_restarts_total{supervisor}\`: restarts of the services directly under each supervisor;`),
      bullet(`\`${p}_message_queue_length{service}\`: messages waiting in each running service's mailbox;`),
      bullet(`\`${p}_beam_memory_bytes{type}\`: memory allocated by the BEAM, by type (\`:erlang.memory/0\`);`),
      bullet(`\`${p}_beam_processes\`: the number of processes;`),
      bullet(`\`${p}_probe_up{health, probe}\`: the last result of each health probe, 1 passed or 0 failed${scheduled ? ";" : "."}`),
      ...(scheduled
        ? [
            bullet(`\`${p}_scheduled_runs_total{service, outcome}\`: runs of each scheduled service since it started, by outcome (\`ok\`, \`error\`, \`timeout\`, \`skipped\`), not bounded by its \`history\`;`),
            bullet(`\`${p}_scheduled_last_success_timestamp_seconds{service}\`: when its last successful run ended (Unix time; absent before the first);`),
            bullet(`\`${p}_scheduled_last_duration_seconds{service}\`: how long its last run took;`),
            bullet(`\`${p}_scheduled_runner{service}\`: 1 when this node runs its job, 0 when it is a standby (with \`[cluster]\` one node is elected to run it).`),
          ]
        : []),
    ].join("\n"),
    paragraphs(
      "Processes are found through the supervisor each runs under, as the supervision tree declares them. Restarts are counted by the processes otpiser generates; they start from zero whenever the application starts.",
    ),
  ].join("\n\n");
}

/** The HTTP endpoint modules (/healthz, /readyz, /metrics) and their tests, when the manifest has `[http]`. */
export function planHttp(ctx: PlanContext): PlannedFile[] {
  const http = ctx.manifest.http;
  if (!http) return [];
  const module = httpModule(ctx);
  const handler = `${module}.Handler`;
  const metrics = metricsModule(ctx);
  const appAtom = atom(ctx.app.name);
  const health = healthServices(ctx);
  const services = processServices(ctx);
  const { text: servicesText, hasExternal } = servicesFunction(ctx, services);
  const supervisors = [...ctx.nodes.values()].filter(isSupervisorNode).map((n) => registeredName(ctx, n));
  // Tests start a private instance of the first health service, if there is one.
  const healthView = health[0] ? { alias: healthTestAlias(health[0].module) } : null;

  const files: PlannedFile[] = [
    owned(
      modulePath(module),
      render("http.ex", {
        module,
        moduledoc: paragraphs(
          `The HTTP endpoint of ${code(appAtom)}, on OTP's own \`:inets\` httpd (no dependencies): \`GET /healthz\` is 200 while the supervision tree runs; \`GET /readyz\` is 200 when every probe of every health service passes, else 503 listing the failing ones; \`GET /metrics\` serves the Prometheus text format (see ${code(metrics)}). Other paths are 404, other methods 405.`,
          `Configured in the ${code(appAtom)} application environment under this module's name: \`port\` (${http.port}; \`PORT\` at boot; 0 in tests, for a free port, see \`port/1\`) and \`bind_address\` (\`"${DEFAULT_BIND}"\`, every interface; \`BIND_ADDRESS\` at boot).`,
          `It is the last child of the root supervisor: it starts once the whole tree is up, and stops first. Requests are answered by ${code(handler)}.`,
        ),
        healthAttribute: healthAttribute(ctx),
        scheduledAttribute: scheduledAttribute(ctx),
        configLine: statement(bind(4, "config", { call: "Keyword.merge", args: [`Application.get_env(${appAtom}, __MODULE__, [])`, "opts"] })),
        appAtom,
        defaultPort: integer(http.port),
        handler,
      }),
    ),
    owned(
      modulePath(handler),
      render("http_handler.ex", {
        module: handler,
        moduledoc: paragraphs(
          `The \`:httpd\` request handler (a \`mod\` callback) of ${code(module)}: answers \`GET /healthz\`, \`GET /readyz\` and \`GET /metrics\`. The services /readyz and /metrics ask (health services, schedulers) are in the instance's config, under ${code(module)}.`,
        ),
        metrics,
        supervisor: ctx.app.supervisor,
        sourcesLine: statement(bind(4, "sources", { call: ":httpd_util.lookup", args: ["mod(request, :config_db)", module, "[]"] })),
      }),
    ),
    owned(
      modulePath(metrics),
      render("metrics.ex", {
        module: metrics,
        moduledoc: metricsModuledoc(ctx),
        prefix: ctx.app.name,
        supervisors: list(2, "@supervisors ", supervisors),
        restartsLine: bind(4, "restarts", { call: `${lifecycleModule(ctx)}.restarts`, args: [] }),
        servicesFunction: servicesText,
        hasExternal,
        scheduled: scheduledServices(ctx).length > 0,
      }),
    ),
  ];

  // Test expectations: samples that must be there while the application runs.
  // Processes that report their starts to `<App>.Lifecycle` (the endpoint shows every service that has reported one).
  const counted = services.filter((s) => PROCESS_HOOK_KINDS.has(s.spec.kind) && s.telemetry);
  // The application's schedulers, each with its runs and its role (every outcome has a sample, zero or not).
  const scheduled = scheduledServices(ctx);
  const expected = [
    ...counted.map((s) => sample("service_restarts_total", "service", s.id)),
    ...supervisors.map((s) => sample("supervisor_restarts_total", "supervisor", s)),
    ...services.map((s) => sample("message_queue_length", "service", s.id)),
    sample("beam_memory_bytes", "type", "total"),
    '"#{@prefix}_beam_processes"',
    ...scheduled.flatMap((s) => [
      `~s(#{@prefix}_scheduled_runs_total{service="${s.id}",outcome="ok"})`,
      sample("scheduled_runner", "service", s.id),
    ]),
  ];
  files.push(
    owned(
      testPath(metrics),
      render("metrics_test.exs", {
        testModule: `${metrics}Test`,
        module: metrics,
        health: healthView,
        prefix: ctx.app.name,
        expected: statement(verticalList(4, "expected = ", expected)),
        scheduled: scheduled.length > 0 && scheduledAttribute(ctx),
        renderArgs: scheduled.length > 0 ? "scheduled: @scheduled" : "[]",
        // The six families every project has, and the scheduled services' four.
        families: scheduled.length > 0 ? 10 : 6,
      }),
    ),
    owned(
      testPath(module),
      render("http_test.exs", {
        testModule: `${module}Test`,
        module,
        health: healthView,
        prefix: ctx.app.name,
        appAtom,
        restart: statement(bind(4, "{:ok, _started}", { call: "Application.ensure_all_started", args: [appAtom] })),
        crash: crashTarget(ctx, counted),
        scheduled: scheduled[0] ? { alias: scheduledAlias(scheduled[0].module) } : null,
      }),
    ),
  );
  return files;
}

/**
 * A sample's name and labels in a generated test: `~s(#{@prefix}_name{label="value"})`. Values are service ids and
 * module names: no parenthesis, quote or backslash can occur in them.
 */
function sample(name: string, label: string, value: string): string {
  return `~s(#{@prefix}_${name}{${label}="${value}"})`;
}

/**
 * The service the HTTP test crashes to see a restart in /metrics: a GenServer (or health service) registered under
 * its module name, restarted by its supervisor (not temporary, and a supervisor that allows a restart).
 */
function crashTarget(ctx: PlanContext, counted: Service[]) {
  const service = counted.find((s) => {
    const node = ctx.nodes.get(s.id);
    const parent = ctx.parents.get(s.id);
    return node !== undefined && parent !== undefined && node.restart !== "temporary" && parent.maxRestarts !== 0;
  });
  if (!service) return null;
  const supervisor = registeredName(ctx, ctx.parents.get(service.id)!);
  return {
    pid: statement(bind(4, "pid", { call: "Process.whereis", args: [service.module] })),
    service: statement(bind(4, "service", sample("service_restarts_total", "service", service.id))),
    supervisor: statement(bind(4, "supervisor", sample("supervisor_restarts_total", "supervisor", supervisor))),
  };
}
