import { atom, integer } from "../elixir/escape.js";
import { supportModule } from "../manifest/support-modules.js";
import { list, tuple } from "../elixir/layout.js";
import { testPath } from "../elixir/naming.js";
import { owned, type PlanContext, registeredName } from "./context.js";
import { LIFECYCLE_KINDS } from "./process.js";
import { render } from "./render.js";
import { telemetryModule } from "./telemetry.js";
import type { PlannedFile } from "./types.js";

/**
 * The graceful-shutdown test of a generated project: stopping the application must run every generated
 * process's `terminate/2` (they trap exits), dependents first, and every child spec must carry the manifest's
 * `shutdown_ms`. Only services that report their lifecycle (generated kinds, `telemetry` on) take part.
 */
export function planShutdownTest(ctx: PlanContext): PlannedFile[] {
  const reporting = ctx.topology.startOrder.filter((id) => {
    const service = ctx.services.get(id);
    return service !== undefined && !service.template && service.telemetry && LIFECYCLE_KINDS.has(service.spec.kind);
  });
  if (reporting.length === 0) return [];
  const shutdowns = reporting.flatMap((id) => {
    const node = ctx.nodes.get(id);
    const parent = ctx.parents.get(id);
    if (!node || !parent || typeof node.shutdown !== "number") return [];
    return [[registeredName(ctx, parent), node.module, integer(node.shutdown)]];
  });
  const shutdownList = ["  @shutdowns [", ...shutdowns.map((t, i) => tuple(4, t, i < shutdowns.length - 1 ? "," : "")), "  ]"];
  const module = `${supportModule(ctx.app.module, "shutdown")}Test`;
  return [
    owned(
      testPath(supportModule(ctx.app.module, "shutdown")),
      render("shutdown_test.exs", {
        testModule: module,
        appAtom: atom(ctx.app.name),
        started: list(2, "@started ", reporting.map(atom)),
        shutdowns: shutdowns.length === 0 ? "  @shutdowns []" : shutdownList.join("\n"),
        telemetry: telemetryModule(ctx),
      }),
    ),
  ];
}
