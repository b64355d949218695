import type { TreeNode } from "../analysis/tree.js";
import type { CallSpec, CastSpec, Service } from "../manifest/model.js";
import { atom, elixirString, integer, isFunctionName, isIdentifier, keywordKey, literal } from "../elixir/escape.js";
import {
  type Arg,
  assertBinary,
  assertCall,
  call,
  defHead,
  defstruct,
  fits,
  statement,
  structType,
  tuple,
  typespec,
} from "../elixir/layout.js";
import { modulePath, testPath } from "../elixir/naming.js";
import { initialValue, isFloatType, replyPlaceholder } from "../elixir/typespec.js";
import { code, owned, type PlanContext, sentenceList } from "./context.js";
import { dependencySentences, joinBlocks, paragraphs } from "./docs.js";
import { PlanError } from "./errors.js";
import { GENERATED_FUNCTIONS } from "../manifest/schema.js";
import { processHooks, stateVsn } from "./process.js";
import { render } from "./render.js";
import type { PlannedFile } from "./types.js";

type GenServerSpec = Extract<Service["spec"], { kind: "gen_server" }>;

/** Function names a generated GenServer already defines (or that `use GenServer` reserves). */

export const OTP_DEFAULT_SHUTDOWN = 5000;

/** How a dynamic supervisor starts a template: its `extra_arguments` come before the usual `opts`. */
export interface TemplateInfo {
  /** Module of the dynamic supervisor that starts instances. */
  supervisor: string;
  /** `extra_arguments` of that supervisor, as Elixir terms. */
  extraArguments: string[];
  /** What starts instances: a dynamic supervisor on demand, or a pool at boot (`size` workers). */
  owner: "dynamic_supervisor" | "pool";
}

/**
 * A guard behind the validator, which reports all of this with locations (E013/E025): reaching it means validation
 * let something through, so it is an internal error. It uses the validator's own list of generated functions.
 */
function checkNames(service: Service, spec: GenServerSpec): void {
  const seen = new Set<string>();
  const check = (what: string, name: string, args: string[]): void => {
    if (!isFunctionName(name) || GENERATED_FUNCTIONS.has(name) || name.startsWith("_")) {
      throw new PlanError(`service \`${service.id}\`: ${what} \`${name}\` cannot be a client function name`);
    }
    const key = `${name}/${args.length}`;
    if (seen.has(key)) throw new PlanError(`service \`${service.id}\`: two client functions ${key}`);
    seen.add(key);
    const argSeen = new Set<string>();
    for (const arg of args) {
      if (!isIdentifier(arg) || arg.startsWith("_")) {
        throw new PlanError(`service \`${service.id}\`: argument \`${arg}\` of ${what} \`${name}\` is not a plain variable name`);
      }
      if (arg === "server" && service.template) {
        throw new PlanError(`service \`${service.id}\`: argument \`server\` of ${what} \`${name}\` clashes with the server argument`);
      }
      if (argSeen.has(arg)) throw new PlanError(`service \`${service.id}\`: ${what} \`${name}\` repeats argument \`${arg}\``);
      argSeen.add(arg);
    }
  };
  spec.calls.forEach((c) => check("call", c.name, c.args));
  spec.casts.forEach((c) => check("cast", c.name, c.args));
  const infos = new Set<string>();
  for (const info of spec.infos) {
    if (infos.has(info.name)) throw new PlanError(`service \`${service.id}\`: info \`${info.name}\` is declared twice`);
    infos.add(info.name);
  }
}

/** `{:checkout, timeout}` or `:stats` for a message without arguments. */
function message(name: string, args: string[]): Arg {
  return args.length === 0 ? atom(name) : { tuple: [atom(name), ...args] };
}

const flatMessage = (name: string, args: string[]): string => {
  const m = message(name, args);
  return typeof m === "string" ? m : `{${m.tuple.join(", ")}}`;
};

