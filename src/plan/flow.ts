/**
 * `producer` / `consumer`: demand-driven flow with a bounded buffer, built on plain GenServers (no GenStage, no hex).
 *
 * Protocol (generated producers and consumers speak it; any process can subscribe):
 * `GenServer.call(producer, {:subscribe, demand})` → `{:ok, producer_pid}` registers (and monitors) the caller;
 * `{:events, producer_pid, events}` messages follow, never more events in total than asked for;
 * `GenServer.cast(producer, {:ask, consumer_pid, n})` asks for more. A consumer's mailbox therefore never holds more
 * than `max_demand` events per producer: when consumers are slow, events wait in the producer's buffer, whose bound
 * and overflow policy are declared in the manifest.
 */
import type { TreeNode } from "../analysis/tree.js";
import type { Service } from "../manifest/model.js";
import { atom, heredoc, integer } from "../elixir/escape.js";
import { defstruct, fits, list, statement, structType } from "../elixir/layout.js";
import { modulePath, testPath } from "../elixir/naming.js";
import { code, owned, type PlanContext, sentenceList } from "./context.js";
import { dependencySentences, joinBlocks, paragraphs } from "./docs.js";
import { PlanError } from "./errors.js";
import { useOptions } from "./gen-server.js";
import { lifecycleModule, processHooks, stateVsn } from "./process.js";
import { render } from "./render.js";
import { telemetryModule } from "./telemetry.js";
import type { PlannedFile } from "./types.js";

type ProducerSpec = Extract<Service["spec"], { kind: "producer" }>;
type ConsumerSpec = Extract<Service["spec"], { kind: "consumer" }>;
export type Overflow = ProducerSpec["overflow"];

/**
 * The generated tests push a few times the buffer and demand through private instances. Declared values up to these
 * limits are used as they are; larger ones are scaled down (same policy, same protocol) so each test stays fast.
 */
export const TEST_BUFFER_LIMIT = 1000;
export const TEST_DEMAND_LIMIT = 100;

/** What a full buffer does, per `overflow`: the state counter it bumps, `push/2`'s reply, and how docs say it. */
interface OverflowPolicy {
  /** State field, `stats/1` key and telemetry event name counting the events lost to the policy. */
  lost: "dropped" | "rejected";
  /** `push/2`'s reply when the buffer is full. */
  reply: string;
  /** What happens, for the moduledoc: "the oldest buffered event is dropped to make room for the new one". */
  effect: string;
  /** The end of push/2's @doc: "or `{:ok, :dropped}` when ...". */
  pushDoc: string;
}

const POLICIES: Record<Overflow, OverflowPolicy> = {
  drop_oldest: {
    lost: "dropped",
    reply: "{:ok, :dropped}",
    effect: "the oldest buffered event is dropped to make room for the new one: `push/2` returns `{:ok, :dropped}`",
    pushDoc: "or `{:ok, :dropped}` when the buffer was full and its oldest event was dropped to make room.",
  },
  drop_newest: {
    lost: "dropped",
    reply: "{:ok, :dropped}",
    effect: "the new event is dropped and the buffer kept as it is: `push/2` returns `{:ok, :dropped}`",
    pushDoc: "or `{:ok, :dropped}` when the buffer was full and `event` was dropped.",
  },
  reject: {
    lost: "rejected",
    reply: "{:error, :full}",
    effect: "the new event is refused: `push/2` returns `{:error, :full}` and the caller may push it again later",
    pushDoc: "or `{:error, :full}` when the buffer is full: `event` was not taken; push it again later.",
  },
};

function overflowPolicy(overflow: Overflow): OverflowPolicy {
  return POLICIES[overflow];
}

function producerSpec(service: Service): ProducerSpec {
  if (service.spec.kind !== "producer") throw new PlanError(`service \`${service.id}\` is not a producer`);
  return service.spec;
}

function consumerSpec(service: Service): ConsumerSpec {
  if (service.spec.kind !== "consumer") throw new PlanError(`service \`${service.id}\` is not a consumer`);
  return service.spec;
}

/** The producers a consumer subscribes to, in `subscribe_to` order (validation guarantees they are producers). */
function producersOf(ctx: PlanContext, consumer: Service): Service[] {
  return consumerSpec(consumer).subscribeTo.map((id) => {
    const producer = ctx.services.get(id);
    if (!producer || producer.spec.kind !== "producer") {
      throw new PlanError(`\`subscribe_to\` of service \`${consumer.id}\` names \`${id}\`, which is not a producer`);
    }
    return producer;
  });
}

