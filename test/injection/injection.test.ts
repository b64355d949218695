/**
 * Injection: every payload of payloads.ts goes into every field of fields.ts (a manifest with every deploy target and
 * CI provider). Each case ends in one of two ways:
 * - rejected: error diagnostics, each with a code and a position, one of them on the injected field;
 * - accepted: the plan succeeds, and every generated file is read back by a real parser of its format — Elixir
 *   (`Code.string_to_quoted`, EEx), YAML, JSON, TOML, Dockerfile, systemd (`systemd-analyze verify`), Nix
 *   (`nix-instantiate --parse` and `--eval`), shell (`sh -n`, `bash -n`, and the scripts run) — with the payload
 *   intact wherever it landed and never interpreted (no `Pwned` code, no created file).
 * Accepted text fields of one payload share one plan (each field has its own markers), and so do its accepted names
 * (but those that clash together). `otpiser migrate` gets every payload too, in a legacy manifest's texts.
 *
 * systemd-analyze and nix-instantiate checks are skipped when the tool is absent, unless OTPISER_REQUIRE_TOOLS=1.
 */
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderDiagnostic } from "../../src/diagnostics/render.js";
import type { Diagnostic } from "../../src/diagnostics/types.js";
import { migrateLegacy } from "../../src/manifest/migrate.js";
import { check, type CheckResult } from "../../src/pipeline.js";
import { tomlString } from "../../src/plan/deploy/escape.js";
import { planProject } from "../../src/plan/plan-project.js";
import { loadHtmlAssets, type HtmlAssets, renderHtml } from "../../src/visualise/html.js";
import { renderMermaid } from "../../src/visualise/mermaid.js";
import { buildVisualModel } from "../../src/visualise/model.js";
import {
  type BankFile, checkMarked, dockerInstructions, elixirParseAll, FileBank, hasTool, livebookCells, markdownOutline, MERMAID_LINE,
  nixCheckAll, parseJson, parseTomlFile, parseYaml, Scratch, shellSnippets, shellSyntaxAll, stringsOf, systemdVerifyAll,
  unitShape,
} from "./checkers.js";
import { type Field, FIELDS, inject, marker, valueFor } from "./fields.js";
import { PAYLOADS, PWNED_FILE, type Payload } from "./payloads.js";

const REQUIRED = process.env.OTPISER_REQUIRE_TOOLS === "1";
const HAS_SYSTEMD = hasTool("systemd-analyze", ["--version"]);
const HAS_NIX = hasTool("nix-instantiate", ["--version"]);
if (!HAS_SYSTEMD && !REQUIRED) console.warn("test/injection: systemd-analyze not found, unit verification skipped (OTPISER_REQUIRE_TOOLS=1 makes this an error)");
if (!HAS_NIX && !REQUIRED) console.warn("test/injection: nix-instantiate not found, flake.nix checks skipped (OTPISER_REQUIRE_TOOLS=1 makes this an error)");

/** Characters no diagnostic may print to a terminal: C0 (but the line breaks the renderer writes), DEL, C1, bidi controls. */
// eslint-disable-next-line no-control-regex
const TERMINAL_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

interface Outcome {
  payload: Payload;
  field: Field;
  index: number;
  label: string;
  accepted: boolean;
  /** What went wrong for this case at the validation stage (empty when fine). */
  problems: string[];
}

/** A planned case: the accepted text/code fields of one payload, or its accepted names. */
interface Planned {
  label: string;
  /** Marked fields → the payload between their markers (`code` fields: only checked for reaching their end marker). */
  marked: Map<number, { field: Field; text: string }>;
}

const outcomes: Outcome[] = [];
const planned: Planned[] = [];
const crashes: string[] = [];
const bank = new FileBank();
const scratch = new Scratch();
let assets: HtmlAssets;

afterAll(() => scratch.cleanup());

const overlaps = (d: Diagnostic, ranges: [number, number][]) =>
  d.span !== undefined && ranges.some(([from, to]) => d.span!.offset < to && d.span!.endOffset > from);

