import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { type FSWatcher, watch } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { execa } from "execa";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, otpiser, tempDir } from "../helpers/cli.js";
import { prng } from "../helpers/prng.js";

/**
 * Crash safety of `otpiser generate`: SIGKILL at random moments while it regenerates a large project, then check
 * the target. Honest invariants of the design (stage beside the target, journal, renames, lock last):
 *  (a) never a torn file: every path holds exactly its old bytes or its new bytes, or is absent where the old or
 *      the new tree has no such file;
 *  (b) no journal left: the tree is exactly the complete old tree (old lock) or the complete new tree (new lock);
 *  (c) a journal left (killed mid-commit): the next `generate` rolls forward, and the tree is then exactly the
 *      complete new tree with its lock, and that run and `generate --check` report it up to date.
 * (b) cannot hold at every instant without the journal: replacing many files is many renames, and only a
 * RENAME_EXCHANGE of whole directories (Linux-only, not available from Node) could swap a tree in one step.
 *
 * The kill moments mix three schedules, so that the short commit phase is hit often: anywhere in a normal run, at
 * random after the stage directory appears, at random after the journal appears. The phase each kill landed in is
 * read from what it left and printed. OTPISER_CRASH_RUNS (default 25), OTPISER_CRASH_SERVICES (default 200) and
 * OTPISER_CRASH_SEED make longer or reproducible-in-schedule runs (timing itself never repeats exactly).
 */
const RUNS = Number(process.env["OTPISER_CRASH_RUNS"] ?? 25);
const SERVICES = Number(process.env["OTPISER_CRASH_SERVICES"] ?? 200);
const SEED = Number(process.env["OTPISER_CRASH_SEED"] ?? Math.floor(Math.random() * 2 ** 31));

/**
 * v1: `n` gen_servers with a call. v2: every tenth removed (files removed), every fourth gets a shutdown (files
 * change), n/10 new ones (files created); the application, README, tests and notebook change too.
 */
function manifest(n: number, version: 1 | 2): string {
  const lines = ["[app]", 'name = "fleet"', ""];
  for (let i = 0; i < n; i++) {
    if (version === 2 && i % 10 === 3) continue;
    lines.push(`[services.svc${i}]`);
    if (version === 2 && i % 4 === 1) lines.push("shutdown_ms = 10_000");
    lines.push("", `[[services.svc${i}.calls]]`, 'name = "fetch"', 'args = ["key"]', 'returns = "term()"', "");
  }
  if (version === 2) for (let i = n; i < n + n / 10; i++) lines.push(`[services.svc${i}]`, "");
  return `${lines.join("\n")}\n`;
}

interface Tree {
  /** sha256 of every file, by relative path. */
  files: Map<string, string>;
  dirs: Set<string>;
}

const JOURNAL = ".otpiser/journal.json";

async function snapshot(root: string): Promise<Tree> {
  const files = new Map<string, string>();
  const dirs = new Set<string>();
  for (const e of await readdir(root, { withFileTypes: true, recursive: true })) {
    const rel = join(e.parentPath, e.name).slice(root.length + 1);
    // The stat cache holds mtimes, which differ from run to run, and is no part of the project (src/writer/stamp.ts).
    if (/^\.otpiser\/\.?stamp\.json/.test(rel)) continue;
    if (e.isDirectory()) dirs.add(rel);
    else files.set(rel, createHash("sha256").update(await readFile(join(root, rel))).digest("hex"));
  }
  return { files, dirs };
}

function sameTree(a: Tree, b: Tree): boolean {
  if (a.files.size !== b.files.size || a.dirs.size !== b.dirs.size) return false;
  for (const [p, h] of a.files) if (b.files.get(p) !== h) return false;
  for (const d of a.dirs) if (!b.dirs.has(d)) return false;
  return true;
}

/** What differs between two trees, for failure messages. */
function treeDiff(a: Tree, b: Tree): string[] {
  const out: string[] = [];
  for (const p of new Set([...a.files.keys(), ...b.files.keys()])) if (a.files.get(p) !== b.files.get(p)) out.push(`file ${p}`);
  for (const d of new Set([...a.dirs, ...b.dirs])) if (a.dirs.has(d) !== b.dirs.has(d)) out.push(`dir ${d} (${a.dirs.has(d) ? "only here" : "missing"})`);
  return out.slice(0, 20);
}

/** Paths whose content is neither the old nor the new one (a torn or foreign file), the journal excepted. */
function tornPaths(actual: Tree, old: Tree, next: Tree): string[] {
  const paths = new Set([...actual.files.keys(), ...old.files.keys(), ...next.files.keys()]);
  paths.delete(JOURNAL);
  return [...paths].filter((p) => actual.files.get(p) !== old.files.get(p) && actual.files.get(p) !== next.files.get(p));
}

