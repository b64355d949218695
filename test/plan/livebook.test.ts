import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildDependencyGraph } from "../../src/analysis/graph.js";
import type { TreeNode } from "../../src/analysis/tree.js";
import { renderMermaid } from "../../src/visualise/mermaid.js";
import { buildVisualModel } from "../../src/visualise/model.js";
import { ROOT } from "../helpers/cli.js";
import { checkToml, contentOf, mix, planApp, track, trackDirs, writePlan } from "./mix-helpers.js";

trackDirs();

const fixture = (name: string) => readFileSync(join(ROOT, "fixtures", "valid", name), "utf8");

interface Cell {
  lang: string;
  code: string;
  /** Indented fences sit inside Markdown (a list item): Livebook shows them, it does not run them. */
  indented: boolean;
}

/**
 * A small reader of the Livebook Markdown format: every fence closed, every `<!-- livebook:{...} -->` annotation
 * valid JSON, and the fenced blocks in order. Livebook runs the top-level ```elixir fences as code cells.
 */
function parseLivemd(text: string): { cells: Cell[]; annotations: unknown[]; headings: string[] } {
  const cells: Cell[] = [];
  const annotations: unknown[] = [];
  const headings: string[] = [];
  let open: { lang: string; indent: string; lines: string[] } | undefined;
  for (const [i, line] of text.split("\n").entries()) {
    const fence = /^(\s*)```(\S*)\s*$/.exec(line);
    if (open) {
      if (fence && fence[1] === open.indent && fence[2] === "") {
        cells.push({ lang: open.lang, code: open.lines.join("\n"), indented: open.indent !== "" });
        open = undefined;
      } else {
        expect(line.startsWith(open.indent) || line === "", `line ${i + 1} leaves its fence's indentation`).toBe(true);
        open.lines.push(line.slice(open.indent.length));
      }
      continue;
    }
    if (fence) {
      expect(fence[2], `line ${i + 1}: a fence without a language`).not.toBe("");
      open = { lang: fence[2]!, indent: fence[1]!, lines: [] };
      continue;
    }
    if (line.includes("<!--")) {
      const m = /^<!-- livebook:(\{.*\}) -->$/.exec(line);
      expect(m, `line ${i + 1}: not a Livebook annotation: ${line}`).not.toBeNull();
      annotations.push(JSON.parse(m![1]!));
    }
    if (line.startsWith("#")) headings.push(line);
  }
  expect(open, "a fence is never closed").toBeUndefined();
  return { cells, annotations, headings };
}

function notebookOf(toml: string) {
  const app = checkToml(toml);
  const plan = planApp(app);
  const file = plan.files.find((f) => f.path === `notebooks/${app.manifest.app.name}.livemd`);
  expect(file, plan.files.map((f) => f.path).join(", ")).toBeDefined();
  return { app, plan, file: file!, livemd: parseLivemd(file!.content) };
}

/** Only a step and an external child spec: no process the notebook can crash and see come back. */
const BARE = `[app]\nname = "bare"\n\n[services.boot]\nkind = "step"\nrun = "Bare.Jobs.boot"\n\n[services.ext]\nkind = "external"\nchild_spec = "{Task.Supervisor, name: Bare.Tasks}"\n`;

const modules = (n: TreeNode): string[] => [n.module, ...n.children.flatMap(modules)];