function validateCase(payload: Payload, field: Field, index: number): Outcome {
  const label = `${field.name} <- ${payload.name}`;
  const injected = inject(new Map([[field.name, valueFor(field, index, payload.text)]]));
  const outcome: Outcome = { payload, field, index, label, accepted: false, problems: [] };
  let result: CheckResult;
  try {
    result = check({ path: "otpiser.toml", text: injected.text });
  } catch (e) {
    crashes.push(`${label}: ${(e as Error).stack ?? String(e)}`);
    outcome.problems.push("crashed");
    return outcome;
  }
  const source = { path: "otpiser.toml", text: injected.text };
  for (const d of result.diagnostics) {
    const shown = renderDiagnostic(d, source);
    if (TERMINAL_UNSAFE.test(shown)) outcome.problems.push(`diagnostic ${d.code} prints a control character: ${JSON.stringify(shown)}`);
  }
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (result.ok) {
    outcome.accepted = true;
    return outcome;
  }
  for (const d of errors) {
    if (!/^E\d{3}$/.test(d.code) || d.span === undefined) outcome.problems.push(`error without code or position: ${JSON.stringify(d)}`);
  }
  if (errors.length === 0) outcome.problems.push("not ok, but no error diagnostic");
  else if (!errors.some((d) => overlaps(d, injected.ranges.get(field.name) ?? []))) {
    outcome.problems.push(`no error on the field: ${errors.map((d) => `${d.code} ${d.message} @${d.span?.line}:${d.span?.col}`).join("; ")}`);
  }
  return outcome;
}

function planCase(label: string, values: Map<string, string>, marked: Planned["marked"]): void {
  const text = inject(values).text;
  try {
    const result = check({ path: "otpiser.toml", text });
    if (!result.ok || !result.manifest || !result.topology || !result.graph) {
      crashes.push(`${label}: accepted one field at a time, rejected together: ${result.diagnostics.map((d) => d.message).join("; ")}`);
      return;
    }
    const plan = planProject(result.manifest, result.topology, { generatorVersion: "0.0.0-test" });
    for (const f of plan.files) bank.add(f.path, f.content, label);
    const model = buildVisualModel(result.manifest, result.topology, result.graph);
    bank.add("visualise/tree.html", renderHtml(model, assets, "otpiser (test)"), label);
    bank.add("visualise/tree.mmd", renderMermaid(model), label);
    planned.push({ label, marked });
  } catch (e) {
    crashes.push(`${label}: ${(e as Error).stack ?? String(e)}`);
  }
}

/** What the markers of `file`'s cases must enclose, by field index: the exact payload(s), or undefined for code. */
function expectationOf(file: BankFile): (i: number) => string[] | undefined {
  const byField = new Map<number, { field: Field; text: string }>();
  for (const p of planned) if (file.cases.has(p.label)) for (const [i, m] of p.marked) byField.set(i, m);
  return (i) => {
    const m = byField.get(i);
    if (!m) return undefined;
    return m.field.kind === "code" ? undefined : [m.text];
  };
}

/** A heredoc keeps a text's lines but not their trailing blanks, and reads `\r\n` and `\r` as line breaks. */
const heredocForm = (s: string) => s.replace(/\r\n?/g, "\n").split("\n").map((l) => l.replace(/[ \t]+$/, "")).join("\n");

const byFormat = (format: BankFile["format"]) => bank.of(format);
const baselineOf = (path: string) => [...bank.files.values()].find((f) => f.path === path && f.cases.has("baseline"));
const where = (f: BankFile) => `${f.path} [${[...f.cases].slice(0, 3).join(" | ")}${f.cases.size > 3 ? ` | +${f.cases.size - 3}` : ""}]`;

beforeAll(async () => {
  assets = await loadHtmlAssets();
  planCase("baseline", new Map(), new Map());
  for (const payload of PAYLOADS) {
    const values = new Map<string, string>();
    const marked: Planned["marked"] = new Map();
    const names = new Map<string, string>();
    FIELDS.forEach((field, index) => {
      const outcome = validateCase(payload, field, index);
      outcomes.push(outcome);
      if (!outcome.accepted) return;
      if (field.kind === "name") names.set(field.name, payload.text);
      else {
        values.set(field.name, valueFor(field, index, payload.text));
        marked.set(index, { field, text: payload.text });
      }
    });
    if (values.size > 0) planCase(`text fields <- ${payload.name}`, values, marked);
    // Names accepted one at a time may clash together (a group named like a service): those get a plan of their own.
    const together = new Map<string, string>();
    const alone: string[] = [];
    for (const [name, text] of names) {
      const tried = new Map([...together, [name, text]]);
      if (check({ path: "otpiser.toml", text: inject(tried).text }).ok) together.set(name, text);
      else alone.push(name);
    }
    if (together.size > 0) planCase(`names <- ${payload.name}: ${[...together.keys()].join(", ")}`, together, new Map());
    for (const name of alone) planCase(`${name} <- ${payload.name}`, new Map([[name, payload.text]]), new Map());
  }
});

