import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { sq } from "../../src/cli/completions/bash.js";
import { SHELLS, completionModel, completionScript, type CommandMeta, type Shell } from "../../src/cli/completions/index.js";
import { ROOT, otpiser } from "../helpers/cli.js";

/**
 * `otpiser completion bash|zsh|fish`: each script is checked by its shell's parser and then made to complete, the
 * way the shell does on Tab: bash through its completion function (COMP_WORDS/COMP_CWORD), fish with `complete -C`,
 * zsh in a pseudo-terminal (zpty) with compadd recording the matches. zsh and fish are skipped when missing unless
 * OTPISER_REQUIRE_TOOLS=1 (CI, which installs them).
 */

const REQUIRED = process.env["OTPISER_REQUIRE_TOOLS"] === "1";
const has = (tool: string) => spawnSync(tool, ["--version"], { stdio: "ignore" }).status === 0;
const HAS_ZSH = has("zsh");
const HAS_FISH = has("fish");
for (const [tool, present] of [["zsh", HAS_ZSH], ["fish", HAS_FISH]] as const) {
  if (!present && !REQUIRED) console.warn(`test/cli/completion.test.ts: ${tool} not found, its completion checks skipped (apt-get install ${tool}; OTPISER_REQUIRE_TOOLS=1 makes this an error)`);
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "otpiser-completion-"));
  dirs.push(dir);
  return dir;
}

/** A directory to complete in: two manifests, a text file and a subdirectory. */
function workspace(): string {
  const dir = tempDir();
  writeFileSync(join(dir, "otpiser.toml"), "");
  writeFileSync(join(dir, "other.toml"), "");
  writeFileSync(join(dir, "notes.txt"), "");
  mkdirSync(join(dir, "sub"));
  return dir;
}

/** Writes `script` for `shell` where that shell looks for it; returns its path. */
function install(shell: Shell, script: string): string {
  const dir = tempDir();
  const path = join(dir, shell === "zsh" ? "_otpiser" : shell === "fish" ? "otpiser.fish" : "otpiser.bash");
  writeFileSync(path, script);
  return path;
}

/** Completes each command line (words; the last is the one being completed) with the bash script: sorted matches. */
async function bashComplete(scriptPath: string, cwd: string, lines: string[][]): Promise<string[][]> {
  const driver = [
    `source ${sq(scriptPath)}`,
    't() { COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE="$*"; COMPREPLY=(); _otpiser_complete; printf "%s\\n" "${COMPREPLY[*]}"; }',
    ...lines.map((words) => `t ${words.map(sq).join(" ")}`),
  ].join("\n");
  const r = await execa("bash", ["--norc", "--noprofile", "-c", driver], { cwd, reject: false });
  expect(r.stderr).toBe("");
  expect(r.exitCode).toBe(0);
  return String(r.stdout).split("\n").slice(0, lines.length).map((l) => l.split(" ").filter(Boolean).sort());
}

/** `complete -C` for each line in one fish: sorted first columns (the candidates). */
async function fishComplete(scriptPath: string, cwd: string, lines: string[]): Promise<string[][]> {
  const code = `source ${sq(scriptPath)}; for line in $argv; echo '<<<'; complete -C"$line"; end; echo '<<<'`;
  const r = await execa("fish", ["--no-config", "-c", code, ...lines], { cwd, reject: false });
  expect(r.stderr).toBe("");
  return String(r.stdout).split("<<<").slice(1, lines.length + 1).map((block) => block.split("\n").filter(Boolean).map((l) => l.split("\t")[0]!).sort());
}

/**
 * Types each line into an interactive zsh (in a pseudo-terminal) and presses Tab: the matches compadd received.
 * `load` is how the script is installed: autoloaded from fpath as `_otpiser`, or sourced after compinit.
 */
