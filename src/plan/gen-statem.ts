import type { TreeNode } from "../analysis/tree.js";
import type { Service, Transition } from "../manifest/model.js";
import { STATEM_FUNCTIONS } from "../manifest/validate-service.js";
import { GENERATED_FUNCTIONS } from "../manifest/schema.js";
import { atom, elixirString, heredoc, integer, isFunctionName } from "../elixir/escape.js";
import { assertBinary, bind, call, defHead, fits, list, statement, typespec } from "../elixir/layout.js";
import { modulePath, testPath } from "../elixir/naming.js";
import { code, owned, type PlanContext, sentenceList } from "./context.js";
import { dependencySentences, joinBlocks, paragraphs } from "./docs.js";
import { PlanError } from "./errors.js";
import type { TemplateInfo } from "./gen-server.js";
import { processHooks, stateVsn } from "./process.js";
import { render } from "./render.js";
import { telemetryModule } from "./telemetry.js";
import type { PlannedFile } from "./types.js";

type StatemSpec = Extract<Service["spec"], { kind: "gen_statem" }>;

// ---------------------------------------------------------------------------------------------------------------
// The machine as a graph

/** Event names in order of first appearance among the transitions: one client function each. */
export function eventsOf(spec: StatemSpec): string[] {
  return [...new Set(spec.transitions.map((t) => t.event))];
}

/**
 * For every state, a shortest list of transitions leading to it from the initial state (breadth first, transitions
 * tried in manifest order, so the result is stable). The initial state maps to `[]`.
 */
export function shortestPaths(spec: StatemSpec): Map<string, Transition[]> {
  const paths = new Map<string, Transition[]>([[spec.initial, []]]);
  const queue = [spec.initial];
  for (let state = queue.shift(); state !== undefined; state = queue.shift()) {
    const path = paths.get(state)!;
    for (const t of spec.transitions) {
      if (t.from !== state || paths.has(t.to)) continue;
      paths.set(t.to, [...path, t]);
      queue.push(t.to);
    }
  }
  return paths;
}

/** For every state (in declaration order), the events it does not declare a transition for. */
export function undeclaredEvents(spec: StatemSpec): { state: string; events: string[] }[] {
  const events = eventsOf(spec);
  return spec.states.map((state) => ({
    state,
    events: events.filter((e) => !spec.transitions.some((t) => t.from === state && t.event === e)),
  }));
}

/**
 * A guard behind the validator (E018/E025, with locations): reaching it means validation let something through.
 * State functions and client functions must not collide with what the module defines itself.
 */
function checkMachine(service: Service, spec: StatemSpec): void {
  const fail = (why: string): never => {
    throw new PlanError(`service \`${service.id}\`: ${why}`);
  };
  if (spec.states.length === 0 || !spec.states.includes(spec.initial)) fail("the state machine has no valid initial state");
  for (const state of spec.states) {
    if (!isFunctionName(state) || state.startsWith("_") || GENERATED_FUNCTIONS.has(state) || ["callback_mode", "start_link"].includes(state)) {
      fail(`state \`${state}\` cannot be a state function name`);
    }
  }
  for (const event of eventsOf(spec)) {
    if (!isFunctionName(event) || event.startsWith("_") || STATEM_FUNCTIONS.has(event)) fail(`event \`${event}\` cannot be a client function name`);
  }
  const seen = new Set<string>();
  for (const t of spec.transitions) {
    if (!spec.states.includes(t.from) || !spec.states.includes(t.to)) fail(`transition ${t.from} → ${t.to} names an unknown state`);
    const key = `${t.from}/${t.event}`;
    if (seen.has(key)) fail(`two transitions from \`${t.from}\` on \`${t.event}\``);
    seen.add(key);
  }
  const paths = shortestPaths(spec);
  for (const state of spec.states) if (!paths.has(state)) fail(`state \`${state}\` cannot be reached from \`${spec.initial}\``);
}

