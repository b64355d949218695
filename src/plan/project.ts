import type { TreeNode } from "../analysis/tree.js";
import { atom } from "../elixir/escape.js";
import { list, verticalList } from "../elixir/layout.js";
import { supportModule } from "../manifest/support-modules.js";
import { CI_PROVIDERS_EMITTERS, DEPLOY_TARGET_EMITTERS } from "./deploy/index.js";
import { mixReleases } from "./deploy/release.js";
import { chaosTask } from "./chaos.js";
import { isSupervisorNode, label, owned, type PlanContext } from "./context.js";
import { externalDeps } from "./kinds.js";
import { render } from "./render.js";
import type { PlannedFile, ProjectNeeds } from "./types.js";

/** One line per node: `Payments.DbPool (gen_server, transient)`. */
function describe(ctx: PlanContext, node: TreeNode): string {
  if (node === ctx.topology.root) {
    return `${ctx.app.supervisor} (${node.strategy ?? "one_for_one"}${intensity(node)})`;
  }
  if (node.template) {
    return node.poolSize !== undefined
      ? `${node.module} (${node.kind} pool worker, ${node.poolSize} started at boot)`
      : `${node.module} (${node.kind} template, started on demand)`;
  }
  const significant = node.significant ? ", significant" : "";
  if (isSupervisorNode(node)) return `${node.module} (${node.strategy ?? "one_for_one"}${intensity(node)}${significant})`;
  const restart = node.restart === "permanent" ? "" : `, ${node.restart}`;
  return `${label(ctx, node)} (${node.kind}${restart}${significant})`;
}

function intensity(node: TreeNode): string {
  return node.maxRestarts !== undefined && node.maxSeconds !== undefined
    ? `, max ${node.maxRestarts} restart${node.maxRestarts === 1 ? "" : "s"} in ${node.maxSeconds} s`
    : "";
}

/** The tree drawn with box characters, for the README. */
export function drawTree(ctx: PlanContext): string {
  const lines = [describe(ctx, ctx.topology.root)];
  const walk = (node: TreeNode, prefix: string): void => {
    node.children.forEach((child, i) => {
      const last = i === node.children.length - 1;
      lines.push(`${prefix}${last ? "└── " : "├── "}${describe(ctx, child)}`);
      walk(child, prefix + (last ? "    " : "│   "));
    });
  };
  walk(ctx.topology.root, "");
  return lines.join("\n");
}

/**
 * The description as README prose. It stays Markdown (emphasis, links, code spans), but cannot take over the page:
 * a line opening a code fence would swallow every section after it, and a tag (`<script>`, `<img onerror=…>`) is raw
 * HTML to renderers that do not sanitise. Fence openers and `<` starting a tag (outside code spans) are escaped.
 */
export function readmeText(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => line.replace(CODE_SPAN_OR_TAG, (m, ticks) => (ticks === undefined ? "\\<" : m)).replace(/^( {0,3})(`{3}|~{3})/, "$1\\$2"))
    .join("\n");
}

/** A code span (opened and closed by equally long backtick runs, as CommonMark pairs them), or a `<` opening a tag. */
const CODE_SPAN_OR_TAG = /(?<!`)(`+)(?!`)[^]*?[^`]\1(?!`)|<(?=[A-Za-z/!?])/g;

/** mix.exs, .formatter.exs, .gitignore, config, README and the test helper. */
export function planProjectFiles(ctx: PlanContext, userFiles: string[], needs: ProjectNeeds): PlannedFile[] {
  const { app } = ctx.manifest;
  const deps = [...needs.deps, ...externalDeps(ctx.manifest.services).filter((d) => !needs.deps.includes(d))];
  return [
    owned(
      "mix.exs",
      render("mix.exs", {
        module: app.module,
        appName: app.name,
        version: app.version,
        elixir: app.elixir,
        description: app.description ?? null,
        deps: verticalList(4, "", deps),
        extraApplications: list(6, "extra_applications: ", [":logger", ...needs.extraApplications], ","),
        releases: ctx.manifest.deploy ? verticalList(4, "", mixReleases(app.name)) : null,
      }),
    ),
    owned(".formatter.exs", render("formatter.exs", {})),
    owned(".gitignore", render("gitignore", { appName: app.name, nix: ctx.manifest.deploy?.targets.includes("nix") ?? false })),
    owned("config/config.exs", render("config.exs", { config: needs.config, testConfig: needs.testConfig.map((s) => indentLines(s, 2)) })),
    owned("config/runtime.exs", render("runtime.exs", { runtimeConfig: needs.runtimeConfig })),
    owned("test/test_helper.exs", render("test_helper.exs", {})),
    owned(
      "README.md",
      render("README.md", {
        module: app.module,
        description: app.description === undefined ? null : readmeText(app.description),
        generatorVersion: ctx.generatorVersion,
        hasDeps: deps.length > 0,
        tree: drawTree(ctx),
        userFiles: userFiles.map((f) => `\`${f}\``).join(", "),
        appName: app.name,
        appAtom: atom(app.name),
        http: ctx.manifest.http ?? null,
        cluster: ctx.manifest.cluster?.enabled
          ? { module: supportModule(app.module, "cluster"), discovery: ctx.manifest.cluster.discovery }
          : null,
        lifecycle: supportModule(app.module, "lifecycle"),
        chaosTask: chaosTask(ctx).name,
        deploy:
          ctx.manifest.deploy || ctx.manifest.ci
            ? [...DEPLOY_TARGET_EMITTERS, ...CI_PROVIDERS_EMITTERS]
                .filter((t) => [...(ctx.manifest.deploy?.targets ?? []), ...(ctx.manifest.ci?.providers ?? [])].includes(t.name))
                .map((t) => ({ name: t.name, summary: t.summary }))
            : null,
        telemetryBackend:
          ctx.manifest.features.telemetry === "telemetry"
            ? "It calls the `:telemetry` package (`[features] telemetry` in otpiser.toml)."
            : `It calls \`${supportModule(app.module, "telemetry")}\`, a dependency-free module with \`:telemetry\`'s API;\nset \`[features] telemetry = "telemetry"\` in otpiser.toml to use the package instead.`,
      }),
    ),
  ];
}

const indentLines = (text: string, n: number): string =>
  text
    .split("\n")
    .map((line) => (line === "" ? line : " ".repeat(n) + line))
    .join("\n");