async function zshComplete(scriptPath: string, load: "fpath" | "source", cwd: string, lines: string[]): Promise<string[][]> {
  const work = tempDir();
  const dir = scriptPath.slice(0, scriptPath.lastIndexOf("/"));
  const setup = [
    'PS1="RE""ADY> "; bindkey -e; unsetopt auto_list auto_menu; setopt no_beep',
    load === "fpath" ? `fpath=(${dir} $fpath); autoload -Uz compinit; compinit -u -D` : `autoload -Uz compinit; compinit -u -D; source ${scriptPath}`,
    'compadd() { local -a __hits; builtin compadd -O __hits "$@"; print -rl -- $__hits >> $__out; builtin compadd "$@"; }',
  ];
  // zsh drops what is typed while a command runs, so each line is typed only once the prompt is back: after the
  // output of a marker (typed as arithmetic, so its echo cannot match) and the prompt that follows it.
  const harness = `
zmodload zsh/zpty
zpty z zsh -f -i
integer i=0
ready() { zpty -w z "$1; print -r -- MARK\\$((\${i} + 1000))"; zpty -r z junk "*MARK$((i + 1000))*READY> *"; i+=1; }
${setup.map((s) => `ready ${sq(s)}`).join("\n")}
integer n=0
for line in "$@"; do
  n+=1
  : > ${work}/out.$n
  ready "__out=${work}/out.$n"
  zpty -w -n z "$line"$'\\t'$'\\C-u'
done
ready 'true'
zpty -d z
`;
  writeFileSync(join(work, "harness.zsh"), harness);
  const r = await execa("zsh", ["-f", join(work, "harness.zsh"), ...lines], { cwd, reject: false, timeout: 20_000 });
  expect(r.exitCode, String(r.stderr)).toBe(0);
  return lines.map((_, i) => [...new Set(readFileSync(join(work, `out.${i + 1}`), "utf8").split("\n").filter(Boolean))].sort());
}

/**
 * Commands as oclif describes them, with what future commands may bring: a topic (`deploy check`), an alias,
 * enum flags and arguments, a repeatable flag, `--no-` flags, hidden commands and flags, and descriptions with
 * quotes, brackets, colons and dollars that every shell must keep literal.
 */
const SAMPLE: CommandMeta[] = [
  {
    id: "generate",
    summary: "Write the project.",
    flags: {
      manifest: { name: "manifest", type: "option", char: "m", description: "Path of the manifest." },
      out: { name: "out", type: "option", char: "o", description: "Output directory." },
      format: { name: "format", type: "boolean", allowNo: true, description: "Run the formatter (`elixir`; --no-format: don't)." },
      "dry-run": { name: "dry-run", type: "boolean", char: "n", description: "Write nothing [really]: $HOME stays." },
      debug: { name: "debug", type: "boolean", hidden: true, description: "Hidden." },
    },
  },
  {
    id: "visualise",
    aliases: ["visualize"],
    description: "Draw the tree. As ASCII, Mermaid, DOT or HTML.",
    flags: {
      format: { name: "format", type: "option", options: ["ascii", "mermaid", "dot", "html"], description: "Output format." },
      manifest: { name: "manifest", type: "option", char: "m", description: "Path of the manifest." },
    },
  },
  {
    id: "deploy:check",
    summary: "Check one deploy target's files.",
    flags: {
      target: { name: "target", type: "option", char: "t", multiple: true, options: ["docker", "kubernetes"], description: "Target to check." },
    },
  },
  {
    id: "init",
    summary: "Write a starter manifest.",
    args: { dir: { name: "dir", description: "Directory to write otpiser.toml into." } },
    flags: {
      template: { name: "template", type: "option", char: "t", options: ["minimal", "iot-fleet"], description: "Starter template." },
      name: { name: "name", type: "option", char: "n", description: "Application name." },
    },
  },
  { id: "completion", summary: "Print a completion script.", args: { shell: { name: "shell", description: "The shell.", options: ["bash", "zsh", "fish"] } } },
  { id: "secret", summary: "Hidden.", hidden: true },
];
const sample = completionModel("otpiser", "9.9.9", SAMPLE);

describe("completion model", () => {
  it("reads commands, aliases, topics, flags and argument values from oclif's metadata, leaving hidden ones out", () => {
    expect(sample.commands.map((c) => c.words.join(" "))).toEqual(["completion", "deploy check", "generate", "init", "visualise", "visualize"]);
    const generate = sample.commands.find((c) => c.id === "generate")!;
    expect(generate.flags.map((f) => f.name)).toEqual(["dry-run", "format", "manifest", "out"]);
    expect(generate.flags.find((f) => f.name === "manifest")!.value).toEqual({ kind: "file", extension: "toml" });
    expect(generate.flags.find((f) => f.name === "out")!.value).toEqual({ kind: "dir" });
    expect(generate.flags.find((f) => f.name === "format")!.allowNo).toBe(true);
    expect(generate.flags.find((f) => f.name === "format")!.value).toBeUndefined();
    const init = sample.commands.find((c) => c.id === "init")!;
    expect(init.args[0]!.value).toEqual({ kind: "dir" });
    expect(init.flags.find((f) => f.name === "name")!.value).toEqual({ kind: "none" });
    expect(sample.commands.find((c) => c.id === "visualise")!.summary).toBe("Draw the tree.");
  });
});

