import { Ajv } from "ajv";
import { execa } from "execa";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { parse as parseToml } from "smol-toml";
import { describe, expect, it } from "vitest";
import { PromptCancelled, Prompter, canPrompt, pick } from "../../src/cli/prompt.js";
import { TEMPLATES } from "../../src/commands/init.js";
import type { Diagnostic } from "../../src/diagnostics/types.js";
import { CLI, ROOT, otpiser, proveWithMix, tempDir } from "../helpers/cli.js";

/**
 * `otpiser init`: the templates (each validates without warnings and generates a project that passes all three mix
 * checks), the non-interactive path (flags, defaults, --json, errors), the interactive path through a real
 * pseudo-terminal (util-linux `script`), and the prompt module itself with in-memory streams.
 */
const NAMES = TEMPLATES.map((t) => t.value);

interface InitJson {
  ok: boolean;
  path: string;
  app: string;
  template: string;
  generated: null | { status: string; out: string; formatted: boolean; counts: Record<string, number>; conflicts: { path: string }[] };
}

describe("init templates", () => {
  it("every template file is listed, and every listed template has a file", () => {
    const files = readdirSync(join(ROOT, "templates", "manifest")).filter((f) => f.endsWith(".toml.hbs")).map((f) => f.replace(/\.toml\.hbs$/, ""));
    expect(files.sort()).toEqual([...NAMES].sort());
    expect(NAMES).toEqual(["minimal", "microservice-mesh", "iot-fleet", "chat-system"]);
  });

  it.each(NAMES)("%s starts with the #:schema directive and uses only generated kinds, without hex deps", (name) => {
    const text = readFileSync(join(ROOT, "templates", "manifest", `${name}.toml.hbs`), "utf8");
    expect(text.split("\n")[0]).toBe("#:schema ./otpiser.schema.json");
    expect(text.split("\n")[1]).toMatch(/^# .*otpiser\.schema\.json|^# .*directive/);
    expect(text).not.toMatch(/^kind = "scheduled"/m);
    expect(text).not.toMatch(/^kind = "external"/m);
    expect(text).not.toMatch(/^deps\s*=/m);
    expect(text).not.toMatch(/^telemetry = "telemetry"/m);
  });
});

describe("otpiser init --list-templates", () => {
  it("lists every template with its description, the default marked", async () => {
    const r = await otpiser(["init", "--list-templates"]);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(NAMES);
    expect(lines[0]).toMatch(/\(default\)$/);
    for (const t of TEMPLATES) expect(r.stdout).toContain(t.description);
  });

  it("--json: {ok, templates: [{name, description, default}]}", async () => {
    const r = await otpiser(["init", "--list-templates", "--json"]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({
      ok: true,
      templates: TEMPLATES.map((t) => ({ name: t.value, description: t.description, default: t.value === "minimal" })),
    });
  });

  it("writes nothing", async () => {
    const dir = await tempDir();
    const r = await otpiser(["init", dir, "--list-templates"]);
    expect(r.exitCode).toBe(0);
    expect(existsSync(join(dir, "otpiser.toml"))).toBe(false);
  });
});

/**
 * The whole promise of every template, through the real CLI: init → validate (no errors, no warnings) →
 * generate --no-format → mix compile --warnings-as-errors, mix format --check-formatted, mix test. The four projects
 * are proved concurrently (chat-system and microservice-mesh each run a 3-node cluster test).
 */
describe.concurrent("init --template → validate → generate → mix", () => {
  it.each(NAMES)("%s", { timeout: 600_000 }, async (template) => {
    const app = `${template.replace(/-/g, "_")}_app`;
    const dir = join(await tempDir(), template); // a hyphenated directory: the app name is given
    const init = await otpiser(["init", dir, "--template", template, "--name", app, "--json"]);
    expect(init.exitCode, init.stdout).toBe(0);
    const written = JSON.parse(init.stdout) as InitJson;
    expect(written).toEqual({ ok: true, path: join(dir, "otpiser.toml"), app, template, generated: null });
    const manifest = join(dir, "otpiser.toml");
    expect(readFileSync(manifest, "utf8")).toContain(`name = "${app}"`);

    const valid = await otpiser(["validate", "-m", manifest, "--strict", "--json"]);
    expect(valid.exitCode, valid.stdout).toBe(0);
    expect((JSON.parse(valid.stdout) as { diagnostics: Diagnostic[] }).diagnostics).toEqual([]);

    const gen = await otpiser(["generate", "-m", manifest, "--no-format"]);
    expect(gen.exitCode, gen.stderr).toBe(0);
    // The #:schema directive resolves: the schema is beside the manifest, and an editor checking against it is happy.
    const schema = JSON.parse(await readFile(join(dir, "otpiser.schema.json"), "utf8")) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const asJson = JSON.parse(JSON.stringify(parseToml(readFileSync(manifest, "utf8")))) as unknown;
    expect(validate(asJson), JSON.stringify(validate.errors)).toBe(true);
    const proof = await proveWithMix(dir);
    expect(proof.ok, `${template}: ${proof.step}\n${proof.output}`).toBe(true);
    expect(proof.testSummary).toMatch(/^\d+ tests, 0 failures/);
  });
});

describe.concurrent("otpiser init, non-interactive", { timeout: 120_000 }, () => {
  it("defaults to the minimal template and a name derived from the directory; --json gives the documented shape", async () => {
    const dir = join(await tempDir(), "order-book");
    const r = await otpiser(["init", dir, "--json"]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, path: join(dir, "otpiser.toml"), app: "order_book", template: "minimal", generated: null });
    const text = readFileSync(join(dir, "otpiser.toml"), "utf8");
    expect(text.startsWith("#:schema ./otpiser.schema.json\n")).toBe(true);
    expect(text).toBe(await renderedMinimal("order_book"));
  });

  it("text mode says what it wrote and what to run next, on stderr", async () => {
    const base = await tempDir();
    const r = await otpiser(["init", "fleet", "-t", "iot-fleet"], { cwd: base });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("wrote fleet/otpiser.toml (template iot-fleet, app `fleet`)");
    expect(r.stderr).toContain("next: otpiser validate -m fleet/otpiser.toml");
  });

  it("never waits for input when stdin is not a terminal, even if it stays open", async () => {
    const dir = join(await tempDir(), "piped");
    const child = execa(process.execPath, [CLI, "init", dir], { reject: false, stdin: "pipe", timeout: 20_000 });
    const r = await child; // stdin is never written to nor closed: a prompt would hang until the timeout
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(0);
    expect(String(r.stderr)).not.toContain("?");
    expect(existsSync(join(dir, "otpiser.toml"))).toBe(true);
  });

  it("refuses to overwrite an existing manifest: exit 1, the file untouched, JSON error", async () => {
    const dir = await tempDir();
    const path = join(dir, "otpiser.toml");
    await writeFile(path, "# mine\n");
    for (const args of [["init", dir, "-t", "chat-system"], ["init", dir, "--generate", "--yes"]]) {
      const r = await otpiser(args);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain("already exists; otpiser init never overwrites a manifest");
    }
    const json = await otpiser(["init", dir, "--json"]);
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: expect.stringContaining("already exists") });
    expect(await readFile(path, "utf8")).toBe("# mine\n");
    expect(readdirSync(dir)).toEqual(["otpiser.toml"]);
  });

  it("an unknown template is exit 1 listing the templates, and writes nothing", async () => {
    const dir = await tempDir();
    const r = await otpiser(["init", dir, "--template", "kafka"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("minimal, microservice-mesh, iot-fleet, chat-system");
    expect(r.stderr).toContain("otpiser init --help");
    expect(existsSync(join(dir, "otpiser.toml"))).toBe(false);
  });

  it("an invalid --name is exit 1 with the snake_case fix, in text and JSON", async () => {
    const dir = await tempDir();
    const r = await otpiser(["init", dir, "--name", "Chat-Server", "-t", "chat-system"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('invalid application name "Chat-Server"');
    expect(r.stderr).toContain("hint: use --name chat_server");
    const json = await otpiser(["init", dir, "--name", "9lives", "--json"]);
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: expect.stringContaining('"9lives"') });
    expect(existsSync(join(dir, "otpiser.toml"))).toBe(false);
  });

  it("a name the template cannot take is the manifest's diagnostic, at its line, and nothing is written", async () => {
    const dir = await tempDir();
    const long = "a_very_long_application_name_that_kubernetes_cannot_take"; // > 54 characters hyphenated: E029
    const r = await otpiser(["init", dir, "-t", "microservice-mesh", "--name", long], { cwd: dir });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("error[E029]");
    expect(r.stderr).toMatch(/--> otpiser\.toml:\d+:\d+/);
    expect(r.stderr).toContain("the microservice-mesh template does not fit the app name");
    expect(existsSync(join(dir, "otpiser.toml"))).toBe(false);
    const json = await otpiser(["init", dir, "-t", "microservice-mesh", "--name", long, "--json"]);
    expect(json.exitCode).toBe(1);
    const out = JSON.parse(json.stdout) as { ok: boolean; diagnostics: Diagnostic[] };
    expect(out.ok).toBe(false);
    expect(out.diagnostics.map((d) => d.code)).toEqual(["E029"]);
    expect(out.diagnostics[0]!.span?.line).toBeGreaterThan(1);
    // The same name fits the other templates.
    expect((await otpiser(["init", dir, "-t", "chat-system", "--name", long])).exitCode).toBe(0);
  });

  it("--generate writes the project next to the manifest; --json reports it", { timeout: 120_000 }, async () => {
    const dir = join(await tempDir(), "gen");
    const r = await otpiser(["init", dir, "--generate", "--json"]);
    expect(r.exitCode, r.stdout).toBe(0);
    const out = JSON.parse(r.stdout) as InitJson;
    expect(out).toMatchObject({ ok: true, app: "gen", template: "minimal", generated: { status: "written", out: dir, conflicts: [] } });
    expect(out.generated!.counts["create"]).toBeGreaterThan(10);
    expect(existsSync(join(dir, "mix.exs"))).toBe(true);
    expect(existsSync(join(dir, "lib", "gen", "config.ex"))).toBe(true);
    // Regenerating from the manifest it wrote changes nothing.
    const again = await otpiser(["generate", "-m", join(dir, "otpiser.toml"), "--json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: "up-to-date" });
  });

  it("--generate never overwrites the user's files: exit 1, the conflicts listed, the manifest alone written", { timeout: 120_000 }, async () => {
    const dir = join(await tempDir(), "existing");
    await mkdir(dir);
    await writeFile(join(dir, "mix.exs"), "# my own project\n");
    const r = await otpiser(["init", dir, "--generate"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("wrote");
    expect(r.stderr).toContain("mix.exs (not written by otpiser)");
    expect(r.stderr).toContain("nothing was written");
    expect(await readFile(join(dir, "mix.exs"), "utf8")).toBe("# my own project\n");
    expect(existsSync(join(dir, "lib"))).toBe(false);
    expect(existsSync(join(dir, "otpiser.toml"))).toBe(true);
  });

  it("progress for the generation step is shown (plain lines when stderr is not a terminal)", { timeout: 120_000 }, async () => {
    const dir = join(await tempDir(), "progress");
    const r = await otpiser(["init", dir, "-g"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain("… generating the project\n");
    expect(r.stderr).toMatch(/✓ generating the project \(\d+\.\d s\)/);
    expect(r.stderr).toContain(`next: `);
  });
});

async function renderedMinimal(name: string): Promise<string> {
  const Handlebars = (await import("handlebars")).default;
  const source = await readFile(join(ROOT, "templates", "manifest", "minimal.toml.hbs"), "utf8");
  return Handlebars.compile(source, { noEscape: true, strict: true })({ name, module: name.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase()), dns: name });
}

// ---------------------------------------------------------------------------------------------------------------
// The interactive path, through a real pseudo-terminal: util-linux `script` gives the CLI a TTY on stdin and stdout.

interface Step {
  /** Output (since the previous step's match) to wait for. */
  expect: string | RegExp;
  /** Keys to type then; "\r" is Enter, "\u0003" Ctrl-C, "\u0004" Ctrl-D. */
  send?: string;
}

const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/** Runs the CLI in a pseudo-terminal, typing each step's keys once its expected output has appeared. */
async function inTerminal(args: string[], steps: Step[], opts: { cwd: string; env?: Record<string, string>; stdinRedirect?: string }) {
  const command = [process.execPath, CLI, ...args].map(quote).join(" ") + (opts.stdinRedirect ? ` < ${opts.stdinRedirect}` : "");
  const env: Record<string, string> = {};
  // A user's terminal, not CI's: CI markers (CI, TF_BUILD, TEAMCITY_VERSION…) make chalk assume no colours even on a tty.
  const dropped = ["NO_COLOR", "FORCE_COLOR", "OTPISER_DEBUG", "CI", "CONTINUOUS_INTEGRATION", "BUILD_NUMBER", "RUN_ID", "TF_BUILD", "TEAMCITY_VERSION", "GITHUB_ACTIONS", "GITLAB_CI"];
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !dropped.includes(k)) env[k] = v;
  const child = execa("script", ["-qec", command, "/dev/null"], {
    cwd: opts.cwd, env: { ...env, TERM: "xterm", ...opts.env }, extendEnv: false, reject: false, stdin: "pipe", timeout: 60_000,
  });
  let output = "";
  let from = 0;
  const waiters: (() => void)[] = [];
  child.stdout!.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
    waiters.splice(0).forEach((w) => w());
  });
  const ended = child.then(() => waiters.splice(0).forEach((w) => w()));
  void ended;
  const found = (pattern: string | RegExp): number => {
    const rest = output.slice(from);
    if (typeof pattern === "string") {
      const i = rest.indexOf(pattern);
      return i < 0 ? -1 : from + i + pattern.length;
    }
    const m = pattern.exec(rest);
    return m ? from + m.index + m[0].length : -1;
  };
  for (const step of steps) {
    const deadline = Date.now() + 30_000;
    let at = found(step.expect);
    while (at < 0) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`never saw ${String(step.expect)} in:\n${output}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
      at = found(step.expect);
    }
    from = at;
    if (step.send !== undefined) child.stdin!.write(step.send);
  }
  const r = await child;
  child.stdin?.end();
  // The terminal's line discipline turns \n into \r\n; readline redraws with cursor escapes.
  const plain = output.replace(/\r/g, "");
  return { exitCode: r.exitCode ?? -1, output: plain, timedOut: r.timedOut };
}

const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "");

describe.concurrent("otpiser init on a terminal", { timeout: 120_000 }, () => {
  it("asks the name (default from the directory), the template and whether to generate", async () => {
    const base = await tempDir();
    const r = await inTerminal(["init", "pay-gate"], [
      { expect: "? App name (pay_gate) ", send: "Bad-Name\r" },
      { expect: 'invalid application name "Bad-Name": it must match [a-z][a-z0-9_]* (for example bad_name)', },
      { expect: "? App name (pay_gate) ", send: "\r" }, // Enter takes the default
      { expect: "4) chat-system" },
      { expect: "choose 1-4 or a name (minimal) ", send: "9\r" },
      { expect: '"9" is none of them' },
      { expect: "choose 1-4 or a name (minimal) ", send: "iot\r" }, // a unique prefix
      { expect: "? Generate the mix project now? (Y/n) ", send: "maybe\r" },
      { expect: "answer y or n" },
      { expect: "? Generate the mix project now? (Y/n) ", send: "n\r" },
      { expect: "wrote pay-gate/otpiser.toml (template iot-fleet, app `pay_gate`)" },
    ], { cwd: base, env: { NO_COLOR: "1" } });
    expect(r.exitCode, r.output).toBe(0);
    expect(r.output).not.toMatch(/\u001b\[[0-9;]*m/); // NO_COLOR: no colours, only readline's cursor moves
    const text = readFileSync(join(base, "pay-gate", "otpiser.toml"), "utf8");
    expect(text).toContain('name = "pay_gate"');
    expect(text).toContain('kind = "gen_statem"');
    expect(existsSync(join(base, "pay-gate", "mix.exs"))).toBe(false);
  });

  it("asks only what the flags leave open; answering yes generates the project, with colours on the terminal", async () => {
    const base = await tempDir();
    const r = await inTerminal(["init", "rooms", "--name", "rooms", "-t", "chat-system"], [
      { expect: /Generate the mix project now\?.*\(Y\/n\)/, send: "\r" },
      { expect: "mix test" },
    ], { cwd: base });
    expect(r.exitCode, r.output).toBe(0);
    expect(stripAnsi(r.output)).not.toContain("App name");
    expect(stripAnsi(r.output)).not.toContain("Template");
    expect(r.output).toMatch(/\u001b\[1m/); // bold question: colours are on for a terminal
    expect(stripAnsi(r.output)).toMatch(/✓ generating the project \(\d+\.\d s\)/);
    expect(stripAnsi(r.output)).toContain("wrote rooms:");
    expect(existsSync(join(base, "rooms", "mix.exs"))).toBe(true);
    expect(existsSync(join(base, "rooms", "lib", "rooms", "push_breaker.ex"))).toBe(true);
  });

  it("Ctrl-C or end of input cancels: exit 1, nothing written", async () => {
    const base = await tempDir();
    const c = await inTerminal(["init", "a"], [{ expect: "? App name", send: "\u0003" }, { expect: "init cancelled; nothing was written" }], { cwd: base, env: { NO_COLOR: "1" } });
    expect(c.exitCode, c.output).toBe(1);
    const d = await inTerminal(["init", "b"], [
      { expect: "? App name", send: "bee\r" },
      { expect: "choose 1-4", send: "\u0004" },
      { expect: "init cancelled; nothing was written" },
    ], { cwd: base, env: { NO_COLOR: "1" } });
    expect(d.exitCode, d.output).toBe(1);
    expect(readdirSync(base)).toEqual([]);
  });

  it("--yes, --json, or stdin that is not the terminal: no questions", async () => {
    const base = await tempDir();
    const yes = await inTerminal(["init", "y1", "--yes"], [{ expect: "wrote y1/otpiser.toml (template minimal, app `y1`)" }], { cwd: base });
    expect(yes.exitCode, yes.output).toBe(0);
    const json = await inTerminal(["init", "j1", "--json", "-t", "iot-fleet"], [{ expect: '"generated": null' }], { cwd: base });
    expect(json.exitCode, json.output).toBe(0);
    expect(JSON.parse(json.output.slice(json.output.indexOf("{")))).toMatchObject({ ok: true, app: "j1", template: "iot-fleet" });
    const redirected = await inTerminal(["init", "r1"], [{ expect: "wrote r1/otpiser.toml" }], { cwd: base, stdinRedirect: "/dev/null" });
    expect(redirected.exitCode, redirected.output).toBe(0);
    for (const r of [yes, json, redirected]) expect(r.output).not.toContain("?");
  });

  it("an existing manifest or an invalid --name is refused before any question", async () => {
    const base = await tempDir();
    await mkdir(join(base, "taken"));
    await writeFile(join(base, "taken", "otpiser.toml"), "# mine\n");
    const r = await inTerminal(["init", "taken"], [{ expect: "already exists" }], { cwd: base, env: { NO_COLOR: "1" } });
    expect(r.exitCode).toBe(1);
    expect(r.output).not.toContain("App name");
    expect(readFileSync(join(base, "taken", "otpiser.toml"), "utf8")).toBe("# mine\n");
    const bad = await inTerminal(["init", "fresh", "--name", "Fresh-App"], [{ expect: "use --name fresh_app" }], { cwd: base, env: { NO_COLOR: "1" } });
    expect(bad.exitCode).toBe(1);
    expect(bad.output).not.toContain("App name");
    expect(existsSync(join(base, "fresh"))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The prompt module with in-memory streams.

function session(opts: { terminal?: boolean } = {}) {
  const input = new PassThrough();
  const output = new PassThrough();
  let written = "";
  output.on("data", (c: Buffer) => (written += c.toString("utf8")));
  const prompter = new Prompter({ input, output, terminal: opts.terminal ?? false });
  return { input, prompter, written: () => written };
}

describe("Prompter", () => {
  it("canPrompt: only when stdin and stdout are TTYs and neither --yes nor --json", () => {
    const tty = { isTTY: true };
    const pipe = {};
    expect(canPrompt({ stdin: tty, stdout: tty, yes: false, json: false })).toBe(true);
    expect(canPrompt({ stdin: pipe, stdout: tty, yes: false, json: false })).toBe(false);
    expect(canPrompt({ stdin: tty, stdout: pipe, yes: false, json: false })).toBe(false);
    expect(canPrompt({ stdin: tty, stdout: tty, yes: true, json: false })).toBe(false);
    expect(canPrompt({ stdin: tty, stdout: tty, yes: false, json: true })).toBe(false);
  });

  it("text: the default on an empty answer, and asks again while validate objects", async () => {
    const s = session();
    s.input.write("\nBad\nok_name\n");
    const validate = (a: string) => (/^[a-z_]+$/.test(a) ? undefined : `"${a}" is not snake_case`);
    expect(await s.prompter.text("Name", { default: "fallback" })).toBe("fallback");
    expect(await s.prompter.text("Name", { default: "fallback", validate })).toBe("ok_name");
    expect(s.written()).toContain('? Name (fallback) Bad\n  "Bad" is not snake_case\n? Name (fallback) ok_name\n');
    s.prompter.close();
  });

  it("text without a default insists on an answer", async () => {
    const s = session();
    s.input.write("  \nsomething\n");
    expect(await s.prompter.text("Thing")).toBe("something");
    expect(s.written()).toContain("an answer is needed");
    s.prompter.close();
  });

  it("select: by number, by name, by unique prefix; Enter takes the default; anything else asks again", async () => {
    const choices = [
      { value: "alpha", description: "the first" },
      { value: "alps", description: "mountains" },
      { value: "beta", description: "the second" },
    ];
    const s = session();
    s.input.write("2\n\nbeta\nal\n7\nb\n");
    expect(await s.prompter.select("Pick", choices, "beta")).toBe("alps");
    expect(await s.prompter.select("Pick", choices, "beta")).toBe("beta");
    expect(await s.prompter.select("Pick", choices, "alpha")).toBe("beta");
    expect(await s.prompter.select("Pick", choices, "alpha")).toBe("beta"); // "al" is ambiguous, 7 out of range
    expect(s.written()).toContain("  1) alpha  the first\n  2) alps   mountains\n  3) beta   the second\n");
    expect(s.written()).toContain('"al" is none of them');
    expect(s.written()).toContain('"7" is none of them: answer with a number from 1 to 3 or a name');
    s.prompter.close();
    expect(pick("3", choices)).toBe("beta");
    expect(pick("0", choices)).toBeUndefined();
    expect(pick("alp", choices)).toBeUndefined();
    expect(pick("alph", choices)).toBe("alpha");
  });

  it("confirm: y/yes/n/no in any case, Enter takes the default", async () => {
    const s = session();
    s.input.write("Y\nno\n\n\nperhaps\nYES\n");
    expect(await s.prompter.confirm("Go?", false)).toBe(true);
    expect(await s.prompter.confirm("Go?", true)).toBe(false);
    expect(await s.prompter.confirm("Go?", true)).toBe(true);
    expect(await s.prompter.confirm("Go?", false)).toBe(false);
    expect(await s.prompter.confirm("Go?", false)).toBe(true);
    expect(s.written()).toContain("? Go? (y/N) ");
    expect(s.written()).toContain("? Go? (Y/n) ");
    expect(s.written()).toContain("answer y or n");
    s.prompter.close();
  });

  it("waits for an answer typed later", async () => {
    const s = session();
    const answer = s.prompter.text("Later");
    await new Promise((r) => setTimeout(r, 20));
    expect(s.written()).toBe("? Later ");
    s.input.write("now\n");
    expect(await answer).toBe("now");
    s.prompter.close();
  });

  it("end of input rejects the pending question and every later one with PromptCancelled", async () => {
    const s = session();
    const pending = s.prompter.text("Name");
    s.input.end();
    await expect(pending).rejects.toBeInstanceOf(PromptCancelled);
    await expect(s.prompter.confirm("Again?", true)).rejects.toBeInstanceOf(PromptCancelled);
  });

  it("answers already read before the end of input are still used", async () => {
    const s = session();
    s.input.end("first\n");
    await new Promise((r) => setTimeout(r, 20));
    expect(await s.prompter.text("One")).toBe("first");
    await expect(s.prompter.text("Two")).rejects.toBeInstanceOf(PromptCancelled);
  });

  it("Ctrl-C on a terminal cancels", async () => {
    const s = session({ terminal: true });
    const pending = s.prompter.text("Name");
    s.input.write("\u0003");
    await expect(pending).rejects.toBeInstanceOf(PromptCancelled);
  });

  it("style wraps the question and the hints", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let written = "";
    output.on("data", (c: Buffer) => (written += c.toString("utf8")));
    const p = new Prompter({ input, output, terminal: false, style: { bold: (s) => `*${s}*`, dim: (s) => `_${s}_` } });
    input.write("\n");
    expect(await p.text("Name", { default: "x" })).toBe("x");
    expect(written).toBe("*?* *Name* _(x)_ \n");
    p.close();
  });
});
