/**
 * Scaffolding shared by the planner's tests: planning a project from TOML or from a hand-built app, writing it to a
 * temp dir and proving it with real `mix compile --warnings-as-errors`, `mix format --check-formatted` and `mix test`
 * runs, and removing those temp dirs afterwards (unless OTPISER_KEEP_E2E is set, to inspect them).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { afterAll, expect } from "vitest";
import type { Topology } from "../../src/analysis/tree.js";
import type { KindSpec, Manifest } from "../../src/manifest/model.js";
import { check, type CheckResult } from "../../src/pipeline.js";
import { planProject } from "../../src/plan/plan-project.js";
import type { Plan } from "../../src/plan/types.js";

/** A manifest and its topology: what `check()` produces, or a hand-built fixture standing in for it. */
export interface App {
  manifest: Manifest;
  topology: Topology;
}

/** A `check()` result that passed: no error diagnostics, a manifest and a topology. */
export type Checked = CheckResult & App;

/** Runs `toml` through the real parse → validate → analyse pipeline and asserts that it reports no error. */
export function checkToml(toml: string): Checked {
  const result = check({ path: "otpiser.toml", text: toml });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  expect(errors, JSON.stringify(errors)).toEqual([]);
  expect(result.ok, JSON.stringify(result.diagnostics)).toBe(true);
  return result as Checked;
}

/** Plans the project of a checked manifest or a hand-built fixture. */
export function planApp(app: App): Plan {
  return planProject(app.manifest, app.topology, { generatorVersion: "0.0.0-test" });
}

/** Plans the project of `toml`, asserting that the pipeline reports no error. */
export function planToml(toml: string): Plan {
  return planApp(checkToml(toml));
}

/** The content of the planned file at `path`; throws, listing the plan's files, when there is none. */
export function contentOf(plan: Plan, path: string): string {
  const found = plan.files.find((f) => f.path === path);
  if (!found) throw new Error(`no ${path} in ${plan.files.map((f) => f.path).join(", ")}`);
  return found.content;
}

/** `test "..."` definitions in a generated test file. */
export const countTests = (content: string): number => content.match(/^ {2}test "/gm)?.length ?? 0;

/** `test "..."` definitions in each of the plan's test files, by path. */
export function testCounts(plan: Plan): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of plan.files) if (f.path.endsWith("_test.exs")) counts.set(f.path, countTests(f.content));
  return counts;
}

const tempDirs: string[] = [];
let cleanupRegistered = false;

/**
 * Call once at the top of a test file that writes projects: registers the `afterAll` hook removing every directory
 * `track`ed (by `proveProject` among others), unless OTPISER_KEEP_E2E is set.
 */