describe("the Livebook notebook", () => {
  it.each(["ten-services.toml", "otp-patterns.toml", "minimal.toml", "generated-kinds.toml"])("%s: a well-formed .livemd", (name) => {
    const { app, file, livemd } = notebookOf(fixture(name));
    expect(file.ownership).toBe("owned");
    expect(livemd.annotations.length).toBeGreaterThan(0);
    expect(livemd.headings[0]).toBe(`# ${app.manifest.app.module}: the supervision tree, live`);
    expect(livemd.headings.filter((h) => h.startsWith("## "))).toEqual([
      "## Connect to the application", "## The tree otpiser computed", "## The live tree", "## A process's state", "## Crash a child and watch it come back",
    ]);
    expect(livemd.cells.filter((c) => !c.indented).map((c) => c.lang)).toEqual(["elixir", "elixir", "mermaid", "elixir", "elixir", "elixir"]);
    // The attach instructions: a shell block inside the list, naming the app's node.
    expect(livemd.cells.find((c) => c.lang === "sh")).toMatchObject({ indented: true, code: `iex --sname ${app.manifest.app.name} --cookie "$COOKIE" -S mix` });
    // The Mermaid cell is the `visualise --format mermaid` drawing of the same tree.
    const mermaid = livemd.cells.find((c) => c.lang === "mermaid")!.code;
    expect(`${mermaid}\n`).toBe(renderMermaid(buildVisualModel(app.manifest, app.topology, buildDependencyGraph(app.manifest))));
    expect(mermaid).toMatch(/^%%.*\nflowchart TD\n/);
    for (const m of modules(app.topology.root)) expect(mermaid).toContain(m);
    // The cells the brief asks for.
    const code = livemd.cells.filter((c) => c.lang === "elixir").map((c) => c.code).join("\n");
    expect(code).toContain("Supervisor.which_children(sup)");
    expect(code).toContain(":sys.get_state()");
    expect(code).toContain("Process.exit(old_pid, :kill)");
  });

  it("picks the worker whose crash restarts the most, and says what otpiser expects to restart", () => {
    const { file, livemd } = notebookOf(fixture("ten-services.toml"));
    const crash = livemd.cells.filter((c) => c.lang === "elixir").at(-1)!.code;
    expect(crash.startsWith("supervisor = Shop.ConfigChain\nchild_id = Shop.Config\n")).toBe(true);
    expect(file.content).toContain("otpiser expects a crash of\n`config` to restart `config`, `storage`, `repo` and `cache`.");
    expect(file.content).toContain("`Shop.ConfigChain` allows at most 1 restart in 60 s");
    const state = livemd.cells.filter((c) => c.lang === "elixir")[3]!.code;
    expect(state).toBe("supervisor = Shop.ConfigChain\nchild_id = Shop.Config\n\nsupervisor |> ShopNotebook.child_pid(child_id) |> :sys.get_state()");
  });

  it("without a process to crash, says so instead of a cell that cannot work", () => {
    const { livemd, file } = notebookOf(BARE);
    expect(livemd.cells.filter((c) => c.lang === "elixir")).toHaveLength(4);
    expect(file.content).toContain("No child of this tree can be crashed here");
    expect(livemd.cells.filter((c) => c.lang === "elixir")[3]!.code).toBe("Bare.Supervisor |> :sys.get_state()");
  });
});

/**
 * Every code cell, in order, as one script run with `mix run` in the generated project (the application started,
 * as on the node Livebook attaches to); a marker after each cell shows how far it got.
 */
async function runCells(toml: string, name: string) {
  const { app, plan, livemd } = notebookOf(toml);
  const cells = livemd.cells.filter((c) => c.lang === "elixir" && !c.indented);
  const dir = track(writePlan(plan, `livebook-${name}`));
  const script = cells.map((c, i) => `${c.code}\nIO.puts("[cell ${i + 1} done]")\n`).join("\n");
  writeFileSync(join(dir, "notebook_cells.exs"), script);
  const run = await mix(dir, ["run", "notebook_cells.exs"]);
  expect(run.exitCode, run.output).toBe(0);
  for (let i = 1; i <= cells.length; i++) expect(run.output).toContain(`[cell ${i} done]`);
  expect(run.output).not.toMatch(/warning:/);
  return { app, plan, output: run.output };
}