/** Consumers that subscribe to `producer`, in manifest order. */
function consumersOf(ctx: PlanContext, producer: Service): Service[] {
  return ctx.manifest.services.filter((s) => s.spec.kind === "consumer" && s.spec.subscribeTo.includes(producer.id));
}

/** The buffer the generated tests use, and the comment that says where it comes from. */
export function testBuffer(bufferSize: number): { size: number; comment: string } {
  if (bufferSize <= TEST_BUFFER_LIMIT) return { size: bufferSize, comment: `The declared buffer (\`buffer_size = ${integer(bufferSize)}\`).` };
  return {
    size: TEST_BUFFER_LIMIT,
    comment: `Smaller than the declared ${integer(bufferSize)} to keep the tests fast; same overflow policy.`,
  };
}

/** The demand the generated tests use: the declared one, or one scaled down to `TEST_DEMAND_LIMIT`. */
export function testDemand(maxDemand: number, minDemand: number): { max: number; min: number; comment: string } {
  if (maxDemand <= TEST_DEMAND_LIMIT) {
    return { max: maxDemand, min: minDemand, comment: `The declared demand (\`max_demand = ${maxDemand}\`, \`min_demand = ${minDemand}\`).` };
  }
  // Scaled, min stays below max: min < max implies floor(min * L / max) < L.
  const min = Math.floor((minDemand * TEST_DEMAND_LIMIT) / maxDemand);
  return { max: TEST_DEMAND_LIMIT, min, comment: `Smaller than the declared ${integer(maxDemand)}/${integer(minDemand)} to keep the test fast.` };
}

/**
 * The name a test aliases a module to (`Producer`, `Consumer`), so its lines have the same length whatever the module
 * is called; changed when a module the test names starts with it (an app called `Producer`), which the alias would
 * otherwise capture (`Producer.Events` would expand to `Producer.Events.Events`).
 */
function aliasName(base: string, referenced: string[]): string {
  const firstSegments = new Set(referenced.map((m) => m.split(".")[0]));
  let name = base;
  for (let i = 2; firstSegments.has(name); i++) name = `${base}${i}`;
  return name;
}

/** `alias Shop.Events, as: Producer`, broken as `mix format` breaks it when too long. */
function aliasLine(module: string, as: string): string {
  if (module.slice(module.lastIndexOf(".") + 1) === as) return `  alias ${module}`;
  const line = `alias ${module}, as: ${as}`;
  return fits(2, line) ? `  ${line}` : statement(`  alias ${module},\n    as: ${as}`);
}

/** `@doc """ ... """` for a function, from generated prose. */
function docAttribute(...texts: string[]): string {
  return `  @doc ${heredoc(paragraphs(...texts), 2)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// producer

function producerFields(lost: OverflowPolicy["lost"]): { key: string; value: string; type: string; name: string }[] {
  return [
    { name: "buffer", value: ":queue.new()", type: ":queue.queue(term())" },
    { name: "buffered", value: "0", type: "non_neg_integer()" },
    { name: "buffer_size", value: "@buffer_size", type: "pos_integer()" },
    { name: "consumers", value: "%{}", type: "%{optional(pid()) => subscription()}" },
    { name: lost, value: "0", type: "non_neg_integer()" },
  ].map((f) => ({ ...f, key: `${f.name}:` }));
}

function producerDoc(ctx: PlanContext, service: Service, spec: ProducerSpec): string {
  const policy = overflowPolicy(spec.overflow);
  const what = `The \`${service.id}\` service: a producer registered as ${code(service.module)}, buffering at most ${integer(spec.bufferSize)} events.`;
  const flow =
    "Events pushed with `push/2` go to subscribers only as fast as they ask for them (backpressure without GenStage): a slow consumer makes the buffer fill up, never its own mailbox grow.";
  const telemetry = service.telemetry
    ? `, \`stats/1\` counts it, and ${code(lifecycleModule(ctx))} emits a \`${atom(policy.lost)}\` telemetry event`
    : ", and `stats/1` counts it";
  const overflow = `When the buffer is full (\`overflow = "${spec.overflow}"\`), ${policy.effect}${telemetry}.`;
  const protocol =
    "Subscribers (the generated consumers, or any process) call `subscribe/2` with a demand and `ask/2` for more; events arrive as `{:events, producer, events}` messages, oldest first, and a subscriber that exits is forgotten. Delivery is at most once: events sent to a consumer that crashes before handling them are lost.";
  const consumers = consumersOf(ctx, service).map((c) => code(c.module));
  const consumedBy = consumers.length > 0 && `Consumed by ${sentenceList(consumers)} (\`subscribe_to\`).`;
  return joinBlocks(
    service.doc ?? paragraphs(what),
    service.doc ? undefined : dependencySentences(ctx, service),
    paragraphs(flow, overflow, protocol, consumedBy),
  );
}