// ---------------------------------------------------------------------------------------------------------------
// Pieces shared with the circuit breaker (also a `:gen_statem`)

/** The `child_spec/1` map's values for a node (or a template, whose own settings apply). */
export function childSpecValues(service: Service, node: TreeNode | undefined): { restart: string; shutdown: string } {
  const restart = node?.restart ?? service.restart;
  const shutdown = node?.shutdown ?? service.shutdownMs;
  return { restart: atom(restart), shutdown: shutdown === "infinity" ? ":infinity" : integer(shutdown) };
}

/** `  @doc "…"` when it fits on one line, else a heredoc of the wrapped text. */
export function docAttribute(text: string): string {
  const oneLine = `@doc ${elixirString(text)}`;
  return fits(2, oneLine) ? `  ${oneLine}` : `  @doc ${heredoc(paragraphs(text), 2)}`;
}

/** Modules a generated test uses by their short name, besides the app's own: a test alias must not shadow them. */
const TEST_MODULES = new Set(["Process", "ExUnit", "Supervisor", "Task", "Keyword", "System", "Enum", "List", "Map"]);

/**
 * `Shop.Gateway` → `Gateway`, the alias its test uses, unless that alias would shadow a module the test names
 * (the app's root namespace included: `Shop.Telemetry` must still mean the app's telemetry module).
 */
export function testAlias(ctx: PlanContext, module: string): string | undefined {
  const last = module.slice(module.lastIndexOf(".") + 1);
  const root = ctx.app.module.split(".")[0];
  return module.includes(".") && !TEST_MODULES.has(last) && last !== root ? last : undefined;
}

/** `test "title" do` must fit: the first candidate title that does. */
export function testTitle(candidates: string[]): string {
  return candidates.find((t) => fits(2, `test ${elixirString(t)} do`)) ?? candidates[candidates.length - 1]!;
}

// ---------------------------------------------------------------------------------------------------------------
// gen_statem

function moduledoc(ctx: PlanContext, service: Service, spec: StatemSpec, template: TemplateInfo | undefined): string {
  const what = template
    ? `A \`:gen_statem\` started on demand by ${code(`${template.supervisor}.start_child/1`)} (not at boot). Instances are unnamed unless \`opts\` has a \`:name\`.`
    : `The \`${service.id}\` service: a \`:gen_statem\` registered as ${code(service.module)}.`;
  const states = `States: ${sentenceList(spec.states.map((s) => `\`${atom(s)}\`${s === spec.initial ? " (initial)" : ""}`))}; callback mode \`${atom(spec.callbackMode)}\`.`;
  const transitions =
    spec.transitions.length === 0
      ? "It declares no transitions."
      : ["Transitions:", "", ...spec.transitions.map((t) => `  * \`${atom(t.from)}\` → \`${atom(t.to)}\` on \`${atom(t.event)}\``)].join("\n");
  const api =
    "Each event has a client function that replies `{:ok, new_state}`, or `{:error, {:invalid_event, state, event}}` when the current state declares no transition for it (the state then stays as it is). `state/1` returns the current state. Other messages are logged and dropped; a linked process exiting with a reason other than `:normal` stops it.";
  const telemetry =
    service.telemetry &&
    `Every transition emits \`[${atom(ctx.app.name)}, ${atom(service.id)}, :transition]\` with \`from\`, \`to\` and \`event\` in its metadata.`;
  const data = "The machine's data is a `%__MODULE__{}` struct: the place for what it carries from state to state.";
  return joinBlocks(
    service.doc ?? paragraphs(what),
    service.doc ? undefined : dependencySentences(ctx, service),
    paragraphs(states),
    transitions,
    paragraphs(api, telemetry, data),
  );
}

/** The `@spec` return of an event's client function: the states it can lead to, or any state when too long. */
function eventReturn(spec: StatemSpec, event: string): string {
  const targets = [...new Set(spec.transitions.filter((t) => t.event === event).map((t) => atom(t.to)))];
  const precise = `{:ok, ${targets.join(" | ")}}`;
  return fits(10, `${precise} |`) ? `${precise} | rejection()` : "{:ok, state()} | rejection()";
}

