/**
 * Planner details of `gen_statem` and `circuit_breaker` (no mix runs here: statem.e2e.test.ts compiles, formats and
 * runs the generated projects).
 */
import { describe, expect, it } from "vitest";
import type { KindSpec, Transition } from "../../src/manifest/model.js";
import { check } from "../../src/pipeline.js";
import { planCircuitBreaker } from "../../src/plan/circuit-breaker.js";
import { buildContext } from "../../src/plan/context.js";
import { PlanError } from "../../src/plan/errors.js";
import { eventsOf, planGenStatem, shortestPaths, undeclaredEvents } from "../../src/plan/gen-statem.js";
import { GENERATED_KINDS } from "../../src/plan/plan-project.js";
import { leaf, manifest, service, span, supervisorNode, topology } from "./fixtures.js";
import { contentOf, countTests, planToml } from "./mix-helpers.js";

type StatemSpec = Extract<KindSpec, { kind: "gen_statem" }>;

const tr = (from: string, event: string, to: string): Transition => ({ from, event, to, span });

function statem(states: string[], transitions: Transition[], callbackMode: StatemSpec["callbackMode"] = "state_functions"): StatemSpec {
  return { kind: "gen_statem", states, initial: states[0]!, transitions, callbackMode };
}

const door = statem(
  ["closed", "open", "locked"],
  [tr("closed", "open", "open"), tr("open", "close", "closed"), tr("closed", "lock", "locked"), tr("locked", "unlock", "closed")],
);

function errorsOf(toml: string): { code: string; message: string }[] {
  return check({ path: "otpiser.toml", text: toml })
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => ({ code: d.code, message: d.message }));
}

/** The context of a one-service app, for calling a planner directly. */
function contextOf(s: ReturnType<typeof service>, appModule = "Shop") {
  const m = manifest("shop", appModule, [s]);
  const root = supervisorNode("shop", `${appModule}.Application`, "application", "one_for_one", [leaf(s)]);
  return { ctx: buildContext(m, topology("shop", root), "test"), node: leaf(s) };
}

describe("the machine as a graph", () => {
  it("finds a shortest path to every state, preferring transitions in manifest order", () => {
    const spec = statem(
      ["a", "b", "c", "d"],
      [tr("a", "long", "b"), tr("b", "on", "c"), tr("a", "short", "c"), tr("c", "next", "d"), tr("a", "alt", "c")],
    );
    const paths = shortestPaths(spec);
    const events = (state: string) => paths.get(state)!.map((t) => t.event);
    expect(events("a")).toEqual([]);
    expect(events("b")).toEqual(["long"]);
    expect(events("c")).toEqual(["short"]);
    expect(events("d")).toEqual(["short", "next"]);
  });

  it("lists events once, in order of appearance, and what each state does not declare", () => {
    expect(eventsOf(door)).toEqual(["open", "close", "lock", "unlock"]);
    expect(undeclaredEvents(door)).toEqual([
      { state: "closed", events: ["close", "unlock"] },
      { state: "open", events: ["open", "lock", "unlock"] },
      { state: "locked", events: ["open", "close", "lock"] },
    ]);
  });
});

