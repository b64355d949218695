import { existsSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Topology } from "../../src/analysis/tree.js";
import { KINDS, type Manifest } from "../../src/manifest/model.js";
import { GENERATED_KINDS, PlanError, planProject, unsupportedKinds } from "../../src/plan/plan-project.js";
import { TEMPLATE_DIR } from "../../src/plan/render.js";
import type { Plan } from "../../src/plan/types.js";
import { genServer, leaf, manifest, service, shopApp, soloApp, supervisorNode, topology } from "./fixtures.js";

const opts = { generatorVersion: "1.2.3" };

const planOf = (app: { manifest: Manifest; topology: Topology }): Plan => planProject(app.manifest, app.topology, opts);

function file(plan: Plan, path: string): string {
  const found = plan.files.find((f) => f.path === path);
  if (!found) throw new Error(`no ${path} in ${plan.files.map((f) => f.path).join(", ")}`);
  return found.content;
}

/** A minimal app around the given services, all directly under the root. */
function flatApp(services: ReturnType<typeof service>[], rootIntensity: [number, number] = [3, 5]) {
  const m = manifest("flat", "Flat", services);
  const root = supervisorNode(
    "flat",
    "Flat.Application",
    "application",
    "one_for_one",
    services.filter((s) => !s.template).map((s) => leaf(s)),
    rootIntensity,
  );
  return { manifest: m, topology: topology("flat", root) };
}

describe("templates", () => {
  it("are found next to the package root", () => {
    expect(existsSync(TEMPLATE_DIR)).toBe(true);
    expect(readdirSync(TEMPLATE_DIR)).toContain("gen_server.ex.hbs");
  });
});

describe("unsupportedKinds", () => {
  it("is empty for every kind: each kind of the manifest model is generated", () => {
    expect(KINDS.filter((kind) => !GENERATED_KINDS.has(kind))).toEqual([]);
    const cron = service("Flat", "cron", {
      kind: "scheduled",
      everyMs: 1000,
      run: "Flat.Jobs.tick",
      timeoutMs: 1000,
      overlap: "skip",
      history: 10,
      enabled: true,
    });
    const ok = service("Flat", "ok", genServer({}));
    expect(unsupportedKinds(flatApp([ok, cron]).manifest)).toEqual([]);
    expect(unsupportedKinds(shopApp().manifest)).toEqual([]);
  });
});

