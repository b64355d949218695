import type { TreeNode } from "../analysis/tree.js";
import type { Service } from "../manifest/model.js";
import { atom, elixirString, integer } from "../elixir/escape.js";
import { assertBinary, bind, call, fits, list, statement } from "../elixir/layout.js";
import { modulePath, testPath } from "../elixir/naming.js";
import { code, owned, type PlanContext } from "./context.js";
import { dependencySentences, joinBlocks, paragraphs } from "./docs.js";
import { PlanError } from "./errors.js";
import { childSpecValues } from "./gen-statem.js";
import { processHooks, stateVsn } from "./process.js";
import { render } from "./render.js";
import { telemetryModule } from "./telemetry.js";
import type { PlannedFile } from "./types.js";

type BreakerSpec = Extract<Service["spec"], { kind: "circuit_breaker" }>;

/** The fields of the breaker's data (its `defstruct`), which `@vsn` follows. */
const DATA_SHAPE = [
  { name: "failure_threshold", type: "pos_integer()" },
  { name: "reset_timeout_ms", type: "pos_integer()" },
  { name: "half_open_max_calls", type: "pos_integer()" },
  { name: "failures", type: "non_neg_integer()" },
  { name: "generation", type: "non_neg_integer()" },
  { name: "probes", type: "%{reference() => pid()}" },
];

/**
 * Bounds on the settings the generated tests use (each failure and each probe is a step of a test): a manifest
 * asking for more is tested with these, the manifest's own values being checked as the defaults.
 */
const TEST_MAX_THRESHOLD = 100;
const TEST_MAX_PROBES = 20;

function moduledoc(ctx: PlanContext, service: Service, spec: BreakerSpec): string {
  const protectedService = ctx.services.get(spec.protects);
  const target = protectedService ? `${code(protectedService.module)} (the \`${spec.protects}\` service)` : `the \`${spec.protects}\` service`;
  const what = `The \`${service.id}\` service: a circuit breaker (a \`:gen_statem\` registered as ${code(service.module)}) guarding calls to ${target}. Wrap each call to it: \`${service.module}.call(fn -> ... end)\`.`;
  const states = `It starts \`:closed\`: calls go through and consecutive failures are counted. After ${spec.failureThreshold} in a row (\`failure_threshold\`) it opens: calls fail fast with \`{:error, :circuit_open}\`, without running. After ${spec.resetTimeoutMs} ms (\`reset_timeout_ms\`) it is \`:half_open\`: up to ${spec.halfOpenMaxCalls} probe call${spec.halfOpenMaxCalls === 1 ? "" : "s"} at a time (\`half_open_max_calls\`) go through; the first probe to succeed closes it, the first to fail (or whose caller dies) opens it again. \`reset/1\` closes it at once.`;
  const design =
    "The function runs in the caller, never in the breaker, so a slow dependency cannot block the breaker or other callers; the breaker only grants permission and counts outcomes. `start_link/1` options override the settings (tests use short timeouts).";
  const telemetry =
    service.telemetry &&
    `Every state change emits \`[${atom(ctx.app.name)}, ${atom(service.id)}, :transition]\` (\`from\` and \`to\` in the metadata); opening also emits \`:trip\` (measurement \`failures\`, metadata \`from\`).`;
  return joinBlocks(service.doc ?? paragraphs(what), service.doc ? undefined : dependencySentences(ctx, service), paragraphs(states, design, telemetry));
}

/**
 * The test's short name for the module, `Breaker`, so that its lines have a fixed length whatever the module's name;
 * `Circuit` when the app's root namespace is `Breaker` (the test also names `<Root>.Telemetry`).
 */
function breakerAlias(ctx: PlanContext, module: string): { line: string; name: string } {
  const name = ctx.app.module.split(".")[0] === "Breaker" ? "Circuit" : "Breaker";
  if (module === name) return { line: "", name };
  if (module.endsWith(`.${name}`)) return { line: `  alias ${module}`, name };
  const line = `  alias ${module}, as: ${name}`;
  return { line: fits(0, line) ? line : `  alias ${module},\n    as: ${name}`, name };
}

export function planCircuitBreaker(ctx: PlanContext, service: Service, node: TreeNode): PlannedFile[] {
  const spec = service.spec;
  if (spec.kind !== "circuit_breaker") throw new Error(`not a circuit_breaker: ${service.id}`);
  if (spec.protects === service.id) throw new PlanError(`service \`${service.id}\` cannot protect itself`);
  const hooks = processHooks(ctx, service, DATA_SHAPE);
  const transitionEvent = hooks.event("transition", "%{system_time: System.system_time()}", "%{from: old, to: new}");
  const tripEvent = hooks.event("trip", "%{failures: data.failures}", "%{from: old}");
  const view = {
    module: service.module,
    moduledoc: moduledoc(ctx, service, spec),
    vsn: hooks.vsn,
    failureThreshold: integer(spec.failureThreshold),
    resetTimeoutMs: integer(spec.resetTimeoutMs),
    halfOpenMaxCalls: integer(spec.halfOpenMaxCalls),
    ...childSpecValues(service, node),
    initLines: hooks.initLines,
    transitionEvent: transitionEvent ?? null,
    tripEvent: tripEvent ?? null,
    oldParam: tripEvent ? "old" : "_old",
    terminate: hooks.statemTerminate,
    codeChange: hooks.statemCodeChange,
  };
  const files = [owned(modulePath(service.module), render("circuit_breaker.ex", view))];

  const alias = breakerAlias(ctx, service.module);
  const subject = alias.name;
  const telemetry = telemetryModule(ctx);
  const eventName = (name: string, variable: string): string =>
    statement(list(4, `${variable} = `, [atom(ctx.app.name), atom(service.id), atom(name)]));
  const testView = {
    testModule: `${service.module}Test`,
    aliasLine: alias.line,
    subject,
    failureThreshold: view.failureThreshold,
    resetTimeoutMs: view.resetTimeoutMs,
    halfOpenMaxCalls: view.halfOpenMaxCalls,
    capped: spec.failureThreshold > TEST_MAX_THRESHOLD || spec.halfOpenMaxCalls > TEST_MAX_PROBES,
    testThreshold: integer(Math.min(spec.failureThreshold, TEST_MAX_THRESHOLD)),
    testMaxProbes: integer(Math.min(spec.halfOpenMaxCalls, TEST_MAX_PROBES)),
    registered: true,
    telemetry: service.telemetry && {
      transition: eventName("transition", "transition"),
      trip: eventName("trip", "trip"),
      attach: statement(bind(4, ":ok", { call: `${telemetry}.attach_many`, args: ["handler", "[transition, trip]", "forward", "nil"] })),
      detach: call(6, `${telemetry}.detach`, ["handler"]),
    },
    vsnAssertion: statement(assertBinary(4, `${subject}.__info__(:attributes)[:vsn]`, "==", `[${elixirString(stateVsn(DATA_SHAPE))}]`)),
  };
  files.push(owned(testPath(service.module), render("circuit_breaker_test.exs", testView)));
  return files;
}
