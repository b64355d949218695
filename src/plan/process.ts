import { createHash } from "node:crypto";
import type { Kind, Service } from "../manifest/model.js";
import { PG_MEMBER_KINDS } from "../manifest/pg-groups.js";
import { supportModule } from "../manifest/support-modules.js";
import { joinsPgGroup, memberScope } from "../manifest/pg-groups.js";
import { atom, elixirString } from "../elixir/escape.js";
import { bind, statement } from "../elixir/layout.js";
import type { PlanContext } from "./context.js";

/**
 * What every long-lived process otpiser generates shares, whatever its behaviour:
 *
 * - **Lifecycle telemetry**: `init` calls `<App>.Lifecycle.started/2` (counts starts; emits `[:app, :service, :start]`
 *   and, from the second start on, `[..., :restart]`; template instances call `instance_started/2`, not counted), `terminate` calls `<App>.Lifecycle.stopped/3` (emits `:stop`,
 *   and `:exception` for an abnormal reason). Kind-specific events (`:transition`, `:trip`, `:probe`, …) go through
 *   `<App>.Lifecycle.event/4`. A service with `telemetry = false` gets none of these calls.
 * - **Graceful shutdown**: the process traps exits so that its supervisor's `:shutdown` runs `terminate`, within the
 *   child spec's `shutdown` (the manifest's `shutdown_ms`). An exit signal from any other linked process still stops
 *   it, as it would without trapping (`{:EXIT, pid, reason}` → `{:stop, reason, state}`; `:normal` is ignored).
 * - **Hot-upgrade convention** (GenServers): `@vsn` is a digest of the state's shape (field names and types), so it
 *   changes exactly when the state changes; `code_change/3` rebuilds the struct from the old state, keeping fields
 *   that still exist, giving new fields their initial values and dropping removed ones. docs/upgrades.md says more.
 */
export interface ProcessHooks {
  /**
   * Statements (4-space indent) that open `init`: trap exits, then the lifecycle start, then, for a service with a
   * `pg_group`, `:pg.join/3` of `self()` in the scope src/manifest/pg-groups.ts names. Laid out for `mix format`.
   */
  initLines: string[];
  /** The `terminate` callback (2-space indent, `@impl true` included) for a GenServer: `terminate(reason, state)`. */
  terminate: string;
  /** The same for a `:gen_statem`: `terminate(reason, state, data)`. */
  statemTerminate: string;
  /**
   * The last `handle_info` clauses (2-space indent, no `@impl`) of a GenServer: a linked process's exit becomes a stop,
   * and any other message is logged and dropped, as `use GenServer`'s default handle_info does.
   */
  exitClauses: string;
  /** `  @vsn "…"` for a GenServer whose state is the struct with `stateShape`. */
  vsn: string;
  /** The `code_change/3` callback (2-space indent, `@impl true` included) for a GenServer holding a `%__MODULE__{}`. */
  codeChange: string;
  /** The `code_change/4` callback for a `:gen_statem`: keeps state and data as they are. */
  statemCodeChange: string;
  /**
   * A statement (at `indent` spaces, laid out as `mix format` would, with blank lines around it when it spans several)
   * emitting `[:app, :service, name]`, or `undefined` when the service has
   * `telemetry = false`. `measurements` and `metadata` are Elixir map expressions built by the caller.
   */
  event(name: string, measurements: string, metadata: string, indent?: number): string | undefined;
}

/**
 * Kinds whose generated process uses these hooks: it traps exits and reports `:start`/`:stop` (when `telemetry` is
 * on). One list with the validator's (a `pg_group` is joined from these hooks too).
 */
export const PROCESS_HOOK_KINDS: ReadonlySet<Kind> = PG_MEMBER_KINDS;

/**
 * The kinds the graceful-shutdown test (shutdown.ts) follows: their `terminate` order and their child spec's
 * `shutdown`. An ets_owner reports from its `Owner` child, which is not the child spec its parent holds.
 */
export const LIFECYCLE_KINDS: ReadonlySet<Kind> = new Set<Kind>([...PROCESS_HOOK_KINDS].filter((k) => k !== "ets_owner"));

/** The module every generated process reports its lifecycle to: `Payments.Lifecycle`. */
export function lifecycleModule(ctx: PlanContext): string {
  return supportModule(ctx.app.module, "lifecycle");
}

/** `@vsn` value: a short digest of the state's field names and types, in order. */
export function stateVsn(stateShape: { name: string; type: string }[]): string {
  const digest = createHash("sha256");
  for (const f of stateShape) digest.update(`${f.name}::${f.type}\n`);
  return digest.digest("hex").slice(0, 12);
}

export function processHooks(ctx: PlanContext, service: Service, stateShape: { name: string; type: string }[] = []): ProcessHooks {
  const lifecycle = lifecycleModule(ctx);
  const id = atom(service.id);
  const telemetry = service.telemetry;
  const initLines = ["    Process.flag(:trap_exit, true)"];
  // An instance of a template (dynamic child, pool worker) starting is not a restart of anything: not counted.
  const started = service.template ? "instance_started" : "started";
  if (telemetry) initLines.push(statement(bind(4, ":ok", { call: `${lifecycle}.${started}`, args: [id, "__MODULE__"] })));
  if (joinsPgGroup(service) && service.pgGroup !== undefined) {
    const join = { call: ":pg.join", args: [atom(memberScope(ctx.manifest)), atom(service.pgGroup), "self()"] };
    initLines.push(statement(bind(4, ":ok", join)));
  }
  const stopLine = telemetry ? bind(4, ":ok", { call: `${lifecycle}.stopped`, args: [id, "__MODULE__", "reason"] }) : undefined;
  const terminateBody = stopLine ?? "    :ok";
  const reasonVar = telemetry ? "reason" : "_reason";
  return {
    initLines,
    terminate: ["  @impl true", `  def terminate(${reasonVar}, _state) do`, terminateBody, "  end"].join("\n"),
    statemTerminate: ["  @impl true", `  def terminate(${reasonVar}, _state, _data) do`, terminateBody, "  end"].join("\n"),
    exitClauses: [
      "  def handle_info({:EXIT, _pid, :normal}, state), do: {:noreply, state}",
      "  def handle_info({:EXIT, _pid, reason}, state), do: {:stop, reason, state}",
      "",
      "  def handle_info(message, state) do",
      '    :logger.warning("~p received an unexpected message: ~p", [__MODULE__, message])',
      "    {:noreply, state}",
      "  end",
    ].join("\n"),
    vsn: `  @vsn ${elixirString(stateVsn(stateShape))}`,
    codeChange: [
      "  @impl true",
      "  def code_change(_old_vsn, state, _extra) do",
      "    {:ok, struct(__MODULE__, Map.delete(state, :__struct__))}",
      "  end",
    ].join("\n"),
    statemCodeChange: [
      "  @impl true",
      "  def code_change(_old_vsn, state, data, _extra) do",
      "    {:ok, state, data}",
      "  end",
    ].join("\n"),
    event(name, measurements, metadata, indent = 4) {
      if (!telemetry) return undefined;
      return statement(bind(indent, ":ok", { call: `${lifecycle}.event`, args: [id, atom(name), measurements, metadata] }));
    },
  };
}
