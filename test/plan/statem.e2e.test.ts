/**
 * gen_statem and circuit_breaker end to end: projects planned, written, and proven with
 * `mix compile --warnings-as-errors`, `mix format --check-formatted` (never running the formatter) and `mix test`.
 *
 * The first project goes through the real parse → validate → analyse pipeline: both callback modes, a template
 * started by a dynamic supervisor with extra arguments, a machine without transitions, telemetry on and off, state
 * and event names that are also names of Kernel functions or of the module's own helpers, a breaker that
 * `depends_on` what it protects (so the supervision tests crash and restart it) and one whose settings the tests
 * must scale down. The second uses names long enough to push every generated line past 98 columns.
 */
import { describe, expect, it } from "vitest";
import type { Transition } from "../../src/manifest/model.js";
import type { Plan } from "../../src/plan/types.js";
import { leaf, manifest, service, span, supervisorNode, topology } from "./fixtures.js";
import { contentOf, countTests, planApp, planToml, proveProject, trackDirs } from "./mix-helpers.js";

trackDirs();

const DOOR = String.raw`
[app]
name = "door"

[services.door]
kind = "gen_statem"
states = ["closed", "open", "locked"]
doc = "The front door. A doc with #{System.halt()} must stay text."

[[services.door.transitions]]
from = "closed"
event = "open"
to = "open"

[[services.door.transitions]]
from = "open"
event = "close"
to = "closed"

[[services.door.transitions]]
from = "closed"
event = "lock"
to = "locked"

[[services.door.transitions]]
from = "locked"
event = "unlock"
to = "closed"

[services.gateway]
kind = "gen_statem"
states = ["idle", "connecting", "online"]
callback_mode = "handle_event_function"
restart = "transient"
shutdown_ms = 2_000

[[services.gateway.transitions]]
from = "idle"
event = "connect"
to = "connecting"

[[services.gateway.transitions]]
from = "connecting"
event = "connected"
to = "online"

[[services.gateway.transitions]]
from = "online"
event = "disconnect"
to = "idle"

[[services.gateway.transitions]]
from = "connecting"
event = "fail"
to = "idle"

# Names that are also Kernel functions or the generated module's own helpers.
[services.odd]
kind = "gen_statem"
states = ["transition", "handle_common", "apply", "state"]
telemetry = false

[[services.odd.transitions]]
from = "transition"
event = "send"
to = "handle_common"

[[services.odd.transitions]]
from = "handle_common"
event = "self"
to = "apply"

[[services.odd.transitions]]
from = "apply"
event = "is_atom"
to = "state"

[[services.odd.transitions]]
from = "state"
event = "if"
to = "transition"

[[services.odd.transitions]]
from = "state"
event = "transition"
to = "state"

[[services.odd.transitions]]
from = "apply"
event = "handle_common"
to = "apply"

[services.quiet]
kind = "gen_statem"
states = ["only"]
callback_mode = "handle_event_function"

[services.job]
kind = "gen_statem"
states = ["queued", "running", "done"]

[[services.job.transitions]]
from = "queued"
event = "start"
to = "running"

[[services.job.transitions]]
from = "running"
event = "finish"
to = "done"

[services.jobs]
kind = "dynamic_supervisor"
child = "job"
extra_arguments = [":pool_a", "[retries: 3]"]

[services.gateway_breaker]
kind = "circuit_breaker"
protects = "gateway"
failure_threshold = 3
reset_timeout_ms = 30_000
half_open_max_calls = 2
depends_on = ["gateway"]

[services.door_breaker]
kind = "circuit_breaker"
protects = "door"
failure_threshold = 1_000_000
reset_timeout_ms = 86_400_000
half_open_max_calls = 1_000_000
telemetry = false
restart = "transient"
shutdown_ms = 10_000
`;

/** Added after the format check: the moduledoc is the manifest's text (the compile would have halted otherwise). */
const DOCS_TEST = `defmodule OtpiserStatemDocsTest do
  use ExUnit.Case, async: true

  test "the moduledoc is the manifest's text, not code" do
    {:docs_v1, _, :elixir, _, %{"en" => doc}, _, _} = Code.fetch_docs(Door.Door)
    assert doc =~ ~S|A doc with #{System.halt()} must stay text.|
  end
end
`;

const tr = (from: string, event: string, to: string): Transition => ({ from, event, to, span });