describe("injection: the matrix", () => {
  it("covers the catalogue: every payload in every field", () => {
    expect(PAYLOADS.length).toBeGreaterThanOrEqual(60);
    expect(FIELDS.length).toBeGreaterThanOrEqual(45);
    expect(outcomes).toHaveLength(PAYLOADS.length * FIELDS.length);
    const accepted = outcomes.filter((o) => o.accepted).length;
    console.info(`test/injection: ${PAYLOADS.length} payloads × ${FIELDS.length} fields = ${outcomes.length} cases, ${accepted} accepted, ${outcomes.length - accepted} rejected; ${planned.length} plans, ${bank.files.size} distinct files`);
  });

  it("never crashes: validation and planning end in diagnostics or files", () => {
    expect(crashes).toEqual([]);
  });

  it("a rejected payload gets errors with a code and a position, one of them on the injected field", () => {
    expect(outcomes.flatMap((o) => o.problems.filter((p) => !p.startsWith("diagnostic")).map((p) => `${o.label}: ${p}`))).toEqual([]);
  });

  it("no diagnostic prints a control character or a bidi override to the terminal", () => {
    expect(outcomes.flatMap((o) => o.problems.filter((p) => p.startsWith("diagnostic")).map((p) => `${o.label}: ${p}`))).toEqual([]);
  });

  it("text lands where docs/manifest.md says it does, so the checks below see it", () => {
    const landed = (field: string) => {
      const index = FIELDS.findIndex((f) => f.name === field);
      const { start } = marker(index);
      return new Set([...bank.files.values()].filter((f) => f.content.includes(start)).map((f) => f.path));
    };
    const expected: Record<string, string[]> = {
      "app.description": ["mix.exs", "README.md", "lib/ledger/application.ex", "app.json", "hop3.toml", "flake.nix", "Dockerfile", "deploy/argocd/application.yaml", "deploy/kubernetes/deployment.yaml", "deploy/systemd/ledger.service", "visualise/tree.html"],
      "service.doc": ["lib/ledger/store.ex", "visualise/tree.html"],
      "group.doc": ["lib/ledger/core.ex"],
      "state.default": ["lib/ledger/store.ex"],
      uses: ["lib/ledger/postings.ex"],
      "cluster.query": ["config/config.exs"],
      "deploy.repo_url": ["deploy/argocd/application.yaml", "Dockerfile"],
      "external.child_spec": ["lib/ledger/application.ex", "README.md"],
      "external.dep": ["mix.exs"],
      "dynamic.extra_argument": ["lib/ledger/jobs.ex"],
    };
    const missing = Object.entries(expected).flatMap(([field, paths]) => {
      const got = landed(field);
      return paths.filter((p) => !got.has(p)).map((p) => `${field} → ${p} (landed in: ${[...got].join(", ")})`);
    });
    expect(missing).toEqual([]);
  });
});

