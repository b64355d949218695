import { Args, Flags } from "@oclif/core";
import Handlebars from "handlebars";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, join, relative, resolve } from "node:path";
import { EXIT, UserError } from "../cli/errors.js";
import { ProjectCommand } from "../cli/generate-project.js";
import { PACKAGE_ROOT } from "../cli/package-root.js";
import { progress } from "../cli/progress.js";
import { PromptCancelled, Prompter, canPrompt, type Choice } from "../cli/prompt.js";
import { sortDiagnostics } from "../diagnostics/render.js";
import { dnsName } from "../manifest/validate-deploy.js";
import { ALIAS_PATTERN, ID_PATTERN, camelCase, fixId } from "../manifest/names.js";
import { check } from "../pipeline.js";

/** The starter manifests, `templates/manifest/<name>.toml.hbs`, in the order `--list-templates` shows them. */
export const TEMPLATES: readonly Choice[] = [
  { value: "minimal", description: "a small starter: config, a repo that depends on it, a registry, a task supervisor, an API" },
  { value: "microservice-mesh", description: "local and remote services behind circuit breakers, health over HTTP, a DNS cluster, Docker + Kubernetes" },
  { value: "iot-fleet", description: "a state machine per device, telemetry ingestion with backpressure, an ETS cache, a pool of writers" },
  { value: "chat-system", description: "rooms on demand in a registry, cluster-wide presence with :pg groups, message fan-out, push behind a breaker" },
];
const DEFAULT_TEMPLATE = "minimal";

