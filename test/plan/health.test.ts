/**
 * Planner details of `health` services, the `[http]` endpoint and their run-target stubs (no mix runs here:
 * health.e2e.test.ts compiles and tests generated projects).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { check } from "../../src/pipeline.js";
import { buildContext } from "../../src/plan/context.js";
import { httpNeeds } from "../../src/plan/http.js";
import { notGeneratedDiagnostics, PlanError } from "../../src/plan/plan-project.js";
import { genServer, leaf, manifest, service, shopApp, supervisorNode, topology } from "./fixtures.js";
import { healthApp, healthOnlyApp, httpOnlyApp, longHealthApp } from "./health-fixtures.js";
import { type App, contentOf, planApp } from "./mix-helpers.js";

/** A flat app: the services directly under the root, with `[http]` unless told otherwise. */
function flatApp(services: ReturnType<typeof service>[], http = true): App {
  const m = manifest("flat", "Flat", services, http ? { http: { port: 4000 } } : {});
  const root = supervisorNode("flat", "Flat.Application", "application", "one_for_one", services.filter((s) => !s.template).map((s) => leaf(s)));
  return { manifest: m, topology: topology("flat", root) };
}

const health = (id: string, probes: string[], extra = {}) => service("Flat", id, { kind: "health", intervalMs: 250, probes }, extra);

describe("health services", () => {
  it("check each probe the way its kind says, finding processes through their supervisor", () => {
    const source = contentOf(planApp(healthApp()), "lib/clinic/health.ex");
    expect(source).toContain('      "alive:db" ->\n        alive(Clinic.CoreChain, Clinic.Db)\n');
    expect(source).toContain('      "call:cache" ->\n        responds(Clinic.Supervisor, Clinic.Cache, timeout)\n');
    // An external's child id is known only to its child spec, evaluated at runtime.
    expect(source).toContain(
      '      "alive:pubsub" ->\n        id = child_id({Task.Supervisor, name: Clinic.PubSub})\n        alive(Clinic.Supervisor, id)\n',
    );
    // In the namespace: a direct call (the stub exists); outside: apply/3, a missing module being a failing probe.
    expect(source).toContain('      "mfa:Clinic.Checks.ready?" ->\n        Clinic.Checks.ready?()\n');
    expect(source).toContain('      "mfa:Mod.fun" ->\n        apply(Mod, :fun, [])\n');
    expect(source).toContain("  @interval_ms 100\n  @timeout_ms 1000\n");
    expect(source).toContain("defp child_id(child_spec)");
    expect(source).toContain("Is the clinic open?");
  });

  it("emit a :probe event per result through the lifecycle module, unless telemetry is off", () => {
    const plan = planApp(healthApp());
    expect(contentOf(plan, "lib/clinic/health.ex")).toContain("Clinic.Lifecycle.event(");
    expect(contentOf(plan, "lib/clinic/health.ex")).toContain(":ok = Clinic.Lifecycle.started(:health, __MODULE__)");
    const quiet = contentOf(plan, "lib/clinic/quiet_health.ex");
    expect(quiet).not.toContain("Lifecycle");
    expect(quiet).not.toContain("defp report");
    expect(contentOf(plan, "test/clinic/quiet_health_test.exs")).not.toContain("telemetry event");
    // Only what it needs: no external, no call probe.
    expect(quiet).not.toContain("defp child_id");
    expect(quiet).not.toContain("defp responds");
    expect(quiet).toContain("defp check(probe, _timeout) do");
  });

  it("without probes, compile to an always-ready service with no process helpers", () => {
    const idle = contentOf(planApp(healthOnlyApp()), "lib/quiet/idle.ex");
    expect(idle).toContain("  @probes []\n");
    expect(idle).not.toContain("defp alive");
    expect(idle).not.toContain("defp child_pid");
    expect(idle).toContain("It has no probes: it is always ready.");
  });

  it("assert in their test that probes of the running app pass, except mfa: and calls to externals", () => {
    const test = contentOf(planApp(healthApp()), "test/clinic/health_test.exs");
    const passing = /passing = \[([^\]]*)\]/.exec(test)?.[1]?.replace(/\s+/g, " ").trim();
    expect(passing).toBe('"alive:db", "call:cache", "alive:sessions", "call:sessions", "alive:pubsub", "call:config"');
    expect(test).toContain("  alias Clinic.Health\n");
    expect(contentOf(planApp(healthApp()), "test/clinic/quiet_health_test.exs")).toContain("  alias Clinic.QuietHealth, as: Health\n");
  });

  it("refuse probes of processes that do not exist (a guard behind validation)", () => {
    const worker = service("Flat", "worker", genServer({}), { template: true });
    expect(() => planApp(flatApp([worker, health("health", ["alive:worker"])]))).toThrow(PlanError);
    expect(() => planApp(flatApp([health("health", ["alive:nobody"])]))).toThrow(/names no service/);
    // An mfa: probe in a generated module: no stub can be written there.
    const other = service("Flat", "other", genServer({}));
    expect(() => planApp(flatApp([other, health("health", ["mfa:Flat.Other.ok"])]))).toThrow(/also a generated module/);
  });
});