describe("bash", () => {
  it("the script parses (bash -n)", async () => {
    const r = await execa("bash", ["-n", install("bash", completionScript("bash", sample))], { reject: false });
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
  });

  it("completes commands, topics, flags, enum values, *.toml files, directories and positional arguments", async () => {
    const cwd = workspace();
    const script = install("bash", completionScript("bash", sample));
    const cases: [string[], string[]][] = [
      [["otpiser", ""], ["completion", "deploy", "generate", "init", "visualise", "visualize"]],
      [["otpiser", "gen"], ["generate"]],
      [["otpiser", "vis"], ["visualise", "visualize"]],
      [["otpiser", "deploy", ""], ["check"]],
      [["otpiser", "deploy", "check", "--t"], ["--target"]],
      [["otpiser", "deploy", "check", "-t", "k"], ["kubernetes"]],
      [["otpiser", "-"], ["--help", "--version"]],
      [["otpiser", "generate", "--"], ["--dry-run", "--format", "--help", "--manifest", "--no-format", "--out"]],
      [["otpiser", "generate", "--no"], ["--no-format"]],
      [["otpiser", "generate", "-m", ""], ["other.toml", "otpiser.toml", "sub"]],
      [["otpiser", "generate", "--manifest", "=", "otp"], ["otpiser.toml"]],
      [["otpiser", "generate", "-o", ""], ["sub"]],
      [["otpiser", "visualise", "--format", ""], ["ascii", "dot", "html", "mermaid"]],
      [["otpiser", "visualize", "--format", "=", "m"], ["mermaid"]],
      [["otpiser", "visualise", "--format", "="], ["ascii", "dot", "html", "mermaid"]],
      [["otpiser", "completion", ""], ["bash", "fish", "zsh"]],
      [["otpiser", "completion", "z"], ["zsh"]],
      [["otpiser", "init", "-t", ""], ["iot-fleet", "minimal"]],
      [["otpiser", "init", "-n", "shop", ""], ["sub"]],
      [["otpiser", "init", "--template=minimal", ""], ["sub"]],
      [["otpiser", "init", "-n", ""], []],
      [["otpiser", "secret", ""], []],
      [["otpiser", "sec"], []],
    ];
    const results = await bashComplete(script, cwd, cases.map(([words]) => words));
    cases.forEach(([words, expected], i) => expect(results[i], words.join(" ")).toEqual(expected.sort()));
  });

  it("keeps descriptions and values literal: nothing of a description is run", async () => {
    const script = completionScript("bash", sample);
    expect(script).not.toMatch(/\$HOME stays/); // bash shows no descriptions; nothing to escape
    expect(script).toContain("complete -F _otpiser_complete otpiser");
  });
});

describe.runIf(HAS_ZSH || REQUIRED)("zsh", { timeout: 60_000 }, () => {
  it.runIf(REQUIRED)("zsh is installed (OTPISER_REQUIRE_TOOLS=1)", () => expect(HAS_ZSH, "apt-get install zsh").toBe(true));

  it("the script parses (zsh -n)", async () => {
    const r = await execa("zsh", ["-n", install("zsh", completionScript("zsh", sample))], { reject: false });
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
  });

  for (const load of ["fpath", "source"] as const) {
    it(`completes on Tab (${load === "fpath" ? "autoloaded from $fpath" : "sourced"})`, async () => {
      const cwd = workspace();
      const script = install("zsh", completionScript("zsh", sample));
      const cases: [string, string[]][] = [
        ["otpiser ", ["completion", "deploy", "generate", "init", "visualise", "visualize"]],
        ["otpiser gen", ["generate"]],
        ["otpiser deploy ", ["check"]],
        ["otpiser deploy check --target ", ["docker", "kubernetes"]],
        ["otpiser generate --no", ["--no-format"]],
        ["otpiser generate -m ", ["other.toml", "otpiser.toml", "sub/"]],
        ["otpiser generate --manifest=otp", ["otpiser.toml"]],
        ["otpiser visualise --format ", ["ascii", "dot", "html", "mermaid"]],
        ["otpiser visualize --format=m", ["mermaid"]],
        ["otpiser completion ", ["bash", "fish", "zsh"]],
        ["otpiser init --template ", ["iot-fleet", "minimal"]],
      ];
      const results = await zshComplete(script, load, cwd, cases.map(([line]) => line));
      cases.forEach(([line, expected], i) => {
        // zsh lists directories with or without their slash depending on the match's suffix settings.
        expect(results[i]!.map((m) => (m === "sub" ? "sub/" : m)), line).toEqual(expect.arrayContaining(expected));
        expect(results[i]!.length, `${line}: ${results[i]!.join(" ")}`).toBe(expected.length);
      });
    });
  }

  it("keeps descriptions literal inside _arguments specs", () => {
    const script = completionScript("zsh", sample);
    expect(script).toContain("Write nothing \\[really\\]: $HOME stays.");
    expect(script).toContain("'\\''");
  });
});