describe("gen_statem planning", () => {
  it("is a generated kind, as is circuit_breaker", () => {
    expect(GENERATED_KINDS.has("gen_statem")).toBe(true);
    expect(GENERATED_KINDS.has("circuit_breaker")).toBe(true);
  });

  it("state_functions: one function per state, its transitions first, then the shared handling", () => {
    const s = service("Shop", "door", door);
    const { ctx, node } = contextOf(s);
    const [module, test] = planGenStatem(ctx, s, node).map((f) => f.content);
    expect(module).toContain("@behaviour :gen_statem");
    expect(module).toContain("def callback_mode, do: :state_functions");
    expect(module).toContain("def child_spec(opts) do");
    expect(module).toContain("case Keyword.get(opts, :name, __MODULE__) do");
    expect(module).toContain("def lock(server \\\\ __MODULE__) do\n    :gen_statem.call(server, :lock)\n  end");
    expect(module).toContain("@spec lock(:gen_statem.server_ref()) :: {:ok, :locked} | rejection()");
    expect(module).toContain("def closed({:call, caller}, :lock, data) do\n    transition(caller, :closed, :lock, :locked, data)\n  end");
    expect(module).toContain("def locked(event_type, content, data) do\n    handle_common(event_type, content, :locked, data)\n  end");
    expect(module).toContain("{:keep_state_and_data, [{:reply, caller, {:error, {:invalid_event, state, event}}}]}");
    expect(module).toContain("{:EXIT, _pid, reason}, _state, data), do: {:stop, reason, data}");
    expect(module).toContain("Shop.Lifecycle.event(");
    expect(module).toContain("%{from: state, to: next, event: event}");
    expect(module).not.toContain("def handle_event");
    // Per transition, per state with undeclared events, plus the registered instance, a new one, telemetry, messages,
    // a linked exit and code_change.
    expect(countTests(test!)).toBe(1 + 1 + 4 + 3 + 1 + 3);
    expect(test).toContain('test "locked --unlock--> closed" do');
    expect(test).toContain("assert Door.lock(machine) == {:ok, :locked}\n    assert Door.unlock(machine) == {:ok, :closed}");
    expect(test).toContain("assert Door.lock(machine) == rejected(:locked, :lock)\n    assert Door.state(machine) == :locked");
  });

  it("handle_event_function: the transitions are handle_event/4 clauses", () => {
    const s = service("Shop", "door", { ...door, callbackMode: "handle_event_function" });
    const { ctx, node } = contextOf(s);
    const module = planGenStatem(ctx, s, node)[0]!.content;
    expect(module).toContain("def callback_mode, do: :handle_event_function");
    expect(module).toContain(
      "  @impl true\n  def handle_event({:call, caller}, :open, :closed, data) do\n    transition(caller, :closed, :open, :open, data)\n  end",
    );
    expect(module).toContain("def handle_event({:call, caller}, event, state, _data) do");
    expect(module).not.toContain("handle_common");
    expect(module.match(/@impl true\n {2}def handle_event/g)).toHaveLength(1);
  });

  it("a template is unnamed, takes the supervisor's extra arguments first and is tested on its own instances", () => {
    const s = service("Shop", "job", statem(["queued", "done"], [tr("queued", "finish", "done")]), { template: true });
    const { ctx } = contextOf(s);
    const [module, test] = planGenStatem(ctx, s, undefined, { supervisor: "Shop.Jobs", extraArguments: [":pool_a"], owner: "dynamic_supervisor" }).map(
      (f) => f.content,
    );
    expect(module).toContain("def start_link(extra_1, opts \\\\ []) do\n    init_arg = {extra_1, opts}");
    expect(module).toContain("case Keyword.get(opts, :name) do");
    expect(module).toContain("def init({_extra_1, _opts}) do");
    expect(module).toContain("def finish(server) do");
    expect(module).toContain("Shop.Lifecycle.instance_started(:job, __MODULE__)");
    expect(module).toContain("`Shop.Jobs.start_child/1`");
    expect(test).toContain("args = [:pool_a, [name: nil]]");
    expect(test).not.toContain("registered under its module name");
  });

  it("without telemetry: no lifecycle calls, no transition event, and no test for it", () => {
    const s = service("Shop", "door", door, { telemetry: false });
    const { ctx, node } = contextOf(s);
    const [module, test] = planGenStatem(ctx, s, node).map((f) => f.content);
    expect(module).not.toContain("Lifecycle");
    expect(module).toContain("defp transition(caller, _state, _event, next, data) do");
    expect(test).not.toContain(":transition");
  });

  it("a machine without transitions has no transition helper and no rejection tests", () => {
    const s = service("Shop", "idle", statem(["only"], []));
    const { ctx, node } = contextOf(s);
    const [module, test] = planGenStatem(ctx, s, node).map((f) => f.content);
    expect(module).not.toContain("defp transition");
    expect(test).not.toContain("rejected");
    expect(countTests(test!)).toBe(1 + 1 + 3);
  });

  it("uses the child's restart and shutdown in child_spec/1", () => {
    const s = service("Shop", "door", door, { restart: "transient", shutdownMs: 12_000 });
    const { ctx, node } = contextOf(s);
    const module = planGenStatem(ctx, s, node)[0]!.content;
    expect(module).toContain("restart: :transient,\n      shutdown: 12_000,");
  });

  it("does not alias the module in its test when the alias would shadow the app's namespace", () => {
    const s = service("Door", "door", door);
    const { ctx, node } = contextOf(s, "Door");
    const test = planGenStatem(ctx, s, node)[1]!.content;
    expect(test).not.toContain("alias Door.Door");
    expect(test).toContain("assert Door.Door.state() == :closed");
  });

  it("refuses (as an internal error) what validation should have stopped", () => {
    const bad = (spec: StatemSpec) => {
      const s = service("Shop", "m", spec);
      const { ctx, node } = contextOf(s);
      return () => planGenStatem(ctx, s, node);
    };
    expect(bad(statem(["a", "b"], []))).toThrow(PlanError); // b unreachable
    expect(bad(statem(["a"], [tr("a", "go", "z")]))).toThrow(PlanError);
    expect(bad(statem(["a"], [tr("a", "state", "a")]))).toThrow(/event `state`/);
    expect(bad(statem(["init"], []))).toThrow(/state `init`/);
  });
});

