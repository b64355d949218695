import { restartedIds } from "../analysis/simulate.js";
import type { TreeNode } from "../analysis/tree.js";
import type { Service } from "../manifest/model.js";
import { atom, elixirString, integer, keywordKey } from "../elixir/escape.js";
import { supportModule } from "../manifest/support-modules.js";
import { bind, call, entry, fits, list, statement, verticalList } from "../elixir/layout.js";
import { modulePath, testPath } from "../elixir/naming.js";
import { code, isSupervisorNode, owned, type PlanContext, processChildren, registeredName, servicesIn } from "./context.js";
import { joinBlocks, paragraphs, supervisionParagraphs } from "./docs.js";
import { externalChild } from "./kinds.js";
import { lifecycleModule } from "./process.js";
import { render } from "./render.js";
import type { PlannedFile, ProjectNeeds } from "./types.js";

/** The entry for `node` in its parent's `children` list. */
export function childEntry(ctx: PlanContext, node: TreeNode): string {
  const service = ctx.services.get(node.id);
  const { spec, overrides } =
    service?.spec.kind === "external" && node.kind === "external" ? externalChild(service, node) : { spec: node.module, overrides: [] as string[] };
  // A supervisor service with an explicit shutdown_ms (see analysis/shutdown.ts): its module's own spec says :infinity.
  if (node.type === "supervisor" && typeof node.shutdown === "number" && service?.spec.kind !== "external") {
    overrides.push(`shutdown: ${integer(node.shutdown)}`);
  }
  // Elixir 1.14's child_spec overrides do not know `significant` yet: it is set on the spec map.
  if (node.significant) return `${spec} |> Supervisor.child_spec(${overrides.join(", ") || "[]"}) |> Map.put(:significant, true)`;
  return overrides.length === 0 ? spec : `Supervisor.child_spec(${spec}, ${overrides.join(", ")})`;
}

/**
 * The end of a supervisor's `init/1`: `Supervisor.init(children, flags)`, plus `auto_shutdown` (which
 * Elixir 1.14's `Supervisor.init/2` does not pass on) put into the flags it returns.
 */
function supervisorInit(node: TreeNode): string {
  if (node.autoShutdown !== "any_significant") {
    return statement(call(4, "Supervisor.init", ["children", ...flags(node)], { keywordsFrom: 1 }));
  }
  return [
    statement(list(4, "opts = ", flags(node))),
    "    {:ok, {flags, children}} = Supervisor.init(children, opts)",
    "    {:ok, {Map.put(flags, :auto_shutdown, :any_significant), children}}",
  ].join("\n");
}

/** `strategy: ..., max_restarts: ..., max_seconds: ...` for a supervisor node. */
function flags(node: TreeNode): string[] {
  const out = [`strategy: ${atom(node.strategy ?? "one_for_one")}`];
  if (node.maxRestarts !== undefined) out.push(`max_restarts: ${integer(node.maxRestarts)}`);
  if (node.maxSeconds !== undefined) out.push(`max_seconds: ${integer(node.maxSeconds)}`);
  return out;
}

export function planApplication(ctx: PlanContext, needs: ProjectNeeds): PlannedFile {
  const root = ctx.topology.root;
  const description = ctx.manifest.app.description;
  const view = {
    module: ctx.app.application,
    moduledoc: joinBlocks(
      description,
      paragraphs(`The ${code(atom(ctx.app.name))} application: starts the supervision tree under ${code(ctx.app.supervisor)}.`),
      supervisionParagraphs(ctx, root),
    ),
    setup: needs.startSetup,
    children: statement(
      verticalList(4, "children = ", [
        ...needs.firstRootChildren,
        ...processChildren(root).map((c) => childEntry(ctx, c)),
        ...needs.lastRootChildren,
      ]),
    ),
    opts: statement(list(4, "opts = ", [...flags(root), `name: ${ctx.app.supervisor}`])),
  };
  return owned(modulePath(ctx.app.application), render("application.ex", view));
}