/** "Sends `{:get, key}` to the server and waits for the reply.", shortened to fit a `@doc` line. */
function docLine(name: string, args: string[], how: string): string {
  const full = `Sends \`${flatMessage(name, args)}\` to the server ${how}.`;
  if (fits(2, `@doc ${elixirString(full)}`)) return full;
  const short = `Sends \`${args.length === 0 ? atom(name) : `{${atom(name)}, ...}`}\` to the server ${how}.`;
  return fits(2, `@doc ${elixirString(short)}`) ? short : `Sends a message to the server ${how}.`;
}

/** Options for `use GenServer`, only where they differ from the OTP defaults. */
export function useOptions(restart: string, shutdown: number | "infinity"): string {
  const opts: string[] = [];
  if (restart !== "permanent") opts.push(`restart: ${atom(restart)}`);
  if (shutdown !== OTP_DEFAULT_SHUTDOWN) opts.push(`shutdown: ${shutdown === "infinity" ? ":infinity" : integer(shutdown)}`);
  return opts.length === 0 ? "" : `, ${opts.join(", ")}`;
}

/** Struct fields: `name: initial value`, with the declared type for `@type t`. Odd names are quoted by keywordKey. */
function stateFields(spec: GenServerSpec): { key: string; value: string; type: string }[] {
  return spec.state.map((field) => {
    const value =
      field.default !== undefined ? literal(field.default, { float: isFloatType(field.type) }) : initialValue(field.type);
    return { key: keywordKey(field.name), value, type: field.type };
  });
}

function callView(spec: CallSpec, server: string, template: boolean, fromVar: string) {
  const clientArgs = template ? ["server", ...spec.args] : spec.args;
  const specArgs = [...(template ? ["GenServer.server()"] : []), ...spec.args.map((a) => `${a} :: term()`)];
  const reply = replyPlaceholder(spec.returns);
  const pattern = message(
    spec.name,
    spec.args.map((a) => `_${a}`),
  );
  return {
    docText: docLine(spec.name, spec.args, "and waits for the reply"),
    spec: typespec(2, "spec", spec.name, specArgs, spec.returns),
    head: defHead(2, "def", spec.name, clientArgs),
    body: call(4, "GenServer.call", [server, message(spec.name, spec.args)]),
    clauseHead: defHead(2, "def", "handle_call", [pattern, fromVar, "state"]),
    reply: tuple(4, [":reply", reply.expr, "state"]),
    replyExpr: reply.expr,
    replyPattern: reply.pattern,
    literal: reply.constant && reply.pattern === reply.expr,
    guard: reply.guard,
    fallback: reply.fallback,
  };
}

function castView(spec: CastSpec, server: string, template: boolean) {
  const clientArgs = template ? ["server", ...spec.args] : spec.args;
  const specArgs = [...(template ? ["GenServer.server()"] : []), ...spec.args.map((a) => `${a} :: term()`)];
  return {
    docText: docLine(spec.name, spec.args, "without waiting"),
    spec: typespec(2, "spec", spec.name, specArgs, ":ok"),
    head: defHead(2, "def", spec.name, clientArgs),
    body: call(4, "GenServer.cast", [server, message(spec.name, spec.args)]),
    clauseHead: defHead(2, "def", "handle_cast", [message(spec.name, spec.args.map((a) => `_${a}`)), "state"]),
  };
}

