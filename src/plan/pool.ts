import type { TreeNode } from "../analysis/tree.js";
import type { Service } from "../manifest/model.js";
import { atom, integer } from "../elixir/escape.js";
import { assertBinary, bind, call, list, statement } from "../elixir/layout.js";
import { modulePath, testPath } from "../elixir/naming.js";
import { code, owned, type PlanContext } from "./context.js";
import { dependencySentences, joinBlocks, paragraphs } from "./docs.js";
import { PlanError } from "./errors.js";
import { testSubject } from "./ets-owner.js";
import { render } from "./render.js";
import type { PlannedFile } from "./types.js";

type PoolSpec = Extract<Service["spec"], { kind: "pool" }>;

/** What a pool is made of, resolved against the manifest. */
interface PoolParts {
  spec: PoolSpec;
  worker: Service;
  /** The registry's registered name: the `registry` service's module, or `<Pool>.Registry` owned by the pool. */
  registry: string;
  ownRegistry: boolean;
}

function poolParts(ctx: PlanContext, service: Service): PoolParts {
  const spec = service.spec;
  if (spec.kind !== "pool") throw new Error(`not a pool: ${service.id}`);
  const worker = ctx.services.get(spec.worker);
  if (!worker || worker.spec.kind !== "gen_server") {
    throw new PlanError(`service \`${service.id}\`: worker \`${spec.worker}\` is not a gen_server service`);
  }
  if (spec.registry === undefined) {
    const registry = `${service.module}.Registry`;
    const clash = ctx.manifest.services.find((s) => s.module === registry);
    if (clash) throw new PlanError(`service \`${clash.id}\`: module \`${registry}\` is the name of pool \`${service.id}\`'s registry`);
    return { spec, worker, registry, ownRegistry: true };
  }
  const registry = ctx.services.get(spec.registry);
  if (!registry || registry.spec.kind !== "registry" || registry.spec.keys !== "unique") {
    throw new PlanError(`service \`${service.id}\`: registry \`${spec.registry}\` is not a registry with unique keys`);
  }
  return { spec, worker, registry: registry.module, ownRegistry: false };
}

/**
 * `restart: :transient` for a permanent worker. A worker is linked to its registry, so when the registry shuts down
 * every worker stops with `:shutdown`: permanent workers would all be restarted at once, fail to register, and use up
 * the pool's restart intensity, racing the restart of the pool that follows the registry's. Transient workers stay
 * down instead until that restart; a crash still restarts a worker.
 */
function workerRestart(worker: Service): string[] {
  return worker.restart === "permanent" ? ["restart: :transient"] : [];
}

/** `strategy: ..., max_restarts: ..., max_seconds: ...` with the node's intensity, when it has one. */
function flags(strategy: string, node: TreeNode): string[] {
  const out = [`strategy: ${strategy}`];
  if (node.maxRestarts !== undefined) out.push(`max_restarts: ${integer(node.maxRestarts)}`);
  if (node.maxSeconds !== undefined) out.push(`max_seconds: ${integer(node.maxSeconds)}`);
  return out;
}

/**
 * A `pool` service: a Supervisor starting `size` instances of the worker template, child ids `{:worker, i}`, each
 * registered in a unique Registry under `{Pool, i}`, with dispatch helpers (`worker/1` by hash, `worker/0` round
 * robin, `workers/0`).
 *
 * With a registry of its own, the pool is `rest_for_one` over that registry and an inner `one_for_one` supervisor of
 * the workers: a registry that restarts has forgotten every name, so the workers must restart (and register) after
 * it, while a worker's crash restarts that worker alone. With the `registry` service, the analysis already restarts
 * the pool when the registry restarts, so the workers sit directly under the pool, `one_for_one`.
 */
