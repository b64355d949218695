/**
 * Planner details of `producer` / `consumer` (no mix runs here: flow.e2e.test.ts compiles and tests the output).
 */
import { describe, expect, it } from "vitest";
import { buildContext } from "../../src/plan/context.js";
import { PlanError } from "../../src/plan/errors.js";
import { planConsumer, planProducer, TEST_BUFFER_LIMIT, TEST_DEMAND_LIMIT, testBuffer, testDemand } from "../../src/plan/flow.js";
import { GENERATED_KINDS } from "../../src/plan/plan-project.js";
import { leaf, manifest, service, supervisorNode, topology } from "./fixtures.js";
import { contentOf, planToml } from "./mix-helpers.js";

const app = (services: string): string => `[app]\nname = "shop"\n${services}`;

const producer = (id: string, extra = ""): string => `\n[services.${id}]\nkind = "producer"\n${extra}\n`;

const consumer = (id: string, producers: string[], extra = ""): string =>
  `\n[services.${id}]\nkind = "consumer"\nsubscribe_to = [${producers.map((p) => `"${p}"`).join(", ")}]\n${extra}\n`;

describe("producer / consumer planning", () => {
  it("are generated kinds", () => {
    expect(GENERATED_KINDS.has("producer")).toBe(true);
    expect(GENERATED_KINDS.has("consumer")).toBe(true);
  });

  it("writes a module and a test for each, protocol and placeholders included", () => {
    const plan = planToml(app(producer("events") + consumer("indexer", ["events"])));
    const events = contentOf(plan, "lib/shop/events.ex");
    const indexer = contentOf(plan, "lib/shop/indexer.ex");
    expect(events).toMatch(/^defmodule Shop\.Events do/);
    for (const fun of ["def push(server \\\\ __MODULE__, event)", "def subscribe(server \\\\ __MODULE__, demand)", "def ask(producer, demand)", "def stats(server \\\\ __MODULE__)"]) {
      expect(events).toContain(fun);
    }
    expect(indexer).toContain("defp handle_events(_events, state) do");
    expect(indexer).toContain("@producers [Shop.Events]");
    expect(contentOf(plan, "test/shop/events_test.exs")).toContain("alias Shop.Events, as: Producer");
    expect(contentOf(plan, "test/shop/indexer_test.exs")).toContain("alias Shop.Indexer, as: Consumer");
  });

  it("uses the shared process hooks in both GenServers", () => {
    const plan = planToml(app(producer("events") + consumer("indexer", ["events"])));
    for (const [path, id] of [["lib/shop/events.ex", "events"], ["lib/shop/indexer.ex", "indexer"]] as const) {
      const source = contentOf(plan, path);
      expect(source).toContain("Process.flag(:trap_exit, true)");
      expect(source).toContain(`:ok = Shop.Lifecycle.started(:${id}, __MODULE__)`);
      expect(source).toContain(`:ok = Shop.Lifecycle.stopped(:${id}, __MODULE__, reason)`);
      expect(source).toMatch(/@vsn "[0-9a-f]{12}"/);
      expect(source).toContain("def code_change(_old_vsn, state, _extra) do");
      expect(source).toContain("def handle_info({:EXIT, _pid, reason}, state), do: {:stop, reason, state}");
    }
  });

  it.each([
    ["drop_oldest", ":ok | {:ok, :dropped}", "{{:value, _oldest}, buffer} = :queue.out(state.buffer)", ":dropped"],
    ["drop_newest", ":ok | {:ok, :dropped}", "{{:ok, :dropped}, %{state | dropped: state.dropped + 1}}", ":dropped"],
    ["reject", ":ok | {:error, :full}", "{{:error, :full}, %{state | rejected: state.rejected + 1}}", ":rejected"],
  ])("overflow = %s: only that policy is generated, with its reply and telemetry event", (overflow, returns, clause, event) => {
    const plan = planToml(app(producer("events", `overflow = "${overflow}"\nbuffer_size = 7`)));
    const source = contentOf(plan, "lib/shop/events.ex");
    expect(source).toContain(`@spec push(GenServer.server(), term()) :: ${returns}`);
    expect(source).toContain(clause);
    expect(source).toContain(`@overflow :${overflow}`);
    expect(source).toContain("@buffer_size 7");
    expect(source.match(/defp enqueue\(/g)).toHaveLength(2);
    expect(source).toContain(`:ok = Shop.Lifecycle.event(:events, ${event}, %{count: 1}, %{overflow: @overflow})`);
    const test = contentOf(plan, "test/shop/events_test.exs");
    expect(test).toContain(`test "${overflow}: a full buffer`);
    expect(test).toContain(`@${event.slice(1)} [:shop, :events, ${event}]`);
  });

  it("without telemetry, emits no events and attaches no handler in the test", () => {
    const plan = planToml(app(producer("events", "telemetry = false") + consumer("indexer", ["events"], "telemetry = false")));
    for (const path of ["lib/shop/events.ex", "lib/shop/indexer.ex"]) expect(contentOf(plan, path)).not.toContain("Lifecycle");
    const test = contentOf(plan, "test/shop/events_test.exs");
    expect(test).not.toContain("attach");
    expect(test).not.toContain("def forward(");
  });

  it("picks test aliases that no module the test names starts with", () => {
    const plan = planToml(`[app]\nname = "producer"\n${producer("events")}${consumer("consumer", ["events"], 'module = "Consumer"')}`);
    const producerTest = contentOf(plan, "test/producer/events_test.exs");
    expect(producerTest).toContain("alias Producer.Events, as: Producer2");
    expect(producerTest).toContain("Producer2.stats()");
    const consumerTest = contentOf(plan, "test/consumer_test.exs");
    expect(consumerTest).toContain("alias Consumer, as: Consumer2");
    expect(consumerTest).toContain("alias Producer.Events, as: Producer2");
    expect(consumerTest).toContain("@producers [Producer.Events]");
  });

  it("with the real :telemetry package, tests attach through it", () => {
    const plan = planToml(`[features]\ntelemetry = "telemetry"\n${app(producer("events"))}`);
    const test = contentOf(plan, "test/shop/events_test.exs");
    expect(test).toContain(":ok = :telemetry.attach(handler_id, @dropped, &__MODULE__.forward/4, self())");
    expect(test).toContain("on_exit(fn -> :telemetry.detach(handler_id) end)");
    expect(test).not.toContain("alias Shop.Telemetry");
  });

  it("tests use the declared sizes up to the limits and smaller ones beyond", () => {
    const small = planToml(app(producer("events", "buffer_size = 5") + consumer("indexer", ["events"], "max_demand = 3\nmin_demand = 1")));
    const smallTest = contentOf(small, "test/shop/indexer_test.exs");
    expect(smallTest).toContain("@buffer_size 5\n");
    expect(smallTest).toContain("@max_demand 3\n");
    expect(smallTest).toContain("@min_demand 1\n");
    expect(smallTest).toContain("== {3, 1}");

    const large = planToml(app(producer("events", "buffer_size = 100_000") + consumer("indexer", ["events"], "max_demand = 5000\nmin_demand = 2500")));
    const largeTest = contentOf(large, "test/shop/indexer_test.exs");
    expect(largeTest).toContain(`@buffer_size ${TEST_BUFFER_LIMIT}\n`);
    expect(largeTest).toContain(`@max_demand ${TEST_DEMAND_LIMIT}\n`);
    expect(largeTest).toContain("@min_demand 50\n");
    // The application's own instance is still checked against the declared values.
    expect(largeTest).toContain("== {5000, 2500}");
    expect(contentOf(large, "test/shop/events_test.exs")).toContain("assert %{buffer_size: 100_000, overflow: :drop_oldest} = Producer.stats()");
  });

  it("scales demand down keeping min_demand below max_demand", () => {
    for (const [max, min] of [[101, 100], [1_000_000, 999_999], [1_000_000, 0], [5000, 2500], [100, 99]] as const) {
      const d = testDemand(max, min);
      expect(d.max).toBeLessThanOrEqual(TEST_DEMAND_LIMIT);
      expect(d.min).toBeGreaterThanOrEqual(0);
      expect(d.min).toBeLessThan(d.max);
    }
    expect(testDemand(10, 5)).toMatchObject({ max: 10, min: 5 });
    expect(testBuffer(1000).size).toBe(1000);
    expect(testBuffer(1001).size).toBe(TEST_BUFFER_LIMIT);
  });

  it("the consumer's slow-consumer test expects its first producer's policy", () => {
    const plan = planToml(
      app(producer("orders", 'overflow = "reject"') + producer("events") + consumer("indexer", ["orders", "events"])),
    );
    const test = contentOf(plan, "test/shop/indexer_test.exs");
    expect(test).toContain("alias Shop.Orders, as: Producer");
    expect(test).toContain("List.duplicate({:error, :full}, 3)");
    expect(test).toContain("expected = Enum.to_list(1..(@max_demand + @buffer_size))");
    expect(test).toContain("@producers [Shop.Orders, Shop.Events]");
  });

  it("documents who consumes what", () => {
    const plan = planToml(app(producer("events") + consumer("indexer", ["events"]) + consumer("audit", ["events"])));
    // Prose is wrapped: compare it with line breaks as spaces.
    const prose = (path: string): string => contentOf(plan, path).replace(/\s+/g, " ");
    expect(prose("lib/shop/events.ex")).toContain("Consumed by `Shop.Indexer` and `Shop.Audit` (`subscribe_to`).");
    expect(prose("lib/shop/indexer.ex")).toContain("subscribed to `Shop.Events` (`subscribe_to`)");
  });

  it("keeps every generated line within 98 columns for ordinary names", () => {
    const plan = planToml(
      app(
        producer("incoming_payment_notifications", 'overflow = "drop_newest"\nbuffer_size = 100_000_000') +
          consumer("settlement_ledger_entries_writer", ["incoming_payment_notifications"], "max_demand = 1_000_000\nmin_demand = 999_999"),
      ),
    );
    for (const f of plan.files) {
      if (!/(incoming_payment_notifications|settlement_ledger_entries_writer)(_test)?\.exs?$/.test(f.path)) continue;
      for (const line of f.content.split("\n")) expect(line.length, `${f.path}: ${line}`).toBeLessThanOrEqual(98);
    }
  });

  it("user text in `doc` stays text", () => {
    const plan = planToml(app(producer("events", 'doc = "Events #{System.halt()} \\"\\"\\" end"')));
    expect(contentOf(plan, "lib/shop/events.ex")).toContain("Events \\#{System.halt()}");
  });

  it("refuses a consumer of something that is not a producer (validation reports it first: E017)", () => {
    const names = service("Shop", "names", { kind: "registry", keys: "unique", partitions: 1 });
    const sink = service("Shop", "sink", { kind: "consumer", subscribeTo: ["names"], maxDemand: 10, minDemand: 5 });
    const m = manifest("shop", "Shop", [names, sink]);
    const root = supervisorNode("shop", "Shop.Application", "application", "one_for_one", [leaf(names, "supervisor"), leaf(sink)]);
    const ctx = buildContext(m, topology("shop", root), "test");
    expect(() => planConsumer(ctx, sink, leaf(sink))).toThrow(PlanError);
    expect(() => planProducer(ctx, sink, leaf(sink))).toThrow(PlanError);
  });
});