describe("gen_statem validation", () => {
  const machine = (extra: string) => `[app]\nname = "shop"\n\n[services.m]\nkind = "gen_statem"\n${extra}`;

  it("rejects events that would clash with the functions the module defines", () => {
    for (const event of ["state", "child_spec", "callback_mode", "module_info", "handle_event"]) {
      const errors = errorsOf(machine(`states = ["a"]\n[[services.m.transitions]]\nfrom = "a"\nevent = "${event}"\nto = "a"\n`));
      expect(errors, event).toEqual([{ code: "E025", message: `event "${event}" clashes with a function otpiser generates for the state machine` }]);
    }
  });

  it("rejects an empty state list and names starting with _", () => {
    expect(errorsOf(machine("states = []\n")).map((e) => e.code)).toEqual(["E018"]);
    expect(errorsOf(machine('states = ["_a"]\n')).map((e) => e.code)).toEqual(["E025"]);
  });

  it("accepts events named like states or like Kernel functions", () => {
    const toml = machine(
      'states = ["send", "if"]\n[[services.m.transitions]]\nfrom = "send"\nevent = "send"\nto = "if"\n[[services.m.transitions]]\nfrom = "if"\nevent = "is_atom"\nto = "send"\n',
    );
    expect(errorsOf(toml)).toEqual([]);
    const plan = planToml(toml);
    expect(contentOf(plan, "lib/shop/m.ex")).toContain("def is_atom(server \\\\ __MODULE__) do");
  });
});

describe("circuit_breaker planning", () => {
  const toml = (breaker: string) =>
    `[app]\nname = "shop"\n\n[services.gateway]\n\n[services.gateway_breaker]\nkind = "circuit_breaker"\nprotects = "gateway"\n${breaker}`;

  it("writes the manifest's settings, names the protected module and emits :transition and :trip", () => {
    const plan = planToml(toml("failure_threshold = 3\nreset_timeout_ms = 20_000\nhalf_open_max_calls = 2\n"));
    const module = contentOf(plan, "lib/shop/gateway_breaker.ex");
    expect(module).toContain("@failure_threshold 3\n  @reset_timeout_ms 20_000\n  @half_open_max_calls 2");
    expect(module).toMatch(/guarding calls to\s+`Shop.Gateway`/);
    expect(module).toContain("def callback_mode, do: [:handle_event_function, :state_enter]");
    expect(module).toContain(":transition,");
    expect(module).toContain(":trip,");
    const test = contentOf(plan, "test/shop/gateway_breaker_test.exs");
    expect(test).toContain("alias Shop.GatewayBreaker, as: Breaker");
    expect(test).toContain("@threshold 3\n  @max_probes 2");
    expect(countTests(test)).toBe(15);
  });

  it("defaults to 5 failures, 30 s and 1 probe", () => {
    const module = contentOf(planToml(toml("")), "lib/shop/gateway_breaker.ex");
    expect(module).toContain("@failure_threshold 5\n  @reset_timeout_ms 30_000\n  @half_open_max_calls 1");
  });

  it("tests huge settings with capped ones, and checks the real ones as the defaults", () => {
    const plan = planToml(toml("failure_threshold = 1_000_000\nhalf_open_max_calls = 5000\n"));
    const test = contentOf(plan, "test/shop/gateway_breaker_test.exs");
    expect(test).toContain("@failure_threshold 1_000_000");
    expect(test).toContain("@threshold 100\n  @max_probes 20");
  });

  it("without telemetry: no lifecycle calls, no events, no telemetry test", () => {
    const plan = planToml(toml("telemetry = false\n"));
    const module = contentOf(plan, "lib/shop/gateway_breaker.ex");
    expect(module).not.toContain("Lifecycle");
    expect(module).toContain("defp entered(:open, _old, data) do");
    expect(countTests(contentOf(plan, "test/shop/gateway_breaker_test.exs"))).toBe(14);
  });

  it("picks a test alias that shadows neither the app's namespace nor fits badly on a line", () => {
    const breaker = service("Breaker", "cb", { kind: "circuit_breaker", protects: "x", failureThreshold: 1, resetTimeoutMs: 1, halfOpenMaxCalls: 1 });
    const { ctx, node } = contextOf(breaker, "Breaker");
    expect(planCircuitBreaker(ctx, breaker, node)[1]!.content).toContain("alias Breaker.Cb, as: Circuit");
    const long = service("Shop", "cb", breaker.spec, { module: `Shop.${"Very".repeat(25)}.Breaker.Module` });
    const longCtx = contextOf(long);
    expect(planCircuitBreaker(longCtx.ctx, long, longCtx.node)[1]!.content).toContain(`alias ${long.module},\n    as: Breaker\n`);
  });
});