export function planProducer(ctx: PlanContext, service: Service, node: TreeNode): PlannedFile[] {
  const spec = producerSpec(service);
  const policy = overflowPolicy(spec.overflow);
  const fields = producerFields(policy.lost);
  const hooks = processHooks(ctx, service, fields);
  const overflow = atom(spec.overflow);
  const view = {
    module: service.module,
    moduledoc: producerDoc(ctx, service, spec),
    useLine: `  use GenServer${useOptions(node.restart, node.shutdown)}`,
    vsn: hooks.vsn,
    bufferSize: integer(spec.bufferSize),
    overflow,
    defstruct: defstruct(2, fields),
    typeT: structType(2, fields),
    lost: policy.lost,
    startLinkDoc: docAttribute(
      "Starts the producer, registered under its module name.",
      `Options: \`:name\` (another name, or \`nil\` for none, e.g. a private instance in a test) and \`:buffer_size\` (default ${integer(spec.bufferSize)}).`,
    ),
    pushDoc: docAttribute(`Pushes \`event\` to the subscribers, through the buffer. Returns \`:ok\`, ${policy.pushDoc}`),
    pushReturns: `:ok | ${policy.reply}`,
    initLines: hooks.initLines,
    exitClauses: hooks.exitClauses,
    terminate: hooks.terminate,
    codeChange: hooks.codeChange,
    dropOldest: spec.overflow === "drop_oldest",
    dropNewest: spec.overflow === "drop_newest",
    reject: spec.overflow === "reject",
    lostEvent: hooks.event(policy.lost, "%{count: 1}", "%{overflow: @overflow}") ?? false,
  };

  const buffer = testBuffer(spec.bufferSize);
  const telemetry = telemetryModule(ctx);
  const builtinTelemetry = !telemetry.startsWith(":");
  const subject = aliasName("Producer", [service.module, telemetry]);
  const testView = {
    testModule: `${service.module}Test`,
    subject,
    alias: aliasLine(service.module, subject),
    // The shim is always `<App>.Telemetry`; its alias cannot capture the producer's module, aliased first.
    telemetryAlias: service.telemetry && builtinTelemetry ? `  alias ${telemetry}` : false,
    telemetryModule: builtinTelemetry ? "Telemetry" : telemetry,
    telemetry: service.telemetry,
    bufferComment: buffer.comment,
    testBufferSize: integer(buffer.size),
    lost: policy.lost,
    lostEventName: list(2, `@${policy.lost} `, [atom(ctx.app.name), atom(service.id), atom(policy.lost)]),
    attach: `    :ok = ${builtinTelemetry ? "Telemetry" : telemetry}.attach(handler_id, @${policy.lost}, &__MODULE__.forward/4, self())`,
    declaredAssertion: `    assert %{buffer_size: ${integer(spec.bufferSize)}, overflow: ${overflow}} = ${subject}.stats()`,
    telemetryReceive: `      assert_receive {@${policy.lost}, %{count: 1}, %{pid: ^producer, overflow: ${overflow}}}`,
    overflowTitle: overflowTitle(spec.overflow),
    overflowReply: policy.reply,
    overflowComment:
      spec.overflow === "drop_oldest"
        ? "The newest @buffer_size events, in order: the three oldest made room."
        : spec.overflow === "drop_newest"
          ? "The first @buffer_size events, in order: the three newest were dropped."
          : "The first @buffer_size events, in order: the three others were refused.",
    expectedEvents: spec.overflow === "drop_oldest" ? "Enum.to_list(4..(@buffer_size + 3))" : "Enum.to_list(1..@buffer_size)",
    vsnValue: stateVsn(fields),
  };
  return [
    owned(modulePath(service.module), render("producer.ex", view)),
    owned(testPath(service.module), render("producer_test.exs", testView)),
  ];
}

function overflowTitle(overflow: Overflow): string {
  switch (overflow) {
    case "drop_oldest":
      return "drop_oldest: a full buffer keeps the newest events, in order";
    case "drop_newest":
      return "drop_newest: a full buffer drops each new event";
    case "reject":
      return "reject: a full buffer refuses new events until there is room";
  }
}

// ---------------------------------------------------------------------------------------------------------------
// consumer