/** A `use Supervisor` module for a service of kind supervisor, a `[groups]` entry or a computed sub-supervisor. */
export function planSupervisor(ctx: PlanContext, node: TreeNode): PlannedFile {
  const service = node.origin === "service" ? ctx.services.get(node.id) : undefined;
  const group = node.origin === "group" ? ctx.groups.get(node.id) : undefined;
  const what =
    node.origin === "group"
      ? `The \`${node.id}\` group${group?.fate === "shared" ? " (`fate = \"shared\"`: its members live and die together)" : ""}.`
      : node.origin === "computed"
        ? "A sub-supervisor introduced by otpiser to give this part of the tree its own restart strategy."
        : `The \`${node.id}\` supervisor.`;
  const restart = node.restart === "permanent" ? "" : `, restart: ${atom(node.restart)}`;
  const view = {
    module: node.module,
    moduledoc: joinBlocks(service?.doc ?? group?.doc ?? paragraphs(what), supervisionParagraphs(ctx, node)),
    useLine: `  use Supervisor${restart}`,
    // Supervisors report their (re)starts too, so restarts of whole subtrees show in telemetry and /metrics.
    started:
      (service?.telemetry ?? true) &&
      statement(bind(4, ":ok", { call: `${lifecycleModule(ctx)}.started`, args: [atom(node.id), "__MODULE__"] })),
    children: statement(verticalList(4, "children = ", processChildren(node).map((c) => childEntry(ctx, c)))),
    init: supervisorInit(node),
  };
  return owned(modulePath(node.module), render("supervisor.ex", view));
}

// ---------------------------------------------------------------------------------------------------------------
// supervision tests

/** A child whose pid a kill test can observe: not a step (it returns `:ignore`), not temporary. */
function killable(node: TreeNode): boolean {
  return node.restart !== "temporary" && node.kind !== "step";
}

/** For each id, the services that list it in `depends_on`. */
function directDependents(services: Service[]): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const s of services) {
    for (const d of s.dependsOn) {
      const list = index.get(d);
      if (list === undefined) index.set(d, [s.id]);
      else list.push(s.id);
    }
  }
  return index;
}

/** Service ids that (transitively) `depends_on` any of `ids`, excluding `ids` themselves. */
function transitiveDependents(dependents: Map<string, string[]>, ids: Set<string>): Set<string> {
  const out = new Set<string>();
  const queue = [...ids];
  while (queue.length > 0) {
    for (const d of dependents.get(queue.pop()!) ?? []) {
      if (ids.has(d) || out.has(d)) continue;
      out.add(d);
      queue.push(d);
    }
  }
  return out;
}

/** "crashing db_pool restarts exactly db_pool, cache", shortened when the `test "..." do` line would pass 98 columns. */
function testTitle(id: string, others: string[]): string {
  const candidates = [
    others.length === 0 ? `crashing ${id} restarts only ${id}` : `crashing ${id} restarts exactly ${id}, ${others.join(", ")}`,
    `crashing ${id} restarts it and ${others.length} other node${others.length === 1 ? "" : "s"}`,
  ];
  return candidates.find((t) => fits(2, `test ${elixirString(t)} do`)) ?? `crashing ${id}`;
}

/**
 * Crash tests per supervisor. Each one restarts the whole application and lists what the crash restarts, so for very
 * wide supervisors an exhaustive suite grows with children × tree size (51 MB of tests, hours of `mix test`, at 10 000
 * services in a chain). Beyond this many children the tests sample evenly, always including the first and the last
 * child (the two ends of a rest_for_one chain), and the test module says so.
 */
export const MAX_KILL_TESTS_PER_SUPERVISOR = 30;

/** `max` items spread evenly over `items`, first and last included, in their order. */
export function sampleEvenly<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  if (max <= 1) return items.slice(0, Math.max(0, max));
  const picked = new Set<number>();
  for (let i = 0; i < max; i++) picked.add(Math.round((i * (items.length - 1)) / (max - 1)));
  return [...picked].sort((a, b) => a - b).map((i) => items[i]!);
}

interface KillTest {
  title: string;
  restartedLine: string;
  id: string;
  expected: string;
  dependents: string | false;
}

/** `dependentsOf`: directDependents of the manifest, built once for every supervisor's tests. */
interface KillTests {
  tests: KillTest[];
  /** How many children could be crash-tested; more than `tests.length` when sampled. */
  candidates: number;
}

