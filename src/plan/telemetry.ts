import { atom } from "../elixir/escape.js";
import { supportModule } from "../manifest/support-modules.js";
import { modulePath, testPath } from "../elixir/naming.js";
import { code, owned, type PlanContext } from "./context.js";
import { paragraphs } from "./docs.js";
import { lifecycleModule } from "./process.js";
import { render } from "./render.js";
import { emptyNeeds, type PlannedFile, type ProjectNeeds } from "./types.js";

/** The real package's requirement, added to mix.exs by `[features] telemetry = "telemetry"`. */
export const TELEMETRY_DEP = '{:telemetry, "~> 1.2"}';

/** The module generated code calls `execute/3` and `attach/4` on: the generated shim or `:telemetry` itself. */
export function telemetryModule(ctx: PlanContext): string {
  return ctx.manifest.features.telemetry === "telemetry" ? ":telemetry" : supportModule(ctx.app.module, "telemetry");
}

/** `<App>.Lifecycle` (and its test), plus the `:telemetry`-shaped shim unless the real package is asked for. */
export function planTelemetry(ctx: PlanContext): PlannedFile[] {
  const lifecycle = lifecycleModule(ctx);
  const telemetry = telemetryModule(ctx);
  const appAtom = atom(ctx.app.name);
  const backend =
    ctx.manifest.features.telemetry === "telemetry"
      ? "Events go to the `:telemetry` package (`[features] telemetry = \"telemetry\"`)."
      : `Events go to ${code(telemetry)}, a generated module with \`:telemetry\`'s API; set \`[features] telemetry = "telemetry"\` in otpiser.toml to use the real package instead.`;
  const files: PlannedFile[] = [
    owned(
      modulePath(lifecycle),
      render("lifecycle.ex", {
        module: lifecycle,
        moduledoc: paragraphs(
          `Lifecycle events of every generated process, as telemetry events named \`[${appAtom}, service, event]\`: \`:start\` (with the start \`count\`), \`:restart\` (every start after the first), \`:stop\` (with the \`reason\`), \`:exception\` (a stop with an abnormal reason), and kind-specific events such as state \`:transition\`s, breaker \`:trip\`s and \`:probe\` results.`,
          backend,
          "The start counts live in an ETS table owned by the application master, so they reset when the application restarts; `restarts/0` feeds the `/metrics` endpoint.",
        ),
        appAtom,
        telemetry,
      }),
    ),
    owned(
      testPath(lifecycle),
      render("lifecycle_test.exs", { module: lifecycle, testModule: `${lifecycle}Test`, appAtom, telemetry }),
    ),
  ];
  if (ctx.manifest.features.telemetry === "builtin") {
    files.push(
      owned(
        modulePath(telemetry),
        render("telemetry.ex", {
          module: telemetry,
          moduledoc: paragraphs(
            "A dependency-free stand-in for the `:telemetry` package, with the same API shape (`attach/4`, `attach_many/4`, `detach/1`, `list_handlers/1`, `execute/3`), so handlers written for it work unchanged with the real package.",
            'To switch, set `[features] telemetry = "telemetry"` in otpiser.toml and generate again: the generated code then calls `:telemetry` directly and mix.exs depends on it.',
            "Handlers live in an ETS table owned by the application master; they run in the process that emits the event.",
          ),
          appAtom,
        }),
      ),
      owned(testPath(telemetry), render("telemetry_test.exs", { module: telemetry, testModule: `${telemetry}Test`, appAtom })),
    );
  }
  return files;
}

export function telemetryNeeds(ctx: PlanContext): ProjectNeeds {
  const needs = emptyNeeds();
  const lifecycle = lifecycleModule(ctx);
  if (ctx.manifest.features.telemetry === "telemetry") needs.deps.push(TELEMETRY_DEP);
  else needs.startSetup.push(`:ok = ${telemetryModule(ctx)}.setup()`);
  needs.startSetup.push(`:ok = ${lifecycle}.setup()`);
  return needs;
}
