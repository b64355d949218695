import { Args } from "@oclif/core";
import { BaseCommand } from "../cli/base.js";
import { EXIT, UserError } from "../cli/errors.js";
import { SHELLS, completionModel, completionScript, installSteps, shellFromEnv, type CommandMeta, type Shell } from "../cli/completions/index.js";

export default class Completion extends BaseCommand {
  static override summary = "Print a shell completion script (bash, zsh or fish).";
  static override description =
    "Prints a script that completes otpiser's commands, their flags, flag values (such as the choices of an enum " +
    "flag) and *.toml files for -m/--manifest. It is generated from the commands of this otpiser, so regenerate it " +
    "after upgrading. Without SHELL, the shell of $SHELL. Where to put it (create the directory if needed, then " +
    "open a new shell):\n\n" +
    "bash: ~/.local/share/bash-completion/completions/otpiser (loaded by the bash-completion package; without it, " +
    "add `source <(otpiser completion bash)` to ~/.bashrc)\n\n" +
    "zsh: ~/.zsh/completions/_otpiser, with `fpath=(~/.zsh/completions $fpath)` before `compinit` in ~/.zshrc (or " +
    "`source <(otpiser completion zsh)` after compinit)\n\n" +
    "fish: ~/.config/fish/completions/otpiser.fish\n\n" +
    "--json prints {ok, shell, install, commands, script}: the install commands, the completed command words and the script.";
  static override examples = [
    "<%= config.bin %> <%= command.id %> bash > ~/.local/share/bash-completion/completions/<%= config.bin %>",
    "<%= config.bin %> <%= command.id %> zsh > ~/.zsh/completions/_<%= config.bin %>",
    "<%= config.bin %> <%= command.id %> fish > ~/.config/fish/completions/<%= config.bin %>.fish",
    "source <(<%= config.bin %> <%= command.id %> bash)   # this shell only",
    "<%= config.bin %> <%= command.id %> zsh --json | jq -r '.install[]'",
  ];
  static override args = {
    shell: Args.string({ description: "The shell: bash, zsh or fish (default: from $SHELL).", options: [...SHELLS] }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Completion);
    this.setup(flags);
    const shell: Shell | undefined = (args.shell as Shell | undefined) ?? shellFromEnv(process.env["SHELL"]);
    if (shell === undefined) {
      throw new UserError(
        `name the shell to complete: ${SHELLS.join(", ")}${process.env["SHELL"] ? ` ($SHELL is ${process.env["SHELL"]})` : ""}`,
        [],
        "e.g. `otpiser completion bash`",
      );
    }
    const bin = this.config.bin;
    const model = completionModel(bin, this.config.version, this.config.commands.map(toMeta));
    const script = completionScript(shell, model);
    if (this.jsonMode) {
      this.printJson({ ok: true, shell, install: installSteps(shell, bin), commands: model.commands.map((c) => c.words.join(" ")), script });
    } else {
      process.stdout.write(script);
      // Typed at a terminal rather than redirected: say where the script goes.
      if (process.stdout.isTTY) {
        process.stderr.write(`\n${this.paint.dim(`# to install: ${installSteps(shell, bin)[0]}`)}\n`);
      }
    }
    process.exitCode = EXIT.ok;
  }
}

/** oclif's cached command metadata, as the completion generator reads it. */
function toMeta(c: CommandMeta): CommandMeta {
  return {
    id: c.id,
    summary: c.summary,
    description: c.description,
    hidden: c.hidden,
    aliases: c.aliases,
    flags: c.flags,
    args: c.args,
  };
}