export default class Init extends ProjectCommand {
  static override summary = "Write a commented starter otpiser.toml from a template.";
  static override description =
    "Creates DIR (default: the current directory) if needed and writes otpiser.toml there from a template: `minimal` " +
    "(the default), `microservice-mesh`, `iot-fleet` or `chat-system` (--list-templates describes them). Every " +
    "template validates without warnings, and the project it generates compiles and passes its own tests as it is. " +
    "On a terminal it asks for the app name, the template and whether to generate the project right away; with " +
    "--yes, --json, or stdin/stdout that are not a terminal it asks nothing and uses the flags and defaults. " +
    "Never overwrites an existing manifest. Exit codes: 0 written, 1 bad input or an existing manifest, 2 internal error.";
  static override examples = [
    "<%= config.bin %> <%= command.id %>                     # on a terminal: asks name, template, generate?",
    "<%= config.bin %> <%= command.id %> shop --template chat-system --yes",
    "<%= config.bin %> <%= command.id %> fleet -t iot-fleet --name fleet --generate",
    "<%= config.bin %> <%= command.id %> --list-templates",
    "<%= config.bin %> <%= command.id %> payments --json",
  ];
  static override args = {
    dir: Args.string({ description: "Directory to write otpiser.toml into.", default: "." }),
  };
  static override flags = {
    name: Flags.string({ char: "n", description: "OTP application name (default: derived from DIR's name)." }),
    template: Flags.string({
      char: "t",
      description: `Starter manifest to write (default: ${DEFAULT_TEMPLATE}).`,
      options: TEMPLATES.map((t) => t.value),
    }),
    "list-templates": Flags.boolean({ description: "List the templates with a one-line description, and write nothing." }),
    generate: Flags.boolean({
      char: "g",
      description: "Also generate the mix project next to the manifest, as `otpiser generate` would (on a terminal: asked; default no).",
      allowNo: true,
    }),
    yes: Flags.boolean({ char: "y", description: "Ask nothing: use the flags and the defaults." }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Init);
    this.setup(flags);
    if (flags["list-templates"]) {
      this.listTemplates();
      return;
    }
    const dir = resolve(args.dir);
    const path = join(dir, "otpiser.toml");
    const shown = relative(process.cwd(), path) || path;
    if (existsSync(path)) throw alreadyExists(shown);
    const derived = fixId(basename(dir)) ?? "my_app";

    let { name, template, generate } = flags;
    if (name !== undefined) checkName(name); // before any question
    if (canPrompt({ stdin: process.stdin, stdout: process.stdout, yes: flags.yes, json: this.jsonMode })) {
      ({ name, template, generate } = await this.ask({ name, template, generate }, derived));
    }
    name ??= derived;
    template ??= DEFAULT_TEMPLATE;
    checkName(name);

    const text = await render(template, name);
    // A template may not fit every name (a Kubernetes object name has a length limit): check before writing.
    const checked = check({ path: shown, text });
    if (!checked.ok) {
      const diagnostics = sortDiagnostics(checked.diagnostics);
      this.printDiagnostics(diagnostics, { path: shown, text });
      throw new UserError(`the ${template} template does not fit the app name "${name}"; nothing was written`, this.jsonMode ? diagnostics : [], "choose another --name (or another --template)");
    }

    await mkdir(dir, { recursive: true });
    try {
      await writeFile(path, text, { flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") throw alreadyExists(shown);
      throw error;
    }
    if (!this.jsonMode) process.stderr.write(`wrote ${shown} (template ${template}, app \`${name}\`)\n`);

    if (generate !== true) {
      if (this.jsonMode) this.printJson({ ok: true, path, app: name, template, generated: null });
      else process.stderr.write(`next: otpiser validate -m ${shown} && otpiser info -m ${shown} --explain && otpiser generate -m ${shown}\n`);
      process.exitCode = EXIT.ok;
      return;
    }

    const project = await this.checkedManifest(path, "the manifest was written, the project was not generated");
    const options = { out: dir, format: true, consequence: "the manifest was written, the project was not generated" };
    this.checkGeneratable(project, options);
    const generated = await progress(process.stderr, { quiet: this.jsonMode }).step("generating the project", () => this.writeProject(project, options));
    this.noteFormatting(generated);
    const w = generated.result;
    if (this.jsonMode) {
      this.printJson({
        ok: w.status !== "conflicts",
        path,
        app: name,
        template,
        generated: { status: w.status, out: w.outDir, formatted: generated.formatted, counts: w.counts, conflicts: w.conflicts.map((a) => ({ path: a.path, reason: a.reason })) },
      });
    } else {
      this.reportGeneration(w, { dryRun: false, diff: false, next: true });
    }
    process.exitCode = w.status === "conflicts" ? EXIT.user : EXIT.ok;
  }

  /** `--list-templates`: a table on stdout, or `{ok, templates: [{name, description, default}]}`. */
  private listTemplates(): void {
    if (this.jsonMode) {
      this.printJson({ ok: true, templates: TEMPLATES.map((t) => ({ name: t.value, description: t.description, default: t.value === DEFAULT_TEMPLATE })) });
      return;
    }
    const width = Math.max(...TEMPLATES.map((t) => t.value.length));
    for (const t of TEMPLATES) process.stdout.write(`${t.value.padEnd(width)}  ${t.description}${t.value === DEFAULT_TEMPLATE ? " (default)" : ""}\n`);
  }

  /** The interactive path: asks what the flags left open. Ctrl-C or end of input cancels with nothing written. */
  private async ask(
    given: { name: string | undefined; template: string | undefined; generate: boolean | undefined },
    derived: string,
  ): Promise<{ name: string; template: string; generate: boolean }> {
    const prompter = new Prompter({ input: process.stdin, output: process.stderr, style: { bold: this.paint.bold, dim: this.paint.dim } });
    try {
      const name = given.name ?? (await prompter.text("App name", { default: derived, validate: (answer) => nameProblem(answer)?.message }));
      const template = given.template ?? (await prompter.select("Template", TEMPLATES, DEFAULT_TEMPLATE));
      const generate = given.generate ?? (await prompter.confirm("Generate the mix project now?", true));
      return { name, template, generate };
    } catch (error) {
      if (error instanceof PromptCancelled) throw new UserError("init cancelled; nothing was written");
      throw error;
    } finally {
      prompter.close();
    }
  }
}

function alreadyExists(path: string): UserError {
  return new UserError(`${path} already exists; otpiser init never overwrites a manifest`, [], "edit it, or remove it first");
}

function checkName(name: string): void {
  const problem = nameProblem(name);
  if (problem !== undefined) throw new UserError(problem.message, [], problem.fix ? `use --name ${problem.fix}` : undefined);
}

/** Why `name` cannot be the OTP application name (with the closest valid one), or undefined when it can. */
function nameProblem(name: string): { message: string; fix?: string } | undefined {
  if (!ID_PATTERN.test(name)) {
    const fix = fixId(name);
    return { message: `invalid application name "${name}": it must match [a-z][a-z0-9_]*${fix ? ` (for example ${fix})` : ""}`, ...(fix ? { fix } : {}) };
  }
  if (!ALIAS_PATTERN.test(camelCase(name))) return { message: `"${name}" does not give a valid Elixir module name` };
  return undefined;
}

async function render(template: string, name: string): Promise<string> {
  const source = await readFile(join(PACKAGE_ROOT, "templates", "manifest", `${template}.toml.hbs`), "utf8");
  return Handlebars.compile(source, { noEscape: true, strict: true })({ name, module: camelCase(name), dns: dnsName(name) });
}