describe("injection: every generated file parses, with the payload intact", () => {
  it("Elixir sources, Livebook cells and EEx templates parse, smuggle no code and keep every text whole", () => {
    const sources: { file: BankFile; kind: "elixir" | "eex"; content: string }[] = [];
    for (const f of byFormat("elixir")) sources.push({ file: f, kind: "elixir", content: f.content });
    for (const f of byFormat("eex")) sources.push({ file: f, kind: "eex", content: f.content });
    for (const f of byFormat("livebook")) for (const cell of livebookCells(f.content)) sources.push({ file: f, kind: "elixir", content: cell });
    const results = elixirParseAll(scratch, sources);
    const failures: string[] = [];
    results.forEach((r, i) => {
      const { file } = sources[i]!;
      if (r.error) return failures.push(`${where(file)}: ${r.error.slice(0, 300)}`);
      if (r.smuggled.length > 0) failures.push(`${where(file)}: code from a payload: ${r.smuggled.join(", ")}`);
      if (r.misread.length > 0) failures.push(`${where(file)}: Elixir reads it otherwise: ${r.misread.map((m) => JSON.stringify(m)).join(", ")}`);
      const expect = expectationOf(file);
      for (const s of r.strings) {
        // Moduledoc prose may wrap a text it quotes (a `uses` name); code fields are only checked for being whole.
        const problem = checkMarked(s, (field) => expect(field)?.flatMap((t) => [t, heredocForm(t)]), true);
        if (problem) failures.push(`${where(file)}: ${problem}`);
      }
    });
    expect(sources.length).toBeGreaterThan(100);
    expect(failures).toEqual([]);
  });

  const dataFormats = [
    ["YAML", "yaml", parseYaml],
    ["JSON", "json", parseJson],
    ["TOML", "toml", parseTomlFile],
  ] as const;
  for (const [name, format, parse] of dataFormats) {
    it(`${name} files parse and every marked value holds its payload exactly`, () => {
      const failures: string[] = [];
      for (const file of byFormat(format)) {
        const { values, error } = parse(file.content);
        if (error !== undefined) {
          failures.push(`${where(file)}: ${error.slice(0, 200)}`);
          continue;
        }
        const expect = expectationOf(file);
        for (const s of stringsOf(values)) {
          const problem = checkMarked(s, expect);
          if (problem) failures.push(`${where(file)}: ${problem}`);
        }
        if (file.content.includes("Zq7") && !stringsOf(values).some((s) => s.includes("Zq7"))) failures.push(`${where(file)}: a payload outside every value`);
      }
      expect(byFormat(format).length).toBeGreaterThan(0);
      expect(failures).toEqual([]);
    });
  }

  it("Dockerfiles have the baseline's instructions, and the labels hold the text on one line", () => {
    const baseline = dockerInstructions(baselineOf("Dockerfile")!.content).map((i) => i.keyword);
    const failures: string[] = [];
    for (const file of byFormat("dockerfile")) {
      const instructions = dockerInstructions(file.content);
      if (instructions.map((i) => i.keyword).join(" ") !== baseline.join(" ")) failures.push(`${where(file)}: instructions ${instructions.map((i) => i.keyword).join(" ")}`);
      for (const m of file.content.matchAll(/Zq7(\d+)x/g)) {
        const line = file.content.slice(file.content.lastIndexOf("\n", m.index) + 1, file.content.indexOf("\n", m.index));
        if (!line.includes(`_${m[1]}7qZ`)) failures.push(`${where(file)}: field #${m[1]} spans lines`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("systemd units have the baseline's sections and keys, with the text on one line", () => {
    const baseline = unitShape(baselineOf("deploy/systemd/ledger.service")!.content);
    const failures: string[] = [];
    for (const file of byFormat("systemd")) {
      const unit = unitShape(file.content);
      if (unit.error) failures.push(`${where(file)}: ${unit.error}`);
      else if (unit.shape.join(" ") !== baseline.shape.join(" ")) failures.push(`${where(file)}: keys ${unit.shape.join(" ")}`);
      const description = unit.values.get("Unit.Description")?.[0] ?? "";
      for (const m of description.matchAll(/Zq7(\d+)x/g)) if (!description.includes(`_${m[1]}7qZ`)) failures.push(`${where(file)}: Description cut: ${description}`);
    }
    expect(failures).toEqual([]);
  });

  it.runIf(HAS_SYSTEMD || REQUIRED)("systemd-analyze verify accepts every unit without a word", () => {
    expect(HAS_SYSTEMD, "install systemd (systemd-analyze)").toBe(true);
    const files = byFormat("systemd");
    const complaints = systemdVerifyAll(scratch, files.map((f) => ({ content: f.content, binary: /^ExecStart=(\S+)/m.exec(f.content)![1]! })));
    expect(files.flatMap((f, i) => (complaints[i] ? [`${where(f)}: ${complaints[i]}`] : []))).toEqual([]);
  });

  it.runIf(HAS_NIX || REQUIRED)("flake.nix parses (nix-instantiate --parse) and its description evaluates to the text", () => {
    expect(HAS_NIX, "install nix-bin (nix-instantiate)").toBe(true);
    const files = byFormat("nix");
    const { errors, descriptions } = nixCheckAll(scratch, files.map((f) => f.content));
    const failures = [...errors].map(([i, e]) => `${where(files[i]!)}: ${e.slice(0, 300)}`);
    files.forEach((file, i) => {
      const d = descriptions[i];
      if (d === undefined) return;
      const problem = checkMarked(d, expectationOf(file));
      if (problem) failures.push(`${where(file)}: ${problem}`);
    });
    expect(failures).toEqual([]);
  });

  it("shell: every script and command line passes sh -n / bash -n, and running them runs no payload", () => {
    // Distinct scripts only: most Dockerfiles of the bank share their RUN lines.
    const byScript = new Map<string, { file: BankFile; shell: "sh" | "bash"; script: string }>();
    const add = (file: BankFile, shell: "sh" | "bash", script: string) => {
      if (!byScript.has(`${shell}\0${script}`)) byScript.set(`${shell}\0${script}`, { file, shell, script });
    };
    for (const file of bank.files.values()) {
      if (file.format === "shell") add(file, "sh", file.content);
      // rel/env.sh.eex is a shell script once EEx has filled in the release name.
      if (file.path === "rel/env.sh.eex") add(file, "sh", file.content.replace(/<%=[^%]*%>/g, "ledger"));
      for (const s of shellSnippets(file.path, file.format, file.content)) add(file, s.shell, s.script);
    }
    const scripts = [...byScript.values()];
    const failures = [...shellSyntaxAll(scratch, scripts)].map(([i, e]) => `${where(scripts[i]!.file)} (${scripts[i]!.shell}): ${e}`);
    // Source every distinct env.sh (the release does, at each start), in a subshell without RELEASE_NODE.
    for (const file of bank.files.values()) {
      if (file.path !== "rel/env.sh.eex") continue;
      const path = scratch.write("env.sh", file.content.replace(/<%=[^%]*%>/g, "ledger"));
      const r = spawnSync("sh", ["-c", `( unset RELEASE_NODE; . "${path}"; printf '%s' "$RELEASE_NODE" )`], { encoding: "utf8", cwd: dirname(path) });
      if (r.status !== 0 || !r.stdout.startsWith("ledger@")) failures.push(`${where(file)}: sourcing failed: ${r.stderr}`);
    }
    expect(scripts.length).toBeGreaterThan(10);
    expect(failures).toEqual([]);
    expect(existsSync(PWNED_FILE), `${PWNED_FILE} was created: a payload ran`).toBe(false);
  });

  it("Markdown keeps the baseline's sections outside code fences, and no raw HTML from a payload", () => {
    const failures: string[] = [];
    for (const file of byFormat("markdown")) {
      const base = baselineOf(file.path);
      if (!base) continue;
      // Headings name the app, so a renamed app changes them: count them instead.
      const want = markdownOutline(base.content).headings.length;
      const got = markdownOutline(file.content);
      if (got.headings.length < want || got.openFence) failures.push(`${where(file)}: ${got.openFence ? "an unclosed code fence; " : ""}${got.headings.length} of ${want} sections outside code`);
      // Raw HTML counts in prose only: inside a code block it is text.
      const tag = /(?<!\\)<\/?(img|script)\b/i;
      const raw = (text: string) => markdownOutline(text).prose.some((line) => tag.test(line));
      if (raw(file.content) && !raw(base.content)) failures.push(`${where(file)}: raw HTML from a payload`);
    }
    expect(failures).toEqual([]);
  });

  it("visualise: the HTML page keeps its two scripts and its data, and Mermaid its lines", () => {
    const html = baselineOf("visualise/tree.html")!.content;
    const count = (s: string, re: RegExp) => s.match(re)?.length ?? 0;
    const failures: string[] = [];
    for (const file of bank.files.values()) {
      if (file.path === "visualise/tree.html") {
        if (count(file.content, /<script/gi) !== count(html, /<script/gi) || count(file.content, /<\/script/gi) !== count(html, /<\/script/gi)) failures.push(`${where(file)}: script elements changed`);
        if (/<img\b/i.test(file.content)) failures.push(`${where(file)}: raw <img>`);
        const data = /<script type="application\/json" id="otpiser-data">([\s\S]*?)<\/script>/.exec(file.content)?.[1];
        const parsed = data === undefined ? { error: "no data element" } : parseJson(data);
        if (parsed.error) failures.push(`${where(file)}: ${parsed.error}`);
        else for (const s of stringsOf(parsed.values)) {
          const problem = checkMarked(s, expectationOf(file));
          if (problem) failures.push(`${where(file)}: ${problem}`);
        }
      }
      if (file.path === "visualise/tree.mmd") {
        const odd = file.content.split("\n").filter((line) => !MERMAID_LINE.test(line));
        if (odd.length > 0) failures.push(`${where(file)}: ${odd.map((l) => JSON.stringify(l)).join(", ")}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("files no user text belongs in (.gitignore, .dockerignore, Procfile …) carry none", () => {
    const stray = [...bank.files.values()].filter((f) => ["lines", "procfile", "mermaid"].includes(f.format) && f.content.includes("Zq7"));
    expect(stray.map(where)).toEqual([]);
  });
});

describe("injection: otpiser migrate", () => {
  it("writes every payload of a legacy manifest's texts back into TOML that reads as the same text", () => {
    const failures: string[] = [];
    for (const payload of PAYLOADS) {
      const legacy = `[workload]\nname = "shop"\ndescription = ${tomlString(payload.text)}\n\n[[supervisors]]\nname = "root"\n\n[[supervisors.children]]\nname = "worker"\ndoc = ${tomlString(payload.text)}\n`;
      const r = migrateLegacy({ path: "legacy.toml", text: legacy });
      // Control characters are refused (E030) before anything is written.
      if (r.status === "errors") {
        if (!r.diagnostics.every((d) => d.code === "E030")) failures.push(`${payload.name}: ${r.diagnostics.map((d) => d.code).join(", ")}`);
        continue;
      }
      if (r.status !== "migrated") {
        failures.push(`${payload.name}: ${r.status}`);
        continue;
      }
      const parsed = parseTomlFile(r.text);
      const doc = parsed.values?.[0] as { app?: { description?: string }; services?: { worker?: { doc?: string } } } | undefined;
      if (parsed.error || doc?.app?.description !== payload.text || doc.services?.worker?.doc !== payload.text) {
        failures.push(`${payload.name}: ${parsed.error ?? JSON.stringify(r.text).slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe("injection: the checks can fail", () => {
  it("each checker rejects a file with an unescaped payload", () => {
    const [elixirBad, elixirSmuggled, eexSmuggled, misread] = elixirParseAll(scratch, [
      { kind: "elixir", content: 'defmodule A do\n  @moduledoc """\n  """\nend\n  """\nend\n' },
      { kind: "elixir", content: 'x = "Zq70x#{Pwned.boom()}_07qZ"\n' },
      { kind: "eex", content: "RELEASE_NODE=<%= Pwned.boom() %>\n" },
      { kind: "elixir", content: 'defmodule A do\n  @cron "*/5\u00a0* * * *"\n  def project, do: [elixir: "~> 1"]\nend\n' },
    ]);
    expect(elixirBad!.error).toBeDefined();
    expect(elixirSmuggled!.smuggled).toContain("Pwned");
    expect(eexSmuggled!.smuggled).toContain("Pwned");
    expect(misread!.misread).toHaveLength(2);
    expect(checkMarked("Zq70xa\nb: c_07qZ", () => ["a\nb: c\nd"])).toBeDefined();
    expect(checkMarked("Zq70xa b: c_07qZ", () => ["a\nb: c"])).toBeDefined();
    expect(checkMarked("Zq70xa b: c_07qZ", () => ["a\nb: c"], true)).toBeUndefined();
    expect(checkMarked('Zq70xa" b', () => undefined)).toBeDefined();
    expect(parseYaml('description: "a"b"\n').error).toBeDefined();
    expect(MERMAID_LINE.test('  n1["a"] --> pwned["b"]')).toBe(false);
    expect(parseTomlFile('description = "a"\n"b"\n').error).toBeDefined();
    expect(parseJson('{"description": "a"b"}').error).toBeDefined();
    expect(dockerInstructions('LABEL a="x\nRUN touch /pwned"\n').map((i) => i.keyword)).toContain("RUN");
    expect(unitShape("[Unit]\nDescription=a\n[Service]\nExecStart=/bin/sh -c pwned\n").shape).toContain("Service.ExecStart");
    expect(markdownOutline("intro\n```\n## Running\n").openFence).toBe(true);
    expect([...shellSyntaxAll(scratch, [{ shell: "sh", script: 'echo "$(' }])]).toHaveLength(1);
  });

  it.runIf(HAS_SYSTEMD || REQUIRED)("systemd-analyze complains about a specifier it cannot resolve", () => {
    const base = baselineOf("deploy/systemd/ledger.service")!.content;
    const [complaint] = systemdVerifyAll(scratch, [{ content: base.replace(/^Description=.*$/m, "Description=100% %Z"), binary: "/opt/ledger/bin/ledger" }]);
    expect(complaint).toMatch(/specifier/i);
  });

  it.runIf(HAS_NIX || REQUIRED)("nix-instantiate rejects an unescaped antiquotation", () => {
    const base = baselineOf("flake.nix")!.content;
    const { errors } = nixCheckAll(scratch, [base.replace(/description = "[^"]*";/, 'description = "${builtins.abort "pwned"}";'), base.replace(/description = "/, 'description = "a"b')]);
    expect(errors.size).toBeGreaterThanOrEqual(1);
  });
});
