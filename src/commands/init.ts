import { Args, Flags } from "@oclif/core";
import Handlebars from "handlebars";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { BaseCommand } from "../cli/base.js";
import { EXIT, UserError } from "../cli/errors.js";
import { PACKAGE_ROOT } from "../cli/package-root.js";
import { ALIAS_PATTERN, ID_PATTERN, camelCase, fixId } from "../manifest/names.js";

export default class Init extends BaseCommand {
  static override summary = "Write a commented starter otpiser.toml.";
  static override description =
    "Creates DIR (default: the current directory) if needed and writes otpiser.toml there, a small manifest " +
    "that validates, generates and passes its tests as it is. Never overwrites an existing manifest.";
  static override examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> payments --name payments",
    "<%= config.bin %> <%= command.id %> . --json",
  ];
  static override args = {
    dir: Args.string({ description: "Directory to write otpiser.toml into.", default: "." }),
  };
  static override flags = {
    name: Flags.string({ char: "n", description: "OTP application name (default: derived from DIR's name)." }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Init);
    this.setup(flags);
    const dir = resolve(args.dir);
    const name = flags.name ?? fixId(basename(dir)) ?? "my_app";
    if (!ID_PATTERN.test(name)) {
      const fix = fixId(name);
      throw new UserError(`invalid application name "${name}": it must match [a-z][a-z0-9_]*`, [], fix ? `use --name ${fix}` : undefined);
    }
    const module = camelCase(name);
    if (!ALIAS_PATTERN.test(module)) throw new UserError(`"${name}" does not give a valid Elixir module name`);
    const template = Handlebars.compile(await readFile(join(PACKAGE_ROOT, "templates", "manifest", "otpiser.toml.hbs"), "utf8"), { noEscape: true, strict: true });
    const path = join(dir, "otpiser.toml");
    await mkdir(dir, { recursive: true });
    try {
      await writeFile(path, template({ name, module }), { flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") {
        throw new UserError(`${path} already exists; otpiser init never overwrites a manifest`, [], "edit it, or remove it first");
      }
      throw error;
    }
    if (this.jsonMode) this.printJson({ ok: true, path, app: name });
    else process.stderr.write(`wrote ${path}\nnext: otpiser validate -m ${path} && otpiser info -m ${path} --explain\n`);
    process.exitCode = EXIT.ok;
  }
}