/** The clauses of one state function (state_functions mode): its transitions, then everything else. */
function stateFunction(spec: StatemSpec, state: string): { docLine: string; spec: string; clauses: string[] } {
  const own = spec.transitions.filter((t) => t.from === state);
  const moves = own.map((t) => `\`${atom(t.event)}\` → \`${atom(t.to)}\``);
  const docText =
    own.length === 0
      ? `State \`${atom(state)}\`: no transitions; every event is rejected.`
      : `State \`${atom(state)}\`: ${moves.join(", ")}; any other event is rejected.`;
  const clauses = own.map((t) =>
    [
      defHead(2, "def", state, ["{:call, caller}", atom(t.event), "data"]),
      call(4, "transition", ["caller", atom(state), atom(t.event), atom(t.to), "data"]),
      "  end",
    ].join("\n"),
  );
  clauses.push(
    [
      defHead(2, "def", state, ["event_type", "content", "data"]),
      call(4, "handle_common", ["event_type", "content", atom(state), "data"]),
      "  end",
    ].join("\n"),
  );
  return {
    docLine: docAttribute(docText),
    spec: typespec(2, "spec", state, [":gen_statem.event_type()", "term()", "data()"], "result()"),
    clauses,
  };
}

/** The `handle_event/4` clauses of the transitions (handle_event_function mode). */
function transitionClauses(spec: StatemSpec): string[] {
  return spec.transitions.map((t) =>
    [
      defHead(2, "def", "handle_event", ["{:call, caller}", atom(t.event), atom(t.from), "data"]),
      call(4, "transition", ["caller", atom(t.from), atom(t.event), atom(t.to), "data"]),
      "  end",
    ].join("\n"),
  );
}

