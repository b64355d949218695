import type { TreeNode } from "../analysis/tree.js";
import { OTP_DEFAULT } from "../analysis/intensity.js";
import { atom, integer } from "../elixir/escape.js";
import { bind, statement, tuple } from "../elixir/layout.js";
import { chaosTaskModule } from "../manifest/support-modules.js";
import { underscore } from "../elixir/naming.js";
import { code, isSupervisorNode, owned, type PlanContext, processChildren } from "./context.js";
import { paragraphs } from "./docs.js";
import { render } from "./render.js";
import type { PlannedFile } from "./types.js";

/**
 * `mix <app>.chaos`: a Mix task in every generated project that starts the application and kills random supervised
 * processes at a given rate, waits for each to come back, and reports restarts per supervisor, escalations and
 * recovery times (docs/chaos.md).
 *
 * The task knows the tree statically (emitted here: every process the generated code starts, and every supervisor
 * with its intensity) and finds pids at runtime by walking `Supervisor.which_children/1` from the root into exactly
 * those supervisors. What otpiser does not generate (a Registry's partitions, a Task.Supervisor's tasks, an external
 * child's insides, a dynamic supervisor's instances) is killed, if at all, only as a whole.
 */

/** One process the generated code starts at boot, as the task's `processes/0` lists it. */
export interface ChaosProcess {
  /**
   * Elixir term naming it in the task: the tree node's id as an atom; `{owner_id, name}` for a process inside a service
   * (`:registry`, `:workers`, `{:worker, i}`, `:heir`, `:owner`: short, so that the list stays laid out as `mix format` does).
   */
  key: string;
  /** The parent's key; `nil` for the root. */
  parent: string;
  /** Its child id in its parent, as Elixir code. */
  childId: string;
  /** False for steps and temporary services (and their pool workers): OTP does not restart them, so they are never killed. */
  restarted: boolean;
  /** The tree node's id, for processes of the tree (not the insides of a pool or an ETS owner). */
  nodeId?: string;
}

/** A supervisor the task walks into, with the intensity it was generated with. */
export interface ChaosSupervisor {
  key: string;
  label: string;
  strategy: string;
  maxRestarts: number;
  maxSeconds: number;
}

export interface ChaosModel {
  supervisors: ChaosSupervisor[];
  processes: ChaosProcess[];
  /** `child_id(...)` bindings for externals, whose ids are only known at runtime: [variable, child spec]. */
  externalIds: [string, string][];
}

/** The task's module and the name `mix` knows it by: `Mix.Tasks.Market.Chaos`, `market.chaos`. */
export function chaosTask(ctx: PlanContext): { module: string; name: string } {
  const module = chaosTaskModule(ctx.app.name);
  // Mix.Task.task_name/1: the segments after Mix.Tasks, underscored, joined by dots.
  return { module, name: underscore(module.slice("Mix.Tasks.".length)).replace("/", ".") };
}

const intensityOf = (node: TreeNode): { maxRestarts: number; maxSeconds: number } => ({
  maxRestarts: node.maxRestarts ?? OTP_DEFAULT.maxRestarts,
  maxSeconds: node.maxSeconds ?? OTP_DEFAULT.maxSeconds,
});

/** The static tree of the task: every process started at boot, parents first, and every supervisor walked into. */
export function chaosModel(ctx: PlanContext): ChaosModel {
  const root = ctx.topology.root;
  const supervisors: ChaosSupervisor[] = [
    { key: "nil", label: ctx.app.supervisor, strategy: root.strategy ?? "one_for_one", ...intensityOf(root) },
  ];
  const processes: ChaosProcess[] = [];
  const externalIds: [string, string][] = [];

  const inner = (owner: TreeNode, name: string, parent: string, childId: string, restarted: boolean): string => {
    const key = `{${atom(owner.id)}, ${name}}`;
    processes.push({ key, parent, childId, restarted });
    return key;
  };

  const visit = (node: TreeNode, parent: string): void => {
    const key = atom(node.id);
    const service = ctx.services.get(node.id);
    let childId = node.module;
    if (service?.spec.kind === "external" && node.kind === "external") {
      childId = `${service.id}_id`;
      externalIds.push([childId, service.spec.childSpec]);
    }
    const restarted = node.restart !== "temporary" && node.kind !== "step";
    processes.push({ key, parent, childId, restarted, nodeId: node.id });

    if (isSupervisorNode(node)) {
      supervisors.push({ key, label: node.module, strategy: node.strategy ?? "one_for_one", ...intensityOf(node) });
      for (const child of processChildren(node)) visit(child, key);
    } else if (service?.spec.kind === "pool") {
      // pool.ts: with a registry of its own, rest_for_one over it and a one_for_one `:workers` supervisor.
      const worker = ctx.services.get(service.spec.worker);
      const workersRestarted = worker?.restart !== "temporary";
      const ownRegistry = service.spec.registry === undefined;
      supervisors.push({ key, label: node.module, strategy: ownRegistry ? "rest_for_one" : "one_for_one", ...intensityOf(node) });
      let workersParent = key;
      if (ownRegistry) {
        inner(node, ":registry", key, `${node.module}.Registry`, true);
        workersParent = inner(node, ":workers", key, ":workers", true);
        supervisors.push({ key: workersParent, label: `${node.module} :workers`, strategy: "one_for_one", ...intensityOf(node) });
      }
      for (let slot = 1; slot <= service.spec.size; slot++) {
        inner(node, `{:worker, ${slot}}`, workersParent, `{:worker, ${slot}}`, workersRestarted);
      }
    } else if (service?.spec.kind === "ets_owner") {
      // ets-owner.ts: a rest_for_one Supervisor (OTP's default intensity) over the heir, then the owner.
      supervisors.push({ key, label: node.module, strategy: "rest_for_one", ...OTP_DEFAULT });
      inner(node, ":heir", key, `${node.module}.Heir`, true);
      inner(node, ":owner", key, `${node.module}.Owner`, true);
    }
  };
  processChildren(root).forEach((child) => visit(child, "nil"));
  return { supervisors, processes, externalIds };
}

