import { bashScript } from "./bash.js";
import { fishScript } from "./fish.js";
import type { CompletionModel } from "./model.js";
import { zshScript } from "./zsh.js";

export { completionModel, type CommandMeta, type CompletionModel } from "./model.js";

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

export function isShell(name: string): name is Shell {
  return (SHELLS as readonly string[]).includes(name);
}

export function completionScript(shell: Shell, model: CompletionModel): string {
  switch (shell) {
    case "bash":
      return bashScript(model);
    case "zsh":
      return zshScript(model);
    case "fish":
      return fishScript(model);
  }
}

/** Where each shell looks for completion scripts: the commands that install one (for --help and --json). */
export function installSteps(shell: Shell, bin: string): string[] {
  switch (shell) {
    case "bash":
      return [
        `mkdir -p ~/.local/share/bash-completion/completions && ${bin} completion bash > ~/.local/share/bash-completion/completions/${bin}`,
        `# without the bash-completion package, instead add to ~/.bashrc: source <(${bin} completion bash)`,
      ];
    case "zsh":
      return [
        `mkdir -p ~/.zsh/completions && ${bin} completion zsh > ~/.zsh/completions/_${bin}`,
        "# in ~/.zshrc, before compinit: fpath=(~/.zsh/completions $fpath); autoload -Uz compinit && compinit",
      ];
    case "fish":
      return [`mkdir -p ~/.config/fish/completions && ${bin} completion fish > ~/.config/fish/completions/${bin}.fish`];
  }
}

/** The shell named by $SHELL (`/usr/bin/zsh` → zsh), if it is one otpiser completes. */
export function shellFromEnv(shellPath: string | undefined): Shell | undefined {
  const name = (shellPath ?? "").split("/").pop() ?? "";
  return isShell(name) ? name : undefined;
}