/** The module (and its test) for a `gen_statem` service, in the tree (`node`) or as a dynamic supervisor's template. */
export function planGenStatem(ctx: PlanContext, service: Service, node: TreeNode | undefined, template?: TemplateInfo): PlannedFile[] {
  const spec = service.spec;
  if (spec.kind !== "gen_statem") throw new Error(`not a gen_statem: ${service.id}`);
  checkMachine(service, spec);
  const isTemplate = template !== undefined;
  const stateFunctions = spec.callbackMode === "state_functions";
  const extras = template?.extraArguments.map((_, i) => `extra_${i + 1}`) ?? [];
  // @vsn follows the machine's shape: it changes exactly when states or transitions do.
  const shape = [
    ...spec.states.map((s) => ({ name: s, type: "state" })),
    ...spec.transitions.map((t) => ({ name: `${t.from}/${t.event}`, type: t.to })),
  ];
  const hooks = processHooks(ctx, service, shape);
  const serverArg = isTemplate ? "server" : "server \\\\ __MODULE__";
  const initArg = extras.length === 0 ? "opts" : `{${[...extras, "opts"].join(", ")}}`;
  const transitionEvent = hooks.event(
    "transition",
    "%{system_time: System.system_time()}",
    "%{from: state, to: next, event: event}",
  );

  const view = {
    module: service.module,
    moduledoc: moduledoc(ctx, service, spec, template),
    vsn: hooks.vsn,
    stateType: typespec(2, "type", "state", undefined, spec.states.map(atom).join(" | ")),
    stateFunctions,
    childSpecDoc: docAttribute(
      isTemplate
        ? `The child spec ${code(template.supervisor)} starts instances with: \`opts\` go to \`start_link\`, after the supervisor's extra arguments.`
        : "The child spec a supervisor starts it with: `opts` go to `start_link/1`.",
    ),
    ...childSpecValues(service, node),
    startLinkDoc: docAttribute(
      isTemplate
        ? `Starts an instance, unregistered unless \`opts\` has a \`:name\` (an atom, \`{:global, term}\` or \`{:via, module, term}\`).${extras.length > 0 ? ` ${sentenceList(extras.map(code))} ${extras.length === 1 ? "is" : "are"} the supervisor's \`extra_arguments\`.` : ""}`
        : "Starts the state machine, registered under its module name; `name: nil` in `opts` leaves it unregistered, and `name:` another atom, `{:global, term}` or `{:via, module, term}` registers it so.",
    ),
    startLinkSpec: typespec(2, "spec", "start_link", [...extras.map(() => "term()"), "keyword()"], ":gen_statem.start_ret()"),
    startLinkHead: defHead(2, "def", "start_link", [...extras, "opts \\\\ []"]),
    nameLookup: isTemplate ? "Keyword.get(opts, :name)" : "Keyword.get(opts, :name, __MODULE__)",
    initArgBinding: extras.length === 0 ? null : `    init_arg = ${initArg}`,
    initArgName: extras.length === 0 ? "opts" : "init_arg",
    stateHead: defHead(2, "def", "state", [serverArg]),
    events: eventsOf(spec).map((event) => ({
      docLine: docAttribute(
        `Fires \`${atom(event)}\`: replies \`{:ok, new_state}\`, or \`{:error, {:invalid_event, state, ${atom(event)}}}\` in a state without a transition on it.`,
      ),
      spec: typespec(2, "spec", event, [":gen_statem.server_ref()"], eventReturn(spec, event)),
      head: defHead(2, "def", event, [serverArg]),
      body: call(4, ":gen_statem.call", ["server", atom(event)]),
    })),
    callbackMode: atom(spec.callbackMode),
    initHead: defHead(2, "def", "init", [extras.length === 0 ? "_opts" : `{${[...extras.map((e) => `_${e}`), "_opts"].join(", ")}}`]),
    initLines: hooks.initLines,
    initial: atom(spec.initial),
    states: stateFunctions ? spec.states.map((s) => stateFunction(spec, s)) : [],
    transitions: stateFunctions ? [] : transitionClauses(spec),
    common: stateFunctions ? "  defp handle_common" : "  def handle_event",
    hasTransitions: spec.transitions.length > 0,
    transitionHead: transitionEvent
      ? "  defp transition(caller, state, event, next, data) do"
      : "  defp transition(caller, _state, _event, next, data) do",
    transitionEvent: transitionEvent ?? null,
    terminate: hooks.statemTerminate,
    codeChange: hooks.statemCodeChange,
  };
  const files = [owned(modulePath(service.module), render("gen_statem.ex", view))];
  files.push(owned(testPath(service.module), render("gen_statem_test.exs", testView(ctx, service, spec, template, stateVsn(shape)))));
  return files;
}

// ---------------------------------------------------------------------------------------------------------------
// The generated test