export interface RateBound {
  /** Kills per second (spread over every target) above which `supervisor` is expected to give up. */
  rate: number;
  supervisor: string;
  /** Targets directly under it, and in all. */
  k: number;
  n: number;
}

/**
 * The rate bound of a run over the whole tree, as the task computes it: a supervisor with `k` of the `n` targets
 * directly under it sees `rate · k / n` kills per second and gives up when that exceeds `max_restarts` per
 * `max_seconds`; the bound is the lowest such rate. Undefined when nothing can be killed.
 */
export function rateBound(model: ChaosModel): RateBound | undefined {
  const targets = model.processes.filter((p) => p.restarted);
  const n = targets.length;
  let best: RateBound | undefined;
  for (const sup of model.supervisors) {
    const k = targets.filter((p) => p.parent === sup.key).length;
    if (k === 0) continue;
    const rate = (sup.maxRestarts * n) / (k * sup.maxSeconds);
    if (best === undefined || rate < best.rate) best = { rate, supervisor: sup.label, k, n };
  }
  return best;
}

/** `{key, parent, child id, restarted?}` / `{key, strategy, max_restarts, max_seconds}` lines of a list at 4 spaces. */
function listLines(tuples: string[][]): string {
  return ["    [", ...tuples.map((t, i) => tuple(6, t, i < tuples.length - 1 ? "," : "")), "    ]"].join("\n");
}

const round2 = (x: number): string => String(Math.round(x * 100) / 100);

function moduledoc(ctx: PlanContext, name: string, bound: RateBound | undefined): string {
  const app = atom(ctx.app.name);
  return paragraphs(
    `Chaos testing of the ${code(app)} supervision tree: \`mix ${name}\`, with the options \`--duration S\`, \`--rate R\`, \`--seed N\`, \`--only ID\`, \`--json\` and \`--verbose\`.`,
    `Starts the application, then for \`--duration\` seconds (default 10) kills a random supervised process at random times, \`--rate\` kills per second on average (default 1: a Poisson process, drawn from \`--seed\` so that a run can be repeated). Workers are killed with \`Process.exit(pid, :kill)\`; supervisors (groups, computed sub-supervisors, registries, task and dynamic supervisors, pools, ETS owners) are stopped with an abnormal reason, which takes their whole subtree down. Never the root, nor a step or temporary service (OTP does not restart them), nor a process the application starts beside the tree (the HTTP endpoint, the cluster watcher). \`--only ID\` kills only processes below the tree node \`ID\`.`,
    "After each kill the run waits until the process is back under its supervisor with a new pid (at most 5 s) and records how long that took. At the end it checks that every process of the tree is running again and that the application is still up, and prints one row per supervisor: strategy, intensity, kills of its children, the restarts and give-ups (escalations) OTP reported, and the kill rate above which it is expected to give up. It exits with status 1 when a process did not come back or the application stopped. `--json` prints the report as JSON; `--verbose` keeps the application's logs, silenced during the run otherwise.",
    bound &&
      `For this tree the rate bound is ${round2(bound.rate)} kills/s: ${code(bound.supervisor)} has ${bound.k} of the ${bound.n} targets under it, so above that rate it sees more than its max_restarts in max_seconds on average and gives up.`,
  );
}

/** The task (lib/mix/tasks/<app>.chaos.ex) and the ExUnit test of its pure parts. */
export function planChaos(ctx: PlanContext): PlannedFile[] {
  const task = chaosTask(ctx);
  const model = chaosModel(ctx);
  const bound = rateBound(model);
  const bindings = model.externalIds.map(([variable, spec]) => statement(bind(4, variable, { call: "child_id", args: [spec] })));
  const processes = listLines(model.processes.map((p) => [p.key, p.parent, p.childId, String(p.restarted)]));
  const supervisors = listLines(model.supervisors.map((s) => [s.key, atom(s.strategy), integer(s.maxRestarts), integer(s.maxSeconds)]));
  const path = `lib/mix/tasks/${task.name}.ex`;
  return [
    owned(
      path,
      render("chaos.ex", {
        module: task.module,
        moduledoc: moduledoc(ctx, task.name, bound),
        appAtom: atom(ctx.app.name),
        root: ctx.app.supervisor,
        supervisors,
        processes: [...bindings, ...(bindings.length > 0 ? [""] : []), processes].join("\n"),
        hasExternals: bindings.length > 0,
      }),
    ),
    owned(
      `test/mix/tasks/${task.name}_test.exs`,
      render("chaos_test.exs", {
        testModule: `${task.module}Test`,
        module: task.module,
        appAtom: atom(ctx.app.name),
        targets: integer(model.processes.filter((p) => p.restarted).length),
      }),
    ),
  ];
}