describe("the notebook's cells, run against the generated project", { timeout: 300_000 }, () => {
  it("ten-services: lists the live tree, reads a state, and sees the crashed child come back with what it restarts", async () => {
    const { output } = await runCells(fixture("ten-services.toml"), "ten");
    expect(output).toMatch(/Shop\.Supervisor is running as #PID<[\d.]+> on /);
    // The live tree, recursively: the group inside the computed supervisor, the registry's partitions.
    expect(output).toMatch(/^Shop\.ConfigChain {2}#PID<[\d.]+> {2}supervisor$/m);
    expect(output).toMatch(/^ {2}Shop\.Storage {2}#PID<[\d.]+> {2}supervisor$/m);
    expect(output).toMatch(/^ {4}Shop\.Cache {2}#PID<[\d.]+> {2}worker$/m);
    // In start order, as `otpiser info` prints the tree.
    const listed = [...output.matchAll(/^ *(Shop\.\w+) {2}#PID/gm)].map((x) => x[1]);
    expect(listed.slice(0, 6)).toEqual(["Shop.ConfigChain", "Shop.Config", "Shop.Storage", "Shop.Repo", "Shop.Cache", "Shop.Realtime"]);
    const m = /^restarted: Shop\.Config (#PID<[\d.]+>) -> (#PID<[\d.]+>)$/m.exec(output);
    expect(m, output).not.toBeNull();
    expect(m![1]).not.toBe(m![2]);
    expect(output).toMatch(/^Shop\.Config #PID<[\d.]+> exited: :killed$/m);
    // What actually restarted is what otpiser predicted (rest_for_one: config and the storage group after it).
    const restarted = /^new processes since the crash: \[(.*)\]$/m.exec(output)?.[1]?.split(", ").sort();
    expect(restarted).toEqual(["Shop.Cache", "Shop.Config", "Shop.Repo", "Shop.Storage"]);
    expect(output).toMatch(/restarts per service since the application started: %\{[^}]*config: 1/);
  });

  it("otp-patterns: every kind's process walks, inspects and restarts", async () => {
    const { app, output } = await runCells(fixture("otp-patterns.toml"), "patterns");
    const m = /^restarted: (\S+) (#PID<[\d.]+>) -> (#PID<[\d.]+>)$/m.exec(output);
    expect(m, output).not.toBeNull();
    expect(m![2]).not.toBe(m![3]);
    // What restarted is what the notebook says otpiser expects (processes of the computed tree; pool workers and
    // registry partitions inside them come along).
    const { file } = notebookOf(fixture("otp-patterns.toml"));
    const expectedIds = [.../otpiser expects a crash of\n`(\w+)` to restart ([^.]*)\./.exec(file.content)![2]!.matchAll(/`(\w+)`/g)].map((x) => x[1]!);
    const moduleOf = new Map<string, string>();
    const collect = (n: TreeNode): void => {
      moduleOf.set(n.id, n.module);
      n.children.forEach(collect);
    };
    collect(app.topology.root);
    const observed = /^new processes since the crash: \[(.*)\]$/m.exec(output)![1]!.split(", ");
    const treeModules = new Set(moduleOf.values());
    expect(observed.filter((o) => treeModules.has(o)).sort()).toEqual(expectedIds.map((id) => moduleOf.get(id)!).sort());
    // Every supervisor of the computed tree shows up in the live listing.
    const supervisors = (n: TreeNode): TreeNode[] => (n.type === "supervisor" && !n.template ? [n, ...n.children.flatMap(supervisors)] : []);
    for (const s of supervisors(app.topology.root).slice(1)) {
      if (s.kind === "external") continue;
      expect(output, s.module).toMatch(new RegExp(`^\\s*${s.module.replace(/\./g, "\\.")} {2}#PID<`, "m"));
    }
  });
});

describe("the notebook of a tree with nothing to crash, run", { timeout: 300_000 }, () => {
  it("inspects the root supervisor instead", async () => {
    const { output } = await runCells(BARE, "bare");
    expect(output).toContain("[cell 4 done]");
    expect(output).toMatch(/^Bare\.Tasks {2}#PID<[\d.]+> {2}supervisor$/m);
  });
});

describe("plan", () => {
  it("lists the notebook among the project's files", () => {
    const plan = planApp(checkToml(fixture("minimal.toml")));
    expect(contentOf(plan, plan.files.find((f) => f.path.startsWith("notebooks/"))!.path)).toContain("```mermaid");
  });
});