function testView(ctx: PlanContext, service: Service, spec: StatemSpec, template: TemplateInfo | undefined, vsn: string) {
  const alias = testAlias(ctx, service.module);
  const subject = alias ?? service.module;
  const paths = shortestPaths(spec);
  const fire = (event: string): { call: string; args: string[] } => ({ call: `${subject}.${event}`, args: ["machine"] });
  const stateIs = (state: string): string => statement(assertBinary(4, { call: `${subject}.state`, args: ["machine"] }, "==", atom(state)));
  const step = (t: Transition): string => statement(assertBinary(4, fire(t.event), "==", `{:ok, ${atom(t.to)}}`));
  const start = "    machine = start_machine()";

  const transitions = spec.transitions.map((t, i) => ({
    title: testTitle([`${t.from} --${t.event}--> ${t.to}`, `transition ${i + 1}: ${t.event} from ${t.from}`, `transition ${i + 1}`]),
    body: [start, ...paths.get(t.from)!.map(step), step(t), stateIs(t.to)].join("\n"),
  }));
  const rejections = undeclaredEvents(spec)
    .filter((r) => r.events.length > 0)
    .map((r) => ({
      title: testTitle([`in ${r.state}, undeclared events are rejected`, `in state ${spec.states.indexOf(r.state) + 1}, undeclared events are rejected`]),
      body: [
        start,
        ...paths.get(r.state)!.map(step),
        ...r.events.flatMap((e) => [
          statement(assertBinary(4, fire(e), "==", { call: "rejected", args: [atom(r.state), atom(e)] })),
          stateIs(r.state),
        ]),
      ].join("\n"),
    }));

  const first = spec.transitions.find((t) => t.from === spec.initial);
  const telemetry = service.telemetry && first !== undefined && {
    event: statement(list(4, "event = ", [atom(ctx.app.name), atom(service.id), ":transition"])),
    attach: statement(bind(4, ":ok", { call: `${telemetryModule(ctx)}.attach`, args: ["handler", "event", "forward", "nil"] })),
    detach: call(6, `${telemetryModule(ctx)}.detach`, ["handler"]),
    fire: step(first),
    received: receivedTransition(first),
  };
  return {
    testModule: `${service.module}Test`,
    alias: alias ? `  alias ${service.module}` : null,
    startMachine: startFunction(subject, template?.extraArguments ?? []),
    registered: template === undefined && {
      assertion: statement(assertBinary(4, `${subject}.state()`, "==", atom(spec.initial))),
    },
    initialAssertion: stateIs(spec.initial),
    transitions,
    rejections,
    telemetry,
    subject,
    initial: atom(spec.initial),
    vsnAssertion: statement(assertBinary(4, `${subject}.__info__(:attributes)[:vsn]`, "==", `[${elixirString(vsn)}]`)),
    codeChange: [
      statement(bind(4, "state", atom(spec.initial))),
      statement(bind(4, "data", `%${subject}{}`)),
      statement(assertBinary(4, { call: `${subject}.code_change`, args: ['"older"', "state", "data", "[]"] }, "==", "{:ok, state, data}")),
    ].join("\n"),
  };
}

/** `assert_receive` of the transition event `t` of the test's machine, its metadata matched apart when too long. */
function receivedTransition(t: Transition): string {
  const entries = ["pid: ^machine", `from: ${atom(t.from)}`, `to: ${atom(t.to)}`, `event: ${atom(t.event)}`];
  const oneLine = `    assert_receive {^event, _measurements, %{${entries.join(", ")}}}`;
  if (fits(0, oneLine)) return oneLine;
  const pattern = fits(4, `assert %{${entries.join(", ")}} = metadata`)
    ? [`    assert %{${entries.join(", ")}} = metadata`]
    : ["    assert %{", ...entries.map((e, i) => `             ${e}${i < entries.length - 1 ? "," : ""}`), "           } = metadata"];
  return ["    assert_receive {^event, _measurements, metadata}", statement(pattern.join("\n"))].join("\n");
}

/**
 * The test's private instance: `start_supervised!` under the test's supervisor, temporary so that a test that stops
 * it on purpose is not followed by a restart. A template gets its supervisor's extra arguments first, as there.
 */
function startFunction(subject: string, extraArguments: string[]): string {
  if (extraArguments.length > 0) {
    return [
      "  defp start_machine do",
      statement(list(4, "args = ", [...extraArguments, "[name: nil]"])),
      statement(bind(4, "start", `{${subject}, :start_link, args}`)),
      statement(call(4, "start_supervised!", [`%{id: ${subject}, start: start, restart: :temporary}`])),
      "  end",
    ].join("\n");
  }
  const spec = `Supervisor.child_spec({${subject}, name: nil}, restart: :temporary)`;
  const oneLine = `  defp start_machine, do: start_supervised!(${spec})`;
  if (fits(0, oneLine)) return oneLine;
  const bound = bind(4, "spec", { call: "Supervisor.child_spec", args: [`{${subject}, name: nil}`, "restart: :temporary"] });
  return ["  defp start_machine do", statement(bound), "    start_supervised!(spec)", "  end"].join("\n");
}