/** Every lock entry's hash is the file's, and every owned entry has a merge base with the same bytes. */
async function lockConsistent(root: string, tree: Tree): Promise<string[]> {
  const lock = JSON.parse(await readFile(join(root, ".otpiser", "lock.json"), "utf8")) as { files: Record<string, { sha256: string; ownership: string }> };
  const wrong: string[] = [];
  for (const [p, e] of Object.entries(lock.files)) {
    if (tree.files.get(p) !== e.sha256) wrong.push(p);
    if (e.ownership === "owned" && tree.files.get(`.otpiser/base/${p}`) !== e.sha256) wrong.push(`.otpiser/base/${p}`);
  }
  return wrong;
}

type Schedule = "anywhere" | "after-stage" | "after-journal";
type Phase = "before staging" | "staging" | "mid-commit" | "after commit";

interface Timings {
  total: number;
  stage: number;
  journal: number;
}

/**
 * Runs `generate` on the v2 manifest into `dir`; watches for the stage directory and the journal; with `kill`,
 * SIGKILLs it `kill.delay` ms after the schedule's event. Resolves with when things happened (ms from spawn).
 */
function runGenerate(parent: string, dir: string, v2: string, kill?: { schedule: Schedule; delay: number }): Promise<Timings & { killed: boolean; code: number | null }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const seen: Timings = { total: NaN, stage: NaN, journal: NaN };
    const watchers: FSWatcher[] = [];
    let child: ChildProcess | undefined;
    let timer: NodeJS.Timeout | undefined;
    const armKill = (schedule: Schedule) => {
      if (kill?.schedule !== schedule) return;
      timer = setTimeout(() => child?.kill("SIGKILL"), kill.delay);
    };
    watchers.push(
      watch(parent, (_event, name) => {
        if (name?.includes(".otpiser-stage-") && Number.isNaN(seen.stage)) {
          seen.stage = performance.now() - t0;
          armKill("after-stage");
        }
      }),
      watch(join(dir, ".otpiser"), (_event, name) => {
        if (name === "journal.json" && Number.isNaN(seen.journal)) {
          seen.journal = performance.now() - t0;
          armKill("after-journal");
        }
      }),
    );
    child = spawn(process.execPath, [CLI, "generate", "-m", v2, "-o", dir, "--no-format"], { stdio: "ignore" });
    armKill("anywhere");
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      for (const w of watchers) w.close();
      seen.total = performance.now() - t0;
      resolve({ ...seen, killed: signal === "SIGKILL", code });
    });
  });
}

/**
 * A copy of the old tree to run on. On Linux its files are hard links (cp -al), which is safe because otpiser never
 * writes into an existing file — it renames new ones over them or unlinks them — and a write in place would still
 * be caught: it would change the old tree's bytes, which the test compares against a snapshot taken at the start.
 */
async function copyTree(from: string, to: string): Promise<void> {
  await execa("cp", [process.platform === "linux" ? "-al" : "-a", from, to]);
}

const scratch: string[] = [];
afterAll(async () => {
  if (process.env["OTPISER_KEEP_E2E"]) return;
  for (const d of scratch) await rm(d, { recursive: true, force: true });
});