describe.runIf(HAS_FISH || REQUIRED)("fish", () => {
  it.runIf(REQUIRED)("fish is installed (OTPISER_REQUIRE_TOOLS=1)", () => expect(HAS_FISH, "apt-get install fish").toBe(true));

  it("the script parses (fish --no-execute)", async () => {
    const r = await execa("fish", ["--no-execute", install("fish", completionScript("fish", sample))], { reject: false });
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
  });

  it("completes with complete -C", async () => {
    const cwd = workspace();
    const script = install("fish", completionScript("fish", sample));
    const cases: [string, string[]][] = [
      ["otpiser ", ["completion", "deploy", "generate", "init", "visualise", "visualize"]],
      ["otpiser gen", ["generate"]],
      ["otpiser deploy ", ["check"]],
      ["otpiser deploy check --target ", ["docker", "kubernetes"]],
      ["otpiser generate --no", ["--no-format"]],
      ["otpiser generate -m ", ["other.toml", "otpiser.toml", "sub/"]],
      ["otpiser generate --manifest=otp", ["--manifest=otpiser.toml"]],
      ["otpiser generate -o ", ["sub/"]],
      ["otpiser visualise --format ", ["ascii", "dot", "html", "mermaid"]],
      ["otpiser completion ", ["bash", "fish", "zsh"]],
      ["otpiser completion bash ", []],
      ["otpiser init ", ["sub/"]],
      ["otpiser init --template ", ["iot-fleet", "minimal"]],
      ["otpiser init -n shop ", ["sub/"]],
      ["otpiser secret ", []],
    ];
    const results = await fishComplete(script, cwd, cases.map(([line]) => line));
    cases.forEach(([line, expected], i) => expect(results[i], line).toEqual(expected.sort()));
  });

  it("shows each command's summary beside it", async () => {
    const results = await execa("fish", ["--no-config", "-c", `source ${sq(install("fish", completionScript("fish", sample)))}; complete -C'otpiser gen'`]);
    expect(String(results.stdout)).toBe("generate\tWrite the project.");
  });
});