describe("run-target stubs", () => {
  it("share one user-owned module between a step and probes, each function saying who calls it", () => {
    const plan = planApp(healthApp());
    const stub = plan.files.find((f) => f.path === "lib/clinic/checks.ex")!;
    expect(stub.ownership).toBe("user");
    expect(stub.content).toContain("Boot-time work called by otpiser's generated steps, and health checks called by its");
    expect(stub.content).toContain('  @doc "Called once at boot by `Clinic.Migrate`."\n  @spec migrate() :: :ok\n');
    expect(stub.content).toContain('  @doc "Probed by `Clinic.Health`: return `:ok` when healthy."\n  @spec ready?() :: :ok\n  def ready? do\n    :ok\n');
    // Out of the namespace: called as given, never stubbed.
    expect(plan.files.some((f) => f.content.startsWith("defmodule Mod do"))).toBe(false);
  });

  it("name every caller of one function, once, and keep the step-only wording of a step-only module", () => {
    const a = health("a", ["mfa:Flat.Probes.ok"]);
    const b = health("b", ["mfa:Flat.Probes.ok", "mfa:Flat.Probes.ok"]);
    const stub = contentOf(planApp(flatApp([a, b], false)), "lib/flat/probes.ex");
    expect(stub).toContain('  @doc "Probed by `Flat.A` and `Flat.B`: return `:ok` when healthy."');
    expect(stub.match(/def ok do/g)).toHaveLength(1);
    expect(stub).toContain("Health checks called by otpiser's generated `health` services (`mfa:` probes).");
    expect(contentOf(planApp(shopApp()), "lib/shop/release.ex")).toContain("Boot-time work called by otpiser's generated steps. This module is yours");
  });
});