describe("generate under SIGKILL", () => {
  it(`leaves the complete old tree or the complete new tree (or a journal that finishes it), ${RUNS} kills`, { timeout: 600_000 }, async () => {
    const work = await tempDir("otpiser-crash-");
    scratch.push(work);
    const v1 = join(work, "v1.toml");
    const v2 = join(work, "v2.toml");
    await writeFile(v1, manifest(SERVICES, 1));
    await writeFile(v2, manifest(SERVICES, 2));
    const oldDir = join(work, "old", "fleet");
    const first = await otpiser(["generate", "-m", v1, "-o", oldDir, "--no-format"]);
    expect(first.exitCode, first.stderr).toBe(0);
    const oldTree = await snapshot(oldDir);

    // The reference run: the new tree, and how long a normal run takes (the range of the kill delays).
    await mkdir(join(work, "ref"));
    const refDir = join(work, "ref", "fleet");
    await copyTree(oldDir, refDir);
    const reference = await runGenerate(join(work, "ref"), refDir, v2);
    expect(reference.code).toBe(0);
    const newTree = await snapshot(refDir);
    expect(sameTree(oldTree, newTree)).toBe(false);
    const changed = [...newTree.files].filter(([p, h]) => oldTree.files.get(p) !== h).length;
    const removed = [...oldTree.files.keys()].filter((p) => !newTree.files.has(p)).length;
    expect(changed).toBeGreaterThan(100);
    expect(removed).toBeGreaterThan(10);
    expect(await lockConsistent(refDir, newTree)).toEqual([]);

    // How long a normal run takes, kept current from every run that was not killed (the machine's load changes).
    const typical: Timings = { ...reference };
    const random = prng(SEED);
    const phases: Record<Phase, number> = { "before staging": 0, staging: 0, "mid-commit": 0, "after commit": 0 };
    const schedules: Schedule[] = ["anywhere", "after-stage", "after-journal"];
    let strayStages = 0;
    /** Wall-clock ms per activity, for the summary (where the test's time goes; never asserted). */
    const spent = { copy: 0, generate: 0, inspect: 0, recover: 0 };
    let clock = performance.now();
    const tick = (what: keyof typeof spent) => {
      const now = performance.now();
      spent[what] += now - clock;
      clock = now;
    };
    for (let run = 0; run < RUNS; run++) {
      const parent = join(work, `run-${run}`);
      const dir = join(parent, "fleet");
      clock = performance.now();
      await mkdir(parent);
      await copyTree(oldDir, dir);
      tick("copy");
      const schedule = schedules[run % schedules.length]!;
      const window =
        schedule === "anywhere" ? typical.total : schedule === "after-stage" ? typical.total - typical.stage : typical.total - typical.journal;
      const delay = Math.floor(random() * window * 1.1);
      const r = await runGenerate(parent, dir, v2, { schedule, delay });
      tick("generate");
      const context = `run ${run} (seed ${SEED}, ${schedule} +${delay} ms)`;
      if (!r.killed) {
        expect(r.code, `${context}: exited by itself`).toBe(0);
        if (Number.isFinite(r.stage) && Number.isFinite(r.journal)) Object.assign(typical, { total: r.total, stage: r.stage, journal: r.journal });
      }
      const tree = await snapshot(dir);
      // A run that finished must produce exactly the reference tree (if not, otpiser's output changed under the test).
      if (!r.killed) expect(treeDiff(tree, newTree), `${context}: a complete run differs from the reference run`).toEqual([]);
      expect(tornPaths(tree, oldTree, newTree), `${context}: files neither old nor new (${r.killed ? "killed" : "not killed"})`).toEqual([]);
      const stages = (await readdir(parent)).filter((n) => n.includes(".otpiser-stage-"));
      if (tree.files.has(JOURNAL)) {
        phases["mid-commit"]++;
        tick("inspect");
        const recovered = await otpiser(["generate", "-m", v2, "-o", dir, "--no-format", "--json"]);
        tick("recover");
        expect(recovered.exitCode, `${context}: ${recovered.stderr}`).toBe(0);
        const report = JSON.parse(recovered.stdout) as { status: string; recovery?: { completed: boolean; missing: string[] } };
        expect(report.recovery, context).toMatchObject({ completed: true, missing: [] });
        expect(report.status, context).toBe("up-to-date");
        const after = await snapshot(dir);
        expect(treeDiff(after, newTree), `${context}: not the new tree after the roll-forward`).toEqual([]);
        expect(await lockConsistent(dir, after), context).toEqual([]);
        // The recovering run's own comparison already found nothing left to do; one more, separate run says so too.
        if (phases["mid-commit"] === 1) {
          const check = await otpiser(["generate", "-m", v2, "-o", dir, "--no-format", "--check"]);
          expect(check.exitCode, `${context}: ${check.stdout}${check.stderr}`).toBe(0);
          tick("recover");
        }
        expect((await readdir(parent)).filter((n) => n.includes(".otpiser-stage-")), `${context}: stage left after the roll-forward`).toEqual([]);
      } else if (sameTree(tree, newTree)) {
        phases["after commit"]++;
      } else {
        expect(treeDiff(tree, oldTree), `${context}: neither the old nor the new tree, and no journal (diff from the old one)`).toEqual([]);
        if (stages.length > 0) phases.staging++;
        else phases["before staging"]++;
        // An abandoned stage (killed while staging) is outside the project; the next write deletes it (journal.test.ts).
        strayStages += stages.length;
      }
      await rm(parent, { recursive: true, force: true });
      tick("inspect");
    }

    process.stdout.write(
      `crash safety: ${RUNS} SIGKILLs on ${SERVICES} services (${oldTree.files.size} → ${newTree.files.size} files, ${changed} new or changed, ` +
        `${removed} removed), seed ${SEED}, normal run ${Math.round(reference.total)} ms ` +
        `(stage at ${Math.round(reference.stage)} ms, journal at ${Math.round(reference.journal)} ms)\n` +
        `  kills by phase: ${Object.entries(phases).map(([p, n]) => `${p} ${n}`).join(", ")}; abandoned stage directories ${strayStages}\n` +
        `  time: ${Object.entries(spent).map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)} s`).join(", ")}\n`,
    );
    expect(Object.values(phases).reduce((a, b) => a + b, 0)).toBe(RUNS);
  });
});