/** Long module names, states and events; ids and the app's name stay short enough for the files of other kinds. */
function longNamesPlan(): Plan {
  const A = "Payments";
  const waiting = "waiting_for_the_remote_payment_processor_handshake";
  const established = "established_secure_connection_with_remote_processor";
  const draining = "draining_outstanding_requests_before_disconnecting";
  const acknowledged = "remote_processor_acknowledged_the_handshake_request";
  const drain = "begin_draining_outstanding_requests_before_shutdown";
  const drained = "all_outstanding_requests_have_been_drained_completely";
  const states = [waiting, established, draining];
  const transitions = [tr(waiting, acknowledged, established), tr(established, drain, draining), tr(draining, drained, waiting), tr(established, acknowledged, established)];
  const deep = (name: string) => `${A}.Connectivity.RemotePaymentProcessor.${name}`;
  const functions = service(A, "connection_state_machine_with_functions", { kind: "gen_statem", states, initial: waiting, callbackMode: "state_functions", transitions }, {
    module: deep("ConnectionStateMachineWithStateFunctions"),
  });
  const events = service(A, "connection_state_machine_with_events", { kind: "gen_statem", states, initial: waiting, callbackMode: "handle_event_function", transitions }, {
    module: deep("ConnectionStateMachineWithHandleEventFunction"),
  });
  const session = service(A, "session", { kind: "gen_statem", states, initial: waiting, callbackMode: "state_functions", transitions }, {
    module: `${A}.SessionMachine`,
    template: true,
  });
  const sessions = service(A, "sessions", {
    kind: "dynamic_supervisor",
    child: "session",
    extraArguments: [":a_long_extra_argument_for_the_session_template", "[retries: 3]"],
  });
  const breaker = service(
    A,
    "outbound_calls_circuit_breaker",
    { kind: "circuit_breaker", protects: "connection_state_machine_with_functions", failureThreshold: 7, resetTimeoutMs: 86_400_000, halfOpenMaxCalls: 3 },
    { module: deep("OutboundCallsCircuitBreakerWithAVeryLongName") },
  );
  const m = manifest("payments", A, [functions, events, session, sessions, breaker]);
  const root = supervisorNode("payments", `${A}.Application`, "application", "one_for_one", [
    leaf(functions),
    leaf(events),
    leaf(breaker),
    { ...leaf(sessions, "supervisor"), strategy: "one_for_one", children: [{ ...leaf(session), template: true, restart: "temporary" }] },
  ]);
  return planApp({ manifest: m, topology: topology("payments", root) });
}

describe("generated gen_statem and circuit_breaker projects compile, are formatted and pass their tests", () => {
  it.concurrent(
    "both callback modes, a template with extra arguments, telemetry on and off, odd names, two breakers",
    async () => {
      const plan = planToml(DOOR);
      // Per machine: the registered instance (not for a template), a new instance, one per transition, one per
      // state with undeclared events, the :transition event (telemetry on), unexpected messages, a linked exit,
      // @vsn/code_change. Per breaker: 14, and the telemetry test.
      const expected: Record<string, number> = {
        "test/door/door_test.exs": 1 + 1 + 4 + 3 + 1 + 3,
        "test/door/gateway_test.exs": 1 + 1 + 4 + 3 + 1 + 3,
        "test/door/odd_test.exs": 1 + 1 + 6 + 4 + 0 + 3,
        "test/door/quiet_test.exs": 1 + 1 + 0 + 0 + 0 + 3,
        "test/door/job_test.exs": 0 + 1 + 2 + 3 + 1 + 3,
        "test/door/gateway_breaker_test.exs": 15,
        "test/door/door_breaker_test.exs": 14,
      };
      for (const [path, count] of Object.entries(expected)) expect(countTests(contentOf(plan, path)), path).toBe(count);
      expect(Object.values(expected).reduce((a, b) => a + b)).toBe(85);
      // Every generated test ran (none excluded or skipped), and none failed.
      const { test } = await proveProject(plan, "statem", { extraTests: { "test/otpiser_statem_docs_test.exs": DOCS_TEST }, allTests: true });
      expect(test.seconds).toBeLessThan(20);
    },
    240_000,
  );

  it.concurrent(
    "long names everywhere stay formatted",
    async () => {
      const plan = longNamesPlan();
      const breakerTest = contentOf(plan, "test/payments/connectivity/remote_payment_processor/outbound_calls_circuit_breaker_with_a_very_long_name_test.exs");
      expect(breakerTest).toContain(",\n    as: Breaker\n");
      await proveProject(plan, "statem-long", { allTests: true });
    },
    240_000,
  );
});
