/**
 * What shell completions know about the CLI, taken from oclif's own command metadata (`this.config.commands`, which
 * oclif reads from oclif.manifest.json written at build): command words, flags, flag values, positional arguments.
 * A new command or flag completes without touching this code; only the kind of value a free-form flag takes is
 * guessed from its name (VALUE_HINTS).
 */

/** How the value of a flag or argument completes. */
export type ValueCompletion =
  | { kind: "enum"; values: string[] }
  /** Files; with `extension` (no dot), only those files (and directories, to walk into). */
  | { kind: "file"; extension?: string }
  | { kind: "dir" }
  /** Free text: nothing to offer. */
  | { kind: "none" };

export interface CompletionFlag {
  /** Long name without dashes: `manifest`. */
  name: string;
  /** Single-letter short name: `m`. */
  char?: string;
  /** Other long names and short names. */
  aliases: string[];
  charAliases: string[];
  description: string;
  /** Undefined for a boolean flag. */
  value?: ValueCompletion;
  /** Boolean flags with a `--no-<name>` form. */
  allowNo: boolean;
  /** May be given more than once. */
  multiple: boolean;
}

export interface CompletionArg {
  name: string;
  description: string;
  value: ValueCompletion;
  required: boolean;
}

export interface CompletionCommand {
  /** oclif's id (`deploy:check`); what users type is `words` joined by spaces. */
  id: string;
  words: string[];
  summary: string;
  flags: CompletionFlag[];
  args: CompletionArg[];
}

export interface CompletionModel {
  bin: string;
  version: string;
  /** Sorted by words; aliases appear as commands of their own. */
  commands: CompletionCommand[];
}

/** The parts of oclif's `Command.Cached` (and of an oclif.manifest.json entry) completions read. */
export interface CommandMeta {
  id: string;
  summary?: string | undefined;
  description?: string | undefined;
  hidden?: boolean | undefined;
  aliases?: string[] | undefined;
  flags?: Record<string, FlagMeta> | undefined;
  args?: Record<string, ArgMeta> | undefined;
}

export interface FlagMeta {
  name: string;
  type: "boolean" | "option";
  char?: string | undefined;
  aliases?: string[] | undefined;
  charAliases?: string[] | undefined;
  summary?: string | undefined;
  description?: string | undefined;
  hidden?: boolean | undefined;
  allowNo?: boolean | undefined;
  multiple?: boolean | undefined;
  options?: readonly string[] | undefined;
}

export interface ArgMeta {
  name: string;
  description?: string | undefined;
  hidden?: boolean | undefined;
  required?: boolean | undefined;
  options?: readonly string[] | undefined;
}

/** Values of free-form flags and arguments by name, when their description does not say (see `valueOf`). */
const VALUE_HINTS: Record<string, ValueCompletion> = {
  out: { kind: "dir" },
  dir: { kind: "dir" },
  directory: { kind: "dir" },
  output: { kind: "file" },
  name: { kind: "none" },
};

/**
 * How a value completes: the flag's `options`; *.toml files for a manifest; a directory or a file when the
 * description says so ("Output directory", "Write to this file"); else by name; else files for a flag and nothing
 * for an argument (a service id, a name).
 */
function valueOf(name: string, description: string | undefined, options: readonly string[] | undefined, of: "flag" | "arg"): ValueCompletion {
  if (options && options.length > 0) return { kind: "enum", values: [...options] };
  if (name === "manifest") return { kind: "file", extension: "toml" };
  const text = description ?? "";
  if (/\bdirectory\b/i.test(text)) return { kind: "dir" };
  if (/\b(file|path)\b/i.test(text)) return { kind: "file" };
  return VALUE_HINTS[name] ?? (of === "flag" ? { kind: "file" } : { kind: "none" });
}

/** One line: the summary, else the description's first sentence. */
export function oneLine(summary: string | undefined, description: string | undefined): string {
  const text = (summary ?? description ?? "").replace(/\s+/g, " ").trim();
  if (summary !== undefined) return text;
  const end = text.search(/\.(\s|$)/);
  return end < 0 ? text : text.slice(0, end + 1);
}

export function completionModel(bin: string, version: string, commands: CommandMeta[]): CompletionModel {
  const out: CompletionCommand[] = [];
  for (const c of commands) {
    if (c.hidden) continue;
    const flags: CompletionFlag[] = Object.values(c.flags ?? {})
      .filter((f) => !f.hidden)
      .map((f) => {
        const flag: CompletionFlag = {
          name: f.name,
          aliases: [...(f.aliases ?? [])],
          charAliases: [...(f.charAliases ?? [])],
          description: oneLine(f.summary, f.description),
          allowNo: f.type === "boolean" && f.allowNo === true,
          multiple: f.multiple === true,
        };
        if (f.char) flag.char = f.char;
        if (f.type === "option") flag.value = valueOf(f.name, f.description ?? f.summary, f.options, "flag");
        return flag;
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const args: CompletionArg[] = Object.values(c.args ?? {})
      .filter((a) => !a.hidden)
      .map((a) => ({ name: a.name, description: oneLine(undefined, a.description), value: valueOf(a.name, a.description, a.options, "arg"), required: a.required === true }));
    const summary = oneLine(c.summary, c.description);
    // oclif lists an alias both among its command's `aliases` and as a command of its own: each id once.
    for (const id of [c.id, ...(c.aliases ?? [])]) {
      const words = id.split(/[: ]/).filter((w) => w.length > 0);
      if (out.some((o) => o.words.join(" ") === words.join(" "))) continue;
      out.push({ id, words, summary, flags, args });
    }
  }
  out.sort((a, b) => {
    const x = a.words.join(" ");
    const y = b.words.join(" ");
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return { bin, version, commands: out };
}

/** Every way to write a flag on the command line: `--manifest`, `-m`, `--no-format`, aliases. */
export function flagSpellings(f: CompletionFlag): string[] {
  return [
    `--${f.name}`,
    ...(f.allowNo ? [`--no-${f.name}`] : []),
    ...f.aliases.map((a) => (a.length === 1 ? `-${a}` : `--${a}`)),
    ...(f.char ? [`-${f.char}`] : []),
    ...f.charAliases.map((c) => `-${c}`),
  ];
}

/** Spellings of a flag that take a value (booleans take none). */
export function valueSpellings(f: CompletionFlag): string[] {
  return f.value ? flagSpellings(f) : [];
}

/** The command words a shell offers after `prefix` (the words typed so far): commands and topics, with a summary. */
export function nextWords(model: CompletionModel): { prefix: string[]; word: string; summary: string }[] {
  const seen = new Map<string, { prefix: string[]; word: string; summary: string }>();
  for (const c of model.commands) {
    for (let i = 0; i < c.words.length; i++) {
      const prefix = c.words.slice(0, i);
      const key = [...prefix, c.words[i]].join(" ");
      const isCommand = i === c.words.length - 1;
      const existing = seen.get(key);
      if (!existing || isCommand) {
        seen.set(key, { prefix, word: c.words[i]!, summary: isCommand ? c.summary : existing?.summary ?? `${key} commands` });
      }
    }
  }
  return [...seen.values()];
}
