/**
 * Questions on a terminal, for commands that offer an interactive path (`init`). Built on Node's readline (no
 * dependency); the streams are injected, so tests drive it with in-memory streams. Commands ask only when
 * `canPrompt` says so: stdin and stdout are TTYs and neither `--yes` nor `--json` was given. Everywhere else they
 * use their flags and defaults and never wait for input.
 */
import { createInterface, type Interface } from "node:readline";

/** The user ended the questions (Ctrl-C, Ctrl-D / end of input): nothing must happen. */
export class PromptCancelled extends Error {
  constructor() {
    super("cancelled");
  }
}

/** What a prompt needs from the command: where to read and write, and how to emphasise. */
export interface PromptStreams {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Line editing and Ctrl-C handling of a terminal (default: whether `output` is a TTY). */
  terminal?: boolean;
  /** Emphasis for the question and the hints (default: none). */
  style?: { bold: (s: string) => string; dim: (s: string) => string };
}

export interface Choice {
  value: string;
  /** One line shown beside the value. */
  description: string;
}

/** Whether a command may ask questions: both stdin and stdout are terminals, and neither --yes nor --json is given. */
export function canPrompt(opts: { stdin: { isTTY?: boolean }; stdout: { isTTY?: boolean }; yes: boolean; json: boolean }): boolean {
  return opts.stdin.isTTY === true && opts.stdout.isTTY === true && !opts.yes && !opts.json;
}

/**
 * A session of questions. Answers are read line by line; lines typed ahead (or piped in one go) are kept for the
 * next question. End of input or Ctrl-C rejects the pending question, and every later one, with PromptCancelled.
 * Call `close()` when done (it restores the terminal).
 */
export class Prompter {
  private readonly rl: Interface;
  private readonly output: NodeJS.WritableStream;
  private readonly style: { bold: (s: string) => string; dim: (s: string) => string };
  private readonly lines: string[] = [];
  private waiting: { resolve: (line: string) => void; reject: (error: Error) => void } | undefined;
  private closed = false;
  private readonly terminal: boolean;

  constructor(streams: PromptStreams) {
    this.output = streams.output;
    this.style = streams.style ?? { bold: (s) => s, dim: (s) => s };
    this.terminal = streams.terminal ?? (streams.output as { isTTY?: boolean }).isTTY === true;
    this.rl = createInterface({ input: streams.input, output: streams.output, terminal: this.terminal, historySize: 0 });
    this.rl.on("line", (line) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      if (!waiting) {
        this.lines.push(line);
        return;
      }
      if (!this.terminal) this.output.write(`${line}\n`); // a terminal echoes what is typed; keep transcripts alike
      waiting.resolve(line);
    });
    this.rl.on("close", () => {
      this.closed = true;
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.reject(new PromptCancelled());
    });
    // Ctrl-C on a terminal: end the session instead of leaving the process half-way.
    this.rl.on("SIGINT", () => {
      this.output.write("\n");
      this.rl.close();
    });
  }

  /** Free text with a default (an empty answer takes it); `validate` returns an error message to ask again. */
  async text(question: string, opts: { default?: string; validate?: (answer: string) => string | undefined } = {}): Promise<string> {
    for (;;) {
      const shown = opts.default !== undefined && opts.default !== "" ? ` ${this.style.dim(`(${opts.default})`)}` : "";
      const answer = (await this.ask(`${this.question(question)}${shown} `)).trim() || (opts.default ?? "");
      const problem = opts.validate?.(answer) ?? (answer === "" ? "an answer is needed" : undefined);
      if (problem === undefined) return answer;
      this.output.write(`  ${problem}\n`);
    }
  }

  /** One of `choices`, by number or by name (a unique prefix is enough); an empty answer takes `defaultValue`. */
  async select(question: string, choices: readonly Choice[], defaultValue: string): Promise<string> {
    const width = Math.max(...choices.map((c) => c.value.length));
    const lines = choices.map((c, i) => `  ${String(i + 1).padStart(String(choices.length).length)}) ${c.value.padEnd(width)}  ${this.style.dim(c.description)}`);
    this.output.write(`${this.question(question)}\n${lines.join("\n")}\n`);
    for (;;) {
      const answer = (await this.ask(`  choose 1-${choices.length} or a name ${this.style.dim(`(${defaultValue})`)} `)).trim();
      if (answer === "") return defaultValue;
      const picked = pick(answer, choices);
      if (picked !== undefined) return picked;
      this.output.write(`  "${answer}" is none of them: answer with a number from 1 to ${choices.length} or a name\n`);
    }
  }

  /** Yes or no; an empty answer takes `defaultValue`. */
  async confirm(question: string, defaultValue: boolean): Promise<boolean> {
    for (;;) {
      const answer = (await this.ask(`${this.question(question)} ${this.style.dim(defaultValue ? "(Y/n)" : "(y/N)")} `)).trim().toLowerCase();
      if (answer === "") return defaultValue;
      if (answer === "y" || answer === "yes") return true;
      if (answer === "n" || answer === "no") return false;
      this.output.write("  answer y or n\n");
    }
  }

  close(): void {
    if (!this.closed) this.rl.close();
  }

  private question(text: string): string {
    return `${this.style.bold("?")} ${this.style.bold(text)}`;
  }

  /** Shows `prompt` and waits for the next line (or takes one already typed). */
  private ask(prompt: string): Promise<string> {
    const ahead = this.lines.shift();
    if (ahead !== undefined) {
      this.output.write(`${prompt}${ahead}\n`); // the question with its answer, as if typed now
      return Promise.resolve(ahead);
    }
    if (this.closed) return Promise.reject(new PromptCancelled());
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.rl.setPrompt(prompt);
      this.rl.prompt();
    });
  }
}

/** The choice an answer names: its 1-based number, its exact value, or a prefix of exactly one value. */
export function pick(answer: string, choices: readonly Choice[]): string | undefined {
  if (/^\d+$/.test(answer)) return choices[Number(answer) - 1]?.value;
  const exact = choices.find((c) => c.value === answer);
  if (exact) return exact.value;
  const prefixed = choices.filter((c) => c.value.startsWith(answer));
  return prefixed.length === 1 ? prefixed[0]!.value : undefined;
}