const CONSUMER_FIELDS = [
  { name: "subscriptions", value: "%{}", type: "%{optional(pid()) => subscription()}" },
  { name: "handler", value: "nil", type: "([term()] -> term()) | nil" },
  { name: "max_demand", value: "@max_demand", type: "pos_integer()" },
  { name: "min_demand", value: "@min_demand", type: "non_neg_integer()" },
].map((f) => ({ ...f, key: `${f.name}:` }));

function consumerDoc(ctx: PlanContext, service: Service, spec: ConsumerSpec, producers: Service[]): string {
  const modules = sentenceList(producers.map((p) => code(p.module)));
  const what = `The \`${service.id}\` service: a consumer registered as ${code(service.module)}, subscribed to ${modules} (\`subscribe_to\`): it starts after ${producers.length === 1 ? "it" : "them"} and is restarted whenever ${producers.length === 1 ? "it restarts" : "one of them restarts"}.`;
  const flow = `It asks each producer for \`max_demand\` (${integer(spec.maxDemand)}) events at start, hands each batch to \`handle_events/2\` (a placeholder to fill in), and asks for more once the events still owed drop to \`min_demand\` (${integer(spec.minDemand)}): its mailbox never holds more than ${integer(spec.maxDemand)} events per producer, however fast events are pushed. When it is slow, events wait in the producers' bounded buffers instead.`;
  const down =
    "When a producer goes down, its subscription is dropped; the supervision tree restarts this consumer along with it, and the new instance subscribes again.";
  return joinBlocks(service.doc ?? paragraphs(what), service.doc ? undefined : dependencySentences(ctx, service), paragraphs(flow, down));
}

export function planConsumer(ctx: PlanContext, service: Service, node: TreeNode): PlannedFile[] {
  const spec = consumerSpec(service);
  const producers = producersOf(ctx, service);
  const first = producers[0];
  if (!first) throw new PlanError(`consumer \`${service.id}\` subscribes to no producer`);
  const hooks = processHooks(ctx, service, CONSUMER_FIELDS);
  const view = {
    module: service.module,
    moduledoc: consumerDoc(ctx, service, spec, producers),
    useLine: `  use GenServer${useOptions(node.restart, node.shutdown)}`,
    vsn: hooks.vsn,
    producers: list(2, "@producers ", producers.map((p) => p.module)),
    maxDemand: integer(spec.maxDemand),
    minDemand: integer(spec.minDemand),
    defstruct: defstruct(2, CONSUMER_FIELDS),
    typeT: structType(2, CONSUMER_FIELDS),
    startLinkDoc: docAttribute(
      "Starts the consumer, registered under its module name, and subscribes it to its producers.",
      `Options: \`:name\` (another name, or \`nil\` for none, e.g. a private instance in a test), \`:subscribe_to\` (producers to use instead of the declared ones), \`:max_demand\` (default ${integer(spec.maxDemand)}), \`:min_demand\` (default ${integer(spec.minDemand)}) and \`:handler\`, a function called with each batch instead of \`handle_events/2\` (tests use it to observe or slow down the consumer).`,
    ),
    initLines: hooks.initLines,
    exitClauses: hooks.exitClauses,
    terminate: hooks.terminate,
    codeChange: hooks.codeChange,
  };

  // The flow tests run against private instances of the first producer, with its declared overflow policy.
  const firstSpec = producerSpec(first);
  const policy = overflowPolicy(firstSpec.overflow);
  const buffer = testBuffer(firstSpec.bufferSize);
  const demand = testDemand(spec.maxDemand, spec.minDemand);
  const referenced = [service.module, ...producers.map((p) => p.module)];
  const consumerName = aliasName("Consumer", referenced);
  const producerName = aliasName("Producer", [...referenced, consumerName]);
  const testView = {
    testModule: `${service.module}Test`,
    consumer: consumerName,
    producer: producerName,
    consumerAlias: aliasLine(service.module, consumerName),
    producerAlias: aliasLine(first.module, producerName),
    producers: list(2, "@producers ", producers.map((p) => p.module)),
    bufferComment: buffer.comment,
    testBufferSize: integer(buffer.size),
    demandComment: demand.comment,
    testMaxDemand: integer(demand.max),
    testMinDemand: integer(demand.min),
    declaredDemand: `{${integer(spec.maxDemand)}, ${integer(spec.minDemand)}}`,
    overflowReply: policy.reply,
    lost: policy.lost,
    dropOldest: firstSpec.overflow === "drop_oldest",
    vsnValue: stateVsn(CONSUMER_FIELDS),
  };
  return [
    owned(modulePath(service.module), render("consumer.ex", view)),
    owned(testPath(service.module), render("consumer_test.exs", testView)),
  ];
}