function moduledoc(ctx: PlanContext, service: Service, spec: GenServerSpec, template?: TemplateInfo): string {
  const what = !template
    ? `The \`${service.id}\` service: a GenServer registered as ${code(service.module)}.`
    : template.owner === "pool"
      ? `A worker of the pool ${code(template.supervisor)}, which starts its instances at boot, each named by \`${template.supervisor}.name/1\`; get one with ${code(`${template.supervisor}.worker/1`)} (by key) or ${code(`${template.supervisor}.worker/0`)} (round robin). Instances started elsewhere are unnamed unless \`opts\` has a \`:name\`.`
      : `A GenServer started on demand by ${code(`${template.supervisor}.start_child/1`)} (not at boot). Instances are unnamed unless \`opts\` has a \`:name\`.`;
  const hasCallbacks = spec.calls.length + spec.casts.length + spec.infos.length > 0;
  const fallbacks = spec.calls.filter((c) => replyPlaceholder(c.returns).fallback).map((c) => code(`${c.name}/${c.args.length}`));
  const convention =
    hasCallbacks &&
    `The callbacks are placeholders to fill in: each call replies with the simplest value its \`@spec\` allows (\`:ok\` if it can, else its \`{:error, reason}\`, else a value such as \`nil\`, \`0\` or \`[]\`); casts and messages keep the state as it is.${
      fallbacks.length > 0
        ? ` ${sentenceList(fallbacks)} ${fallbacks.length === 1 ? "replies" : "reply"} \`{:error, :not_implemented}\`: no value of ${fallbacks.length === 1 ? "its return type" : "their return types"} can be written down.`
        : ""
    }`;
  const continueDoc = spec.continue && "`init/1` returns at once; the slow part of start-up belongs in `handle_continue(:init, state)`.";
  return joinBlocks(
    service.doc ?? paragraphs(what),
    service.doc ? undefined : dependencySentences(ctx, service),
    paragraphs(continueDoc, convention),
  );
}

/** The module (and its test) for a `gen_server` service, in the tree (`node`) or as a dynamic supervisor's template. */
export function planGenServer(
  ctx: PlanContext,
  service: Service,
  node: TreeNode | undefined,
  template?: TemplateInfo,
): PlannedFile[] {
  const spec = service.spec;
  if (spec.kind !== "gen_server") throw new Error(`not a gen_server: ${service.id}`);
  checkNames(service, spec);
  const isTemplate = template !== undefined;
  const server = isTemplate ? "server" : "__MODULE__";
  const fromVar = spec.calls.some((c) => c.args.includes("from")) ? "_caller" : "_from";
  const fields = stateFields(spec);
  const restart = node?.restart ?? service.restart;
  const shutdown = node?.shutdown ?? service.shutdownMs;
  const extras = template?.extraArguments.map((_, i) => `extra_${i + 1}`) ?? [];

  const calls = spec.calls.map((c) => callView(c, server, isTemplate, fromVar));
  const casts = spec.casts.map((c) => castView(c, server, isTemplate));
  const infos = spec.infos.map((i) => ({ clauseHead: defHead(2, "def", "handle_info", [atom(i.name), "state"]), message: atom(i.name) }));

  const hooks = processHooks(ctx, service, spec.state);
  const initArg = extras.length === 0 ? "opts" : `{${[...extras, "opts"].join(", ")}}`;
  const view = {
    module: service.module,
    moduledoc: moduledoc(ctx, service, spec, template),
    useLine: `  use GenServer${useOptions(restart, shutdown)}`,
    vsn: hooks.vsn,
    initLines: hooks.initLines,
    exitClauses: hooks.exitClauses,
    terminate: hooks.terminate,
    codeChange: hooks.codeChange,
    defstruct: defstruct(2, fields),
    typeT: structType(2, fields),
    template: isTemplate,
    startLinkSpec: typespec(2, "spec", "start_link", [...extras.map(() => "term()"), "keyword()"], "GenServer.on_start()"),
    startLinkHead: defHead(2, "def", "start_link", [...extras, "opts \\\\ []"]),
    startLinkBody: call(4, "GenServer.start_link", ["__MODULE__", initArg, "Keyword.take(opts, [:name])"]),
    initHead: defHead(2, "def", "init", [extras.length === 0 ? "_opts" : `{${[...extras.map((e) => `_${e}`), "_opts"].join(", ")}}`]),
    initReturn: spec.continue ? "    {:ok, %__MODULE__{}, {:continue, :init}}" : "    {:ok, %__MODULE__{}}",
    continue: spec.continue,
    calls,
    casts,
    infos,
  };
  const files = [owned(modulePath(service.module), render("gen_server.ex", view))];

  const alias = testAlias(service.module);
  const subject = alias ?? service.module;
  const target = isTemplate ? "server" : subject;
  const invocation = (name: string, args: string[]): { call: string; args: string[] } => ({
    call: `${subject}.${name}`,
    args: [...(isTemplate ? ["server"] : []), ...args.map(() => "nil")],
  });
  const arity = (args: string[]): number => args.length + (isTemplate ? 1 : 0);
  const testView = {
    testModule: `${service.module}Test`,
    alias: alias ? `  alias ${service.module}` : null,
    template: isTemplate,
    startChild:
      template === undefined || extras.length === 0
        ? `    %{server: start_supervised!(${subject})}`
        : startSupervisedWithExtras(subject, template.extraArguments),
    stateAssertion: statement(assertBinary(4, `%${subject}{}`, "=", `:sys.get_state(${target})`)),
    aliveAssertion: statement(assertCall(4, "Process.alive?", isTemplate ? "server" : `Process.whereis(${subject})`)),
    calls: spec.calls.map((c, i) => ({
      title: `${c.name}/${arity(c.args)} replies and the server stays alive`,
      assertion: statement(replyAssertion(calls[i]!, invocation(c.name, c.args))),
    })),
    casts: spec.casts.map((c) => ({
      title: `${c.name}/${arity(c.args)} is handled`,
      assertion: statement(assertBinary(4, ":ok", "=", invocation(c.name, c.args))),
    })),
    infos: infos.map((i) => ({ title: `handles ${i.message}`, send: `    send(${target}, ${i.message})` })),
    contextArg: isTemplate ? ", %{server: server}" : "",
    vsnAssertion: statement(assertBinary(4, `${subject}.__info__(:attributes)[:vsn]`, "==", `[${elixirString(stateVsn(spec.state))}]`)),
    subject,
    codeChangeAssertion: statement(
      assertBinary(4, `{:ok, %${subject}{} = state}`, "=", { call: `${subject}.code_change`, args: ['"older"', "older", "[]"] }),
    ),
  };
  files.push(owned(testPath(service.module), render("gen_server_test.exs", testView)));
  return files;
}

/**
 * `assert call() == value` for literal replies (so `false` and `nil` work), `assert is_pid(call())` for a bare
 * non-literal, else a match such as `assert {:ok, _} = call()`.
 */
function replyAssertion(
  view: { replyExpr: string; replyPattern: string; literal: boolean; guard: string | undefined },
  invocation: { call: string; args: string[] },
): string {
  if (view.literal) return assertBinary(4, invocation, "==", view.replyExpr);
  if (view.replyPattern === "_" && view.guard) return assertCall(4, view.guard, `${invocation.call}(${invocation.args.join(", ")})`);
  return assertBinary(4, view.replyPattern, "=", invocation);
}

/** Modules the generated tests use by their short name: a test alias must not shadow them. */
const TEST_MODULES = new Set(["Process", "ExUnit", "GenServer", "Supervisor", "DynamicSupervisor", "Agent", "Task", "Registry", "Keyword"]);

/** `Shop.DbPool` → alias `DbPool` in its test, unless that would shadow a module the test uses. */
function testAlias(module: string): string | undefined {
  const last = module.slice(module.lastIndexOf(".") + 1);
  return module.includes(".") && !TEST_MODULES.has(last) ? last : undefined;
}

/** A template started the way its dynamic supervisor starts it: extra arguments first. */
function startSupervisedWithExtras(module: string, extraArguments: string[]): string {
  return [
    `    start = {${module}, :start_link, [${[...extraArguments, "[]"].join(", ")}]}`,
    `    %{server: start_supervised!(%{id: ${module}, start: start})}`,
  ].join("\n");
}