export function trackDirs(): void {
  cleanupRegistered = true;
  afterAll(() => {
    if (process.env.OTPISER_KEEP_E2E) return;
    for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
}

/** Adds `dir` to the directories removed after the file's tests; returns it. */
export function track(dir: string): string {
  if (!cleanupRegistered) throw new Error("call trackDirs() at the top of the test file: nothing would remove this directory");
  tempDirs.push(dir);
  return dir;
}

/** Writes a plan with plain fs into a fresh directory under the system temp dir (or `dir`). */
export function writePlan(plan: Plan, prefix: string, dir?: string): string {
  const root = dir ?? mkdtempSync(join(tmpdir(), `otpiser-${prefix}-`));
  if (dir) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  for (const file of plan.files) {
    const path = join(root, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
  }
  return root;
}

export interface MixResult {
  exitCode: number;
  output: string;
}

/** Runs `mix <args>` in `cwd` with MIX_ENV=test, never throwing; output is stdout + stderr interleaved. */
export async function mix(cwd: string, args: string[]): Promise<MixResult> {
  const env: Record<string, string | undefined> = { ...process.env, MIX_ENV: "test", HEX_OFFLINE: "1" };
  delete env.LOG_LEVEL;
  delete env.MIX_BUILD_PATH;
  const result = await execa("mix", args, {
    cwd,
    env,
    extendEnv: false,
    all: true,
    reject: false,
    timeout: 120_000,
  });
  return { exitCode: result.exitCode ?? -1, output: result.all ?? "" };
}

export interface TestRun {
  output: string;
  /** ExUnit's summary line, e.g. `12 tests, 0 failures, 1 excluded`. */
  summary: string;
  /** The run time ExUnit reports (`Finished in … seconds`); NaN when it reports none. */
  seconds: number;
  /** The wall-clock time of the whole `mix test` run, in seconds. */
  elapsed: number;
}

/** `mix test <args>`: exits 0 with no failure and no warning. */
export async function runTests(dir: string, args: string[] = []): Promise<TestRun> {
  const started = Date.now();
  const test = await mix(dir, ["test", ...args]);
  const elapsed = (Date.now() - started) / 1000;
  expect(test.exitCode, test.output).toBe(0);
  expect(test.output).toMatch(/\b0 failures\b/);
  expect(test.output).not.toMatch(/warning:/);
  const summary = /^\d+ tests?, 0 failures.*$/m.exec(test.output)?.[0];
  expect(summary, test.output).toBeDefined();
  const seconds = Number(/Finished in ([\d.]+) seconds/.exec(test.output)?.[1] ?? Number.NaN);
  return { output: test.output, summary: summary!, seconds, elapsed };
}

/** Runs `mix test` on the test files of `modules` (those defining `<module>Test`), each of which must have one. */
export async function testModules(dir: string, plan: Plan, modules: string[]): Promise<TestRun> {
  const testOf = (module: string) => plan.files.find((f) => f.content.startsWith(`defmodule ${module}Test do`))?.path;
  expect(modules.filter((m) => testOf(m) === undefined)).toEqual([]);
  return runTests(dir, modules.map((m) => testOf(m)!));
}

export interface ProveOptions {
  /** Test files (path → content) added after the format check, which does not see them. */
  extraTests?: Record<string, string>;
  /**
   * Restricts the format check to the project's .ex/.exs files for which this holds (a fixture whose other files
   * have names too long for modules outside the feature under test).
   */
  formatOnly?: (path: string) => boolean;
  /** Edits the project after the format check and before compiling (what the format check must not see). */
  beforeCompile?: (dir: string) => void;
  /** Also asserts that every `test "..."` of the plan's test files and of `extraTests` ran: none excluded or skipped. */
  allTests?: boolean;
}

/**
 * Writes `plan` to a fresh temp dir (removed after the file's tests: see `trackDirs`) and proves it: the format check,
 * `mix compile --warnings-as-errors` with no warning, and `mix test` passing with no warning. Every mix command shares
 * one `_build` (MIX_ENV=test throughout).
 */
export async function proveProject(plan: Plan, name: string, options: ProveOptions = {}): Promise<{ dir: string; test: TestRun }> {
  const { extraTests = {}, formatOnly, beforeCompile, allTests = false } = options;
  const dir = track(writePlan(plan, name));
  const files = formatOnly ? plan.files.map((f) => f.path).filter((p) => /\.exs?$/.test(p) && formatOnly(p)) : [];
  const format = await mix(dir, ["format", "--check-formatted", ...files]);
  expect(format.exitCode, format.output).toBe(0);
  for (const [path, content] of Object.entries(extraTests)) writeFileSync(join(dir, path), content);
  beforeCompile?.(dir);
  const compile = await mix(dir, ["compile", "--warnings-as-errors"]);
  expect(compile.exitCode, compile.output).toBe(0);
  expect(compile.output).not.toMatch(/warning:/);
  const test = await runTests(dir);
  if (allTests) {
    const total = [...testCounts(plan).values(), ...Object.values(extraTests).map(countTests)].reduce((a, b) => a + b, 0);
    expect(test.output).toMatch(new RegExp(`\\b${total} tests, 0 failures\\b`));
  }
  return { dir, test };
}

/**
 * Plans `toml` and proves the project (the whole suite: the generated supervision tests crash services of every
 * kind), then runs the tests of the services of `kinds` on their own: `own`.
 */
export async function proveKinds(name: string, toml: string, kinds: KindSpec["kind"][]) {
  const { manifest, topology } = checkToml(toml);
  const plan = planApp({ manifest, topology });
  const { dir, test } = await proveProject(plan, name);
  const own = await testModules(dir, plan, manifest.services.filter((s) => kinds.includes(s.spec.kind)).map((s) => s.module));
  return { plan, manifest, dir, test, own };
}