/** The built CLI and its real commands (oclif.manifest.json, which `npm run build` writes). */
describe("otpiser completion", { timeout: 60_000 }, () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, "oclif.manifest.json"), "utf8")) as { version: string; commands: Record<string, CommandMeta> };
  const commands = Object.values(manifest.commands).filter((c) => !c.hidden);
  const expectedIds = commands.flatMap((c) => [c.id, ...(c.aliases ?? [])]).map((id) => id.split(":").join(" ")).sort();

  const scripts = new Map<Shell, string>();
  const scriptOf = async (shell: Shell): Promise<string> => {
    if (!scripts.has(shell)) {
      const r = await otpiser(["completion", shell]);
      expect(r.exitCode).toBe(0);
      expect(r.stderr).toBe("");
      scripts.set(shell, `${r.stdout}\n`); // execa strips the final newline

    }
    return scripts.get(shell)!;
  };

  for (const shell of SHELLS) {
    it(`prints the ${shell} script generated from the commands oclif knows`, async () => {
      const script = await scriptOf(shell);
      expect(script).toBe(completionScript(shell, completionModel("otpiser", manifest.version, commands)));
    });
  }

  it("every command and every flag of the manifest is in all three scripts", async () => {
    expect(expectedIds).toEqual(expect.arrayContaining(["completion", "generate", "info", "init", "validate"]));
    const bash = await scriptOf("bash");
    const zsh = await scriptOf("zsh");
    const fish = await scriptOf("fish");
    const missing: string[] = [];
    for (const c of commands) {
      for (const id of [c.id, ...(c.aliases ?? [])]) {
        const words = id.split(":").join(" ");
        if (!bash.includes(`_otpiser_ids=(`) || !new RegExp(`_otpiser_ids=\\([^)]*'${words}'`).test(bash)) missing.push(`bash: ${words}`);
        if (!new RegExp(`local -a ids=\\([^)]*'${words}'`).test(zsh)) missing.push(`zsh: ${words}`);
        if (!new RegExp(`set -g __otpiser_ids [^\\n]*'${words}'`).test(fish)) missing.push(`fish: ${words}`);
        const bashFlags = new RegExp(`^ {4}'${words}'\\) echo '([^']*)'`, "m").exec(bash)?.[1]?.split(" ") ?? [];
        const zshCase = zsh.slice(zsh.indexOf(`('${words}')\n`), zsh.indexOf(";;", zsh.indexOf(`('${words}')\n`)));
        for (const flag of Object.values(c.flags ?? {}).filter((f) => !f.hidden)) {
          if (!bashFlags.includes(`--${flag.name}`)) missing.push(`bash: ${words} --${flag.name}`);
          if (!zshCase.includes(`--${flag.name}`)) missing.push(`zsh: ${words} --${flag.name}`);
          if (!fish.includes(`-n '__otpiser_using ${words}' -l ${flag.name} `)) missing.push(`fish: ${words} --${flag.name}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it("the real bash script completes a command prefix, a flag and manifests", async () => {
    const cwd = workspace();
    const script = install("bash", await scriptOf("bash"));
    const [gen, strict, manifests, shells] = await bashComplete(script, cwd, [
      ["otpiser", "gen"], ["otpiser", "validate", "--st"], ["otpiser", "info", "-m", ""], ["otpiser", "completion", ""],
    ]);
    expect(gen).toEqual(["generate"]);
    expect(strict).toEqual(["--strict"]);
    expect(manifests).toEqual(["other.toml", "otpiser.toml", "sub"]);
    expect(shells).toEqual(["bash", "fish", "zsh"]);
  });

  it.runIf(HAS_ZSH || REQUIRED)("the real zsh script parses and completes", async () => {
    const script = install("zsh", await scriptOf("zsh"));
    expect((await execa("zsh", ["-n", script], { reject: false })).exitCode).toBe(0);
    const [gen, strict] = await zshComplete(script, "fpath", workspace(), ["otpiser gen", "otpiser validate --st"]);
    expect(gen).toEqual(["generate"]);
    expect(strict).toEqual(["--strict"]);
  });

  it.runIf(HAS_FISH || REQUIRED)("the real fish script parses and completes", async () => {
    const script = install("fish", await scriptOf("fish"));
    expect((await execa("fish", ["--no-execute", script], { reject: false })).exitCode).toBe(0);
    const [gen, strict, manifests] = await fishComplete(script, workspace(), ["otpiser gen", "otpiser validate --st", "otpiser info -m "]);
    expect(gen).toEqual(["generate"]);
    expect(strict).toEqual(["--strict"]);
    expect(manifests).toEqual(["other.toml", "otpiser.toml", "sub/"]);
  });

  it("--json: ok, shell, install commands, the command words and the script", async () => {
    const r = await otpiser(["completion", "zsh", "--json"]);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; shell: string; install: string[]; commands: string[]; script: string };
    expect(Object.keys(out)).toEqual(["ok", "shell", "install", "commands", "script"]);
    expect(out).toMatchObject({ ok: true, shell: "zsh" });
    expect(out.install[0]).toContain("~/.zsh/completions/_otpiser");
    expect(out.commands).toEqual(expectedIds);
    expect(out.script).toBe(await scriptOf("zsh"));
  });

  it("without SHELL argument, completes the shell of $SHELL", async () => {
    const r = await otpiser(["completion"], { env: { SHELL: "/usr/bin/fish" } });
    expect(r.exitCode).toBe(0);
    expect(`${r.stdout}\n`).toBe(await scriptOf("fish"));
  });

  it("an unknown shell is the user's error (exit 1, no stack trace), also in --json", async () => {
    const bad = await otpiser(["completion", "tcsh"]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/^error: .*tcsh.*bash, zsh, fish/m);
    expect(bad.stdout).toBe("");
    const guess = await otpiser(["completion"], { env: { SHELL: "/bin/tcsh" } });
    expect(guess.exitCode).toBe(1);
    expect(guess.stderr).toContain("error: name the shell to complete: bash, zsh, fish ($SHELL is /bin/tcsh)");
    const json = await otpiser(["completion", "--json"], { env: { SHELL: "" } });
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: "name the shell to complete: bash, zsh, fish" });
  });

  it("--help says where each script goes, with examples", async () => {
    const r = await otpiser(["completion", "--help"]);
    expect(r.exitCode).toBe(0);
    for (const where of ["~/.local/share/bash-completion/completions/otpiser", "~/.zsh/completions/_otpiser", "~/.config/fish/completions/otpiser.fish", "compinit"]) {
      expect(r.stdout).toContain(where);
    }
    expect(r.stdout).toMatch(/EXAMPLES[\s\S]*\$ otpiser completion bash >/);
  });
});