function killTests(ctx: PlanContext, parent: TreeNode, dependentsOf: Map<string, string[]>): KillTests {
  if (parent.maxRestarts === 0) return { tests: [], candidates: 0 }; // a single crash escalates: nothing to observe at this level
  const candidates = processChildren(parent).filter(killable);
  const tests: KillTest[] = [];
  for (const child of sampleEvenly(candidates, MAX_KILL_TESTS_PER_SUPERVISOR)) {
    const restarted = [...restartedIds(ctx.topology.root, child.id)].filter((id) => {
      const n = ctx.nodes.get(id);
      return n !== undefined && n.kind !== "step";
    });
    restarted.sort();
    const restartedSet = new Set(restarted);
    const crashed = new Set(servicesIn(ctx, child).map((s) => s.id));
    const dependents = [...transitiveDependents(dependentsOf, crashed)].filter((id) => {
      const n = ctx.nodes.get(id);
      // Only what the tree must restart: services in it, not temporary (OTP drops those instead).
      return n !== undefined && killable(n) && restartedSet.has(id);
    });
    dependents.sort();
    const others = restarted.filter((id) => id !== child.id);
    tests.push({
      title: testTitle(child.id, others),
      id: child.id,
      expected: statement(list(4, "expected = ", restarted.map(atom))),
      restartedLine: statement(bind(4, "restarted", { call: "restarted_after_crash", args: [atom(child.id)] })),
      dependents: dependents.length > 0 && statement(list(4, "dependents = ", dependents.map(atom))),
    });
  }
  return { tests, candidates: candidates.length };
}

/** The SupervisionCase helper and one test module per supervisor node (the application root included). */
export function planSupervisionTests(ctx: PlanContext): PlannedFile[] {
  const caseModule = supportModule(ctx.app.module, "supervisionCase");
  const files: PlannedFile[] = [];
  const supervisors = [...ctx.nodes.values()].filter(isSupervisorNode);
  const dependentsOf = directDependents(ctx.manifest.services);
  for (const node of supervisors) {
    const { tests, candidates } = killTests(ctx, node, dependentsOf);
    if (tests.length === 0) continue;
    const module = node === ctx.topology.root ? ctx.app.application : node.module;
    const sampled =
      tests.length < candidates && `  # ${tests.length} of its ${candidates} children are crash-tested, evenly spread: each test restarts the app.`;
    files.push(owned(testPath(module), render("supervisor_test.exs", { testModule: `${module}Test`, caseModule, tests, sampled })));
  }
  if (files.length === 0) return files;

  let hasExternals = false;
  const entries: string[] = [];
  const ids = [...ctx.parents.keys()];
  ids.forEach((id, i) => {
    const node = ctx.nodes.get(id)!;
    const service = ctx.services.get(id);
    let childId = node.module;
    if (service?.spec.kind === "external" && node.kind === "external") {
      childId = `child_id(${service.spec.childSpec})`;
      hasExternals = true;
    }
    const location = { tuple: [registeredName(ctx, ctx.parents.get(id)!), childId] };
    entries.push(entry(6, keywordKey(id), location, i < ids.length - 1 ? "," : ""));
  });
  const locations = ["    %{", ...entries, "    }"].join("\n");
  files.unshift(
    owned(
      "test/support/supervision_case.ex",
      render("supervision_case.ex", {
        module: caseModule,
        moduledoc: paragraphs(
          "Helpers for the generated supervision tests.",
          `Each test starts from a freshly started ${code(atom(ctx.app.name))} application (so restarts counted by earlier tests cannot add up to the intensity limit), crashes one child, waits until its supervisor has started a new one, and compares the pid of every node of the tree before and after.`,
          "Workers are killed with `Process.exit(pid, :kill)`. Supervisors are stopped with an abnormal reason instead, which shuts their children down in order first, as happens when a supervisor gives up after too many restarts: killing one outright would leave its children still shutting down (and holding their registered names) while the replacement starts.",
        ),
        appAtom: atom(ctx.app.name),
        locations,
        hasExternals,
      }),
    ),
  );
  return files;
}