describe("planProject", () => {
  it("is pure and deterministic", () => {
    const app = shopApp();
    const before = structuredClone(app);
    const a = planProject(app.manifest, app.topology, opts);
    const b = planProject(app.manifest, app.topology, opts);
    expect(a).toEqual(b);
    expect(app).toEqual(before);
  });

  it("plans the files of a one-service app", () => {
    const { manifest: m, topology: t } = soloApp();
    const plan = planProject(m, t, opts);
    expect(plan.files.map((f) => [f.path, f.ownership])).toEqual([
      [".formatter.exs", "owned"],
      [".gitignore", "owned"],
      ["README.md", "owned"],
      ["config/config.exs", "owned"],
      ["config/runtime.exs", "owned"],
      ["lib/mix/tasks/solo.chaos.ex", "owned"],
      ["lib/solo/application.ex", "owned"],
      ["lib/solo/counter.ex", "owned"],
      ["lib/solo/lifecycle.ex", "owned"],
      ["lib/solo/telemetry.ex", "owned"],
      ["mix.exs", "owned"],
      ["notebooks/solo.livemd", "owned"],
      ["otpiser.schema.json", "owned"],
      ["test/mix/tasks/solo.chaos_test.exs", "owned"],
      ["test/solo/application_test.exs", "owned"],
      ["test/solo/counter_test.exs", "owned"],
      ["test/solo/lifecycle_test.exs", "owned"],
      ["test/solo/shutdown_test.exs", "owned"],
      ["test/solo/telemetry_test.exs", "owned"],
      ["test/support/supervision_case.ex", "owned"],
      ["test/test_helper.exs", "owned"],
    ]);
    expect(file(plan, "test/test_helper.exs")).toContain("ExUnit.start(assert_receive_timeout: 1_000)\n");
    expect(file(plan, "README.md")).toContain("otpiser 1.2.3");
  });

  it("matches the golden files", async () => {
    const solo = planProject(soloApp().manifest, soloApp().topology, opts);
    const shop = planProject(shopApp().manifest, shopApp().topology, opts);
    const golden: [string, Plan, string][] = [
      ["solo", solo, "mix.exs"],
      ["solo", solo, "lib/solo/application.ex"],
      ["solo", solo, "lib/solo/counter.ex"],
      ["solo", solo, "test/solo/counter_test.exs"],
      ["solo", solo, "test/solo/application_test.exs"],
      ["solo", solo, "test/support/supervision_case.ex"],
      ["shop", shop, "lib/shop/application.ex"],
      ["shop", shop, "lib/shop/core_chain.ex"],
      ["shop", shop, "lib/shop/config.ex"],
      ["shop", shop, "lib/shop/workers.ex"],
      ["shop", shop, "lib/shop/worker.ex"],
      ["shop", shop, "lib/shop/sessions.ex"],
      ["shop", shop, "lib/shop/jobs.ex"],
      ["shop", shop, "lib/shop/migrate.ex"],
      ["shop", shop, "lib/shop/release.ex"],
      ["shop", shop, "test/shop/core_chain_test.exs"],
      ["shop", shop, "README.md"],
    ];
    for (const [name, plan, path] of golden) {
      await expect(file(plan, path)).toMatchFileSnapshot(`./golden/${name}/${path}`);
    }
  });

  it("keeps manifest text as text", () => {
    const plan = planProject(soloApp().manifest, soloApp().topology, opts);
    const counter = file(plan, "lib/solo/counter.ex");
    expect(counter).toContain('Counts things. A doc with \\#{System.halt()} must stay text, as must ""\\" and \\\\ and "quotes".');
    expect(counter).not.toMatch(/[^\\]#\{System/);
    const config = file(planProject(shopApp().manifest, shopApp().topology, opts), "lib/shop/config.ex");
    expect(config).toContain('name: "shop \\"main\\" \\#{oops}"');
    expect(config).toContain('limits: %{max: 10, "with space": true}');
    expect(config).toContain("ratio: 1.0");
  });

  it("emits externals verbatim, wrapped only to override restart or shutdown", () => {
    const spec = (id: string) => ({ kind: "external" as const, childSpec: `{Task.Supervisor, name: Flat.${id}}`, type: "supervisor" as const, deps: [] });
    const plain = service("Flat", "plain", spec("Plain"));
    const transient = service("Flat", "transient", spec("Transient"), { restart: "transient" });
    const slow = service("Flat", "slow", spec("Slow"), { shutdownMs: 20_000, spans: { shutdown_ms: { line: 1, col: 1, endLine: 1, endCol: 1, offset: 0, endOffset: 0 } } });
    const app = flatApp([plain, transient, slow]);
    app.topology.root.children[2]!.shutdown = 20_000;
    const application = file(planProject(app.manifest, app.topology, opts), "lib/flat/application.ex");
    expect(application).toContain("      {Task.Supervisor, name: Flat.Plain},\n");
    expect(application).toContain("Supervisor.child_spec({Task.Supervisor, name: Flat.Transient}, restart: :transient)");
    expect(application).toContain("Supervisor.child_spec({Task.Supervisor, name: Flat.Slow}, shutdown: 20_000)");
  });

  it("adds the deps externals declare, and only those", () => {
    const pubsub = service("Flat", "pubsub", {
      kind: "external",
      childSpec: "{Phoenix.PubSub, name: Flat.PubSub}",
      type: "supervisor",
      deps: ['{:phoenix_pubsub, "~> 2.1"}'],
    });
    const app = flatApp([pubsub]);
    const mixExs = file(planProject(app.manifest, app.topology, opts), "mix.exs");
    expect(mixExs).toContain('  defp deps do\n    [\n      {:phoenix_pubsub, "~> 2.1"}\n    ]\n  end');
    const solo = file(planProject(soloApp().manifest, soloApp().topology, opts), "mix.exs");
    expect(solo).toContain("  defp deps do\n    []\n  end");
  });

  it("writes use GenServer options only when they differ from OTP's defaults", () => {
    const plain = service("Flat", "plain", genServer({}));
    const custom = service("Flat", "custom", genServer({}), { restart: "transient", shutdownMs: 10_000 });
    const plan = planOf(flatApp([plain, custom]));
    expect(file(plan, "lib/flat/plain.ex")).toContain("  use GenServer\n");
    expect(file(plan, "lib/flat/custom.ex")).toContain("  use GenServer, restart: :transient, shutdown: 10_000\n");
  });

  it("does not register template instances under the module name", () => {
    const plan = planProject(shopApp().manifest, shopApp().topology, opts);
    const worker = file(plan, "lib/shop/worker.ex");
    expect(worker).not.toContain("name: __MODULE__");
    expect(worker).toContain("Keyword.take(opts, [:name])");
    expect(worker).toContain("def status(server) do");
    expect(file(plan, "lib/shop/workers.ex")).toContain("@child Shop.Worker\n");
    expect(file(plan, "lib/shop/workers.ex")).toContain("DynamicSupervisor.start_child(__MODULE__, {@child, opts})");
    expect(plan.files.find((f) => f.path === "lib/shop/release.ex")?.ownership).toBe("user");
    expect(file(plan, "test/support/supervision_case.ex")).not.toContain("worker:");
  });

  it("writes no kill test for temporary children, steps, or under a supervisor that cannot restart", () => {
    const temp = service("Flat", "temp", genServer({}), { restart: "temporary" });
    const kept = service("Flat", "kept", genServer({}));
    const plan = planOf(flatApp([temp, kept]));
    const tests = file(plan, "test/flat/application_test.exs");
    expect(tests).toContain("crashing kept");
    expect(tests).not.toContain("crashing temp");
    const noRestarts = flatApp([kept], [0, 5]);
    const paths = planProject(noRestarts.manifest, noRestarts.topology, opts).files.map((f) => f.path);
    expect(paths).not.toContain("test/flat/application_test.exs");
    expect(paths).not.toContain("test/support/supervision_case.ex");
  });

  it("asserts transitive dependents are restarted", () => {
    const tests = file(planProject(shopApp().manifest, shopApp().topology, opts), "test/shop/core_chain_test.exs");
    expect(tests).toContain("restarted = restarted_after_crash(:config)");
    expect(tests).toContain("dependents = [:cache, :db_pool]");
    expect(tests).toContain("expected = [:cache, :config, :db_pool]");
  });

  it("calls run targets outside the namespace as given, and writes no stub for them", () => {
    const step = service("Flat", "warm", { kind: "step", run: "Logger.flush" }, { restart: "temporary" });
    const plan = planOf(flatApp([step]));
    expect(file(plan, "lib/flat/warm.ex")).toContain("    Logger.flush()\n    :ignore\n");
    expect(plan.files.filter((f) => f.ownership === "user")).toEqual([]);
  });

  it("reports inconsistent input as PlanError", () => {
    const own = service("Flat", "seed", { kind: "step", run: "Flat.Seed.run" }, { restart: "temporary" });
    expect(() => planOf(flatApp([own]))).toThrow(/step's own module/);

    const init = service("Flat", "bad", genServer({ calls: [{ name: "init" }] }));
    expect(() => planOf(flatApp([init]))).toThrow(PlanError);

    const a = service("Flat", "a", genServer({}), { module: "Flat.Same" });
    const b = service("Flat", "b", genServer({}), { module: "Flat.Same" });
    expect(() => planOf(flatApp([a, b]))).toThrow(/both be written/);

    const named = service("Flat", "supervisor", genServer({}));
    expect(() => planOf(flatApp([named]))).toThrow(/root supervisor's registered name/);

    const lost = service("Flat", "lost", genServer({}));
    const app = flatApp([lost]);
    app.topology.root.children = [];
    expect(() => planProject(app.manifest, app.topology, opts)).toThrow(/not in the supervision tree/);
  });
});