export function planPool(ctx: PlanContext, service: Service, node: TreeNode): PlannedFile[] {
  const parts = poolParts(ctx, service);
  const { spec, worker, registry, ownRegistry } = parts;
  const view = {
    module: service.module,
    moduledoc: poolDoc(ctx, service, node, parts),
    useLine: `  use Supervisor${node.restart === "permanent" ? "" : `, restart: ${atom(node.restart)}`}`,
    size: integer(spec.size),
    workerModule: worker.module,
    registry,
    ownRegistry,
    init: ownRegistry
      ? statement(call(4, "Supervisor.init", ["children", ...flags(":rest_for_one", node)], { keywordsFrom: 1 }))
      : statement(call(4, "Supervisor.init", ["workers", ...flags(":one_for_one", node)], { keywordsFrom: 1 })),
    workerFlags: statement(list(4, "flags = ", flags(":one_for_one", node))),
    transient: workerRestart(worker).length > 0,
    workerSpec: call(8, "Supervisor.child_spec", ["{@worker, name: name(slot)}", "id: {:worker, slot}", ...workerRestart(worker)], {
      keywordsFrom: 1,
    }),
  };
  return [
    owned(modulePath(service.module), render("pool.ex", view)),
    owned(testPath(service.module), render("pool_test.exs", testView(ctx, service, node, parts))),
  ];
}

function poolDoc(ctx: PlanContext, service: Service, node: TreeNode, parts: PoolParts): string {
  const { spec, worker, registry, ownRegistry } = parts;
  const workers = spec.size === 1 ? `1 ${code(worker.module)} worker` : `${spec.size} ${code(worker.module)} workers`;
  const where = ownRegistry ? `its own registry ${code(registry)}` : `the registry ${code(registry)}`;
  const what = `The \`${service.id}\` pool: ${workers} (child ids \`{:worker, 1}\` to \`{:worker, ${spec.size}}\`), each registered in ${where} under \`{${service.module}, slot}\` (see \`name/1\`).`;
  const dispatch =
    "Pick one with `worker/1` (the same worker for the same key, by `:erlang.phash2/2`) or `worker/0` (round robin, skipping a worker that is restarting); `workers/0` lists them. Pass the pid to the worker's client functions.";
  const intensity =
    node.maxRestarts !== undefined && node.maxSeconds !== undefined
      ? ` At most ${node.maxRestarts} restart${node.maxRestarts === 1 ? "" : "s"} in ${node.maxSeconds} s, after which the pool gives up and exits.`
      : "";
  const structure = ownRegistry
    ? `Strategy: \`:rest_for_one\` over the registry and a \`:one_for_one\` supervisor of the workers (child id \`:workers\`): a worker's crash restarts it alone, a registry crash restarts every worker, which then registers again.${intensity}`
    : `Strategy: \`:one_for_one\`: a worker's crash restarts it alone. When ${code(registry)} restarts, the pool restarts with it (it is started after it, and depends on it).${intensity}`;
  const transient =
    workerRestart(worker).length > 0 &&
    "A worker restarts when it crashes, not when it stops normally (`:transient`): a registry shutting down stops its workers with `:shutdown`, and they come back when the pool restarts after it.";
  const explanation = ctx.explanations.get(node.id);
  return joinBlocks(
    service.doc ?? paragraphs(what),
    service.doc ? undefined : dependencySentences(ctx, service),
    paragraphs(dispatch, structure, transient, explanation && `Why this intensity: ${explanation.intensity}`),
  );
}

function testView(ctx: PlanContext, service: Service, node: TreeNode, parts: PoolParts) {
  const { subject, alias } = testSubject(ctx, service.module);
  const withinBudget = node.maxRestarts === undefined || node.maxRestarts >= 1;
  // A temporary worker is not restarted; a pool allowed no restart gives up (and is restarted by its parent) instead.
  const killWorker = withinBudget && parts.worker.restart !== "temporary";
  const restartRegistry = withinBudget && parts.ownRegistry;
  const at = (name: string, args: string[] = []) => ({ call: `${subject}.${name}`, args });
  return {
    testModule: `${service.module}Test`,
    alias,
    subject,
    size: integer(parts.spec.size),
    workersLine: statement(bind(4, "workers", `${subject}.workers()`)),
    nameLine: statement(bind(6, "name", at("name", ["slot"]))),
    pidForKey: statement(bind(6, "pid", at("worker", ["key"]))),
    sameKeyAssertion: statement(assertBinary(6, "^pid", "=", at("worker", ["key"]))),
    killWorker,
    oldWorker: statement(bind(4, "old", at("worker", [":otpiser_test"]))),
    dispatchLine: `    dispatch = &${subject}.worker/1`,
    restartRegistry,
    oldWorkers: statement(bind(4, "old", `${subject}.workers()`)),
    registryLookup: statement(bind(4, "registry", { call: "Process.whereis", args: [parts.registry] })),
    restartedWorkers: statement(bind(6, "workers", `${subject}.workers()`)),
    polls: killWorker || restartRegistry,
  };
}

