import { buildDependencyGraph } from "../analysis/graph.js";
import { restartedIds } from "../analysis/simulate.js";
import type { TreeNode } from "../analysis/tree.js";
import { atom } from "../elixir/escape.js";
import type { Kind } from "../manifest/model.js";
import { renderMermaid } from "../visualise/mermaid.js";
import { buildVisualModel } from "../visualise/model.js";
import { code, owned, registeredName, sentenceList, type PlanContext } from "./context.js";
import { lifecycleModule } from "./process.js";
import { render } from "./render.js";
import type { PlannedFile } from "./types.js";

/**
 * Worker kinds whose process is the service's own generated module, started as a child with the module as its id:
 * what the notebook inspects and crashes by default (gen_servers first).
 */
const WORKER_KINDS: readonly Kind[] = ["gen_server", "gen_statem", "circuit_breaker", "health", "producer", "consumer"];

/** A child of the live tree, found the way the notebook finds it: its supervisor's registered name and its child id. */
interface Located {
  node: TreeNode;
  parent: TreeNode;
  supervisor: string;
  childId: string;
}

/**
 * `notebooks/<app>.livemd`: a Livebook notebook over the running application. It attaches to the project's node
 * (no Hex, so no `Mix.install`), draws the computed tree in Mermaid (the `visualise` renderer), lists the live tree
 * with `Supervisor.which_children/1`, shows a process's `:sys.get_state/1`, and kills a child to watch it restart,
 * listing every process the crash replaced. The default targets are picked from the topology: the first
 * gen_server (or other generated worker) to inspect, and the worker whose crash restarts the most to crash.
 */
export function planLivebook(ctx: PlanContext): PlannedFile[] {
  const graph = buildDependencyGraph(ctx.manifest);
  const mermaid = renderMermaid(buildVisualModel(ctx.manifest, ctx.topology, graph));
  const workers = located(ctx).filter((l) => WORKER_KINDS.includes(l.node.kind as Kind));
  const byKind = (kinds: readonly Kind[]) => workers.filter((l) => kinds.includes(l.node.kind as Kind));
  const supervisors = located(ctx).filter((l) => l.node.type === "supervisor" && ["group", "computed", "supervisor"].includes(l.node.kind));

  const inspected = byKind(["gen_server"])[0] ?? workers[0] ?? supervisors[0];
  const inspect = inspected
    ? { root: false, supervisor: inspected.supervisor, childId: inspected.childId }
    : { root: true, supervisor: ctx.app.supervisor, childId: "" };

  // Crashable: restarted after a kill (not temporary) by a supervisor that allows at least one restart. The worker
  // whose crash restarts the most shows the strategies at work; a supervisor only when there is no such worker.
  const crashable = (list: Located[]) => list.filter((l) => l.node.restart !== "temporary" && (l.parent.maxRestarts ?? 1) >= 1);
  const order = new Map([...ctx.nodes.keys()].map((id, i) => [id, i]));
  let best: { l: Located; restarted: string[] } | undefined;
  for (const l of crashable(workers).length > 0 ? crashable(workers) : crashable(supervisors)) {
    // Steps run again inside a restarted supervisor, but leave no process behind: not listed.
    const restarted = [...restartedIds(ctx.topology.root, l.node.id)]
      .filter((id) => ctx.nodes.get(id)?.kind !== "step")
      .sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
    if (!best || restarted.length > best.restarted.length) best = { l, restarted };
  }
  let crash: Record<string, string> | undefined;
  if (best) {
    const { l, restarted } = best;
    const max = l.parent.maxRestarts ?? 3;
    const seconds = l.parent.maxSeconds ?? 5;
    const grandparent = ctx.parents.get(l.parent.id);
    crash = {
      id: l.node.id,
      supervisor: l.supervisor,
      childId: l.childId,
      strategy: l.parent.strategy ?? "one_for_one",
      intensity: `at most ${max} restart${max === 1 ? "" : "s"} in ${seconds} s`,
      expected: restarted.length === 1 ? "only itself" : sentenceList(restarted.map(code)),
      escalation: grandparent
        ? `gives up and exits, and its own supervisor, ${code(registeredName(ctx, grandparent))}, restarts it with all its children`
        : "gives up: it is the root, so the application stops",
    };
  }

  const view = {
    name: ctx.app.name,
    atomName: atom(ctx.app.name),
    module: ctx.app.module,
    supervisor: ctx.app.supervisor,
    helper: `${ctx.app.module}Notebook`,
    lifecycle: lifecycleModule(ctx),
    generatorVersion: ctx.generatorVersion,
    mermaid,
    inspect,
    crash,
  };
  return [owned(`notebooks/${ctx.app.name}.livemd`, render("livebook.livemd", view))];
}

/** Every process node but the root and templates, in depth-first order, with where the notebook finds it. */
function located(ctx: PlanContext): Located[] {
  const out: Located[] = [];
  for (const node of ctx.nodes.values()) {
    const parent = ctx.parents.get(node.id);
    if (!parent || node.template || node.kind === "step" || node.kind === "external") continue;
    out.push({ node, parent, supervisor: registeredName(ctx, parent), childId: node.module });
  }
  return out;
}