describe("[http]", () => {
  it("adds the endpoint as the last root child, :inets, and its config for every environment, tests and boot", () => {
    const app = healthApp();
    const needs = httpNeeds(buildContext(app.manifest, app.topology, "1"));
    expect(needs.lastRootChildren).toEqual(["Clinic.Http"]);
    expect(needs.extraApplications).toEqual([":inets"]);
    expect(needs.config.join("\n")).toContain('config :clinic, Clinic.Http, port: 4000, bind_address: "0.0.0.0"');
    expect(needs.testConfig.join("\n")).toContain('config :clinic, Clinic.Http, port: 0, bind_address: "127.0.0.1"');
    expect(needs.runtimeConfig.join("\n")).toContain('if port = System.get_env("PORT") do\n    config :clinic, Clinic.Http, port: String.to_integer(port)\n  end');
    expect(needs.runtimeConfig.join("\n")).toContain("if config_env() != :test do");
    const plan = planApp(app);
    expect(contentOf(plan, "mix.exs")).toContain("extra_applications: [:logger, :inets],");
    expect(contentOf(plan, "lib/clinic/application.ex")).toMatch(/Clinic\.QuietHealth,\n\s+Clinic\.Http\n\s+\]/);
  });

  it("lays config out as mix format does when the names are long", () => {
    const app = longHealthApp();
    const needs = httpNeeds(buildContext(app.manifest, app.topology, "1"));
    expect(needs.config[0]).toContain(
      [
        "config :payments_gateway_service_with_a_very_long_name,",
        "       PaymentsGatewayServiceWithAVeryLongName.Http,",
        "       port: 65_535,",
        '       bind_address: "0.0.0.0"',
      ].join("\n"),
    );
  });

  it("adds nothing without [http]", () => {
    const app = healthOnlyApp();
    const needs = httpNeeds(buildContext(app.manifest, app.topology, "1"));
    expect(Object.values(needs).flat()).toEqual([]);
    const paths = planApp(app).files.map((f) => f.path);
    expect(paths.filter((p) => /http|metrics/.test(p))).toEqual([]);
  });

  it("plans the endpoint, its handler, the metrics module and their tests", () => {
    const paths = planApp(httpOnlyApp()).files.map((f) => f.path);
    for (const path of ["lib/plain/http.ex", "lib/plain/http/handler.ex", "lib/plain/metrics.ex", "test/plain/http_test.exs", "test/plain/metrics_test.exs"]) {
      expect(paths).toContain(path);
    }
  });

  it("knows every service process and supervisor for /metrics, externals by their child spec", () => {
    const plan = planApp(healthApp());
    const metrics = contentOf(plan, "lib/clinic/metrics.ex");
    expect(metrics).toContain("  @supervisors [Clinic.Supervisor, Clinic.CoreChain]\n");
    expect(metrics).toContain("    pubsub_id = child_id({Task.Supervisor, name: Clinic.PubSub})\n");
    expect(metrics).toContain("      {:config, Clinic.CoreChain, Clinic.Config},\n");
    expect(metrics).toContain("      {:pubsub, Clinic.Supervisor, pubsub_id},\n");
    // Steps leave no process behind.
    expect(metrics).not.toContain("{:migrate,");
    expect(contentOf(plan, "lib/clinic/http.ex")).toContain("  @health [health: Clinic.Health, quiet_health: Clinic.QuietHealth]\n");
    expect(contentOf(planApp(httpOnlyApp()), "lib/plain/http.ex")).toContain("  @health []\n");
  });

  it("crashes a GenServer that its supervisor restarts to see a restart in /metrics, or none when there is none", () => {
    const test = contentOf(planApp(healthApp()), "test/clinic/http_test.exs");
    expect(test).toContain('    service = ~s(#{@prefix}_service_restarts_total{service="config"})\n');
    expect(test).toContain('    supervisor = ~s(#{@prefix}_supervisor_restarts_total{supervisor="Clinic.CoreChain"})\n');
    const temporary = service("Flat", "once", genServer({}), { restart: "temporary" });
    const registry = service("Flat", "names", { kind: "registry", keys: "unique", partitions: 1 });
    const none = contentOf(planApp(flatApp([temporary, registry])), "test/flat/http_test.exs");
    expect(none).not.toContain("a crash shows up");
    expect(none).not.toContain("defp eventually");
  });

  it("is generated: [http] is no longer refused by generate", () => {
    const app = httpOnlyApp();
    expect(notGeneratedDiagnostics(app.manifest, "otpiser.toml")).toEqual([]);
  });
});

describe("long names", () => {
  it("keep every line of the health, http and metrics files within 98 columns", () => {
    const plan = planApp(longHealthApp());
    const mine = plan.files.filter((f) => /(health_monitor_service|http|handler|metrics|checks)[^/]*\.exs?$|^config\//.test(f.path));
    expect(mine.length).toBeGreaterThanOrEqual(9);
    for (const f of mine) {
      for (const line of f.content.split("\n")) {
        // A probe name is one string, a module one alias: they cannot be split, and mix format leaves them be.
        if (line.includes('"mfa:') || /^\s*\S+,?$/.test(line)) continue;
        expect(line.length, `${f.path}: ${line}`).toBeLessThanOrEqual(98);
      }
    }
  });
});

describe("through the real pipeline", () => {
  it("a manifest with health and [http] validates, analyses and plans", () => {
    const text = [
      '[app]\nname = "vitals"\n',
      "[services.store]\n",
      '[services.cache]\ndepends_on = ["store"]\n',
      '[services.checks]\nkind = "health"\ninterval_ms = 200\nprobes = ["alive:store", "call:cache", "mfa:Vitals.Probes.ready"]\n',
      "[http]\nport = 4100\n",
    ].join("\n");
    const result = check({ path: "otpiser.toml", text });
    expect(result.diagnostics).toEqual([]);
    const plan = planApp({ manifest: result.manifest!, topology: result.topology! });
    expect(plan.files.map((f) => f.path)).toEqual(expect.arrayContaining(["lib/vitals/checks.ex", "lib/vitals/probes.ex", "lib/vitals/http.ex"]));
  });

  it("the all-kinds fixture's health service validates (its other kinds decide whether it plans)", () => {
    const path = "fixtures/valid/all-kinds.toml";
    expect(check({ path, text: readFileSync(path, "utf8") }).ok).toBe(true);
  });
});
