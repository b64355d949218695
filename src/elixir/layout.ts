/**
 * Line layout that matches `mix format` for the shapes otpiser emits, so generated files are already formatted.
 * Each function returns complete lines (indentation included), joined with "\n", without a trailing newline.
 */

/** `mix format`'s default line length. */
export const LINE_LENGTH = 98;

const spaces = (n: number): string => " ".repeat(n);

export function fits(indent: number, text: string): boolean {
  return indent + text.length <= LINE_LENGTH && !text.includes("\n");
}

/** Splits `s` on `sep` at bracket depth 0 (outside strings), trimming the parts. */
export function splitTopLevel(s: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) depth--;
    else if (depth === 0 && s.startsWith(sep, i)) {
      // `|` must not be part of `||` or `|>`; `::` is matched whole.
      if (sep === "|" && (s[i + 1] === "|" || s[i + 1] === ">" || s[i - 1] === "|")) continue;
      parts.push(s.slice(start, i).trim());
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  parts.push(s.slice(start).trim());
  return parts;
}

/** A tuple as a statement or on a line of its own, filled over several lines when too long. */
export function tuple(indent: number, elems: string[], suffix = ""): string {
  return argLines(indent, { tuple: elems }, suffix).join("\n");
}

/** An argument: rendered text, or a tuple whose elements the formatter may spread over several lines. */
export type Arg = string | { tuple: string[] };

const flat = (arg: Arg): string => (typeof arg === "string" ? arg : `{${arg.tuple.join(", ")}}`);

/**
 * An argument on its own line at `indent`, followed by `suffix` (`,` or nothing). A tuple too long for the line is
 * filled the way the formatter does it: as many elements per line as fit, continuation lines one column in.
 */
function argLines(indent: number, arg: Arg, suffix: string): string[] {
  const pad = spaces(indent);
  const text = flat(arg);
  if (typeof arg === "string" || fits(indent, text + suffix) || arg.tuple.length < 2) return [pad + text + suffix];
  const lines: string[] = [];
  let current = `{${arg.tuple[0]}`;
  arg.tuple.slice(1).forEach((elem, i, rest) => {
    const tail = i === rest.length - 1 ? `}${suffix}` : ",";
    if (indent + current.length + 2 + elem.length + tail.length <= LINE_LENGTH) {
      current += `, ${elem}`;
    } else {
      lines.push(`${pad}${current},`);
      current = ` ${elem}`;
    }
  });
  lines.push(`${pad}${current}}${suffix}`);
  return lines;
}

export interface CallOptions {
  /** Text before the call on the first line, e.g. `opts = ` (default none). */
  prefix?: string;
  /** Text after the closing parenthesis, e.g. ` do` or `,` (default none). */
  suffix?: string;
  /** Index of the first keyword argument (`strategy: ...`), if the trailing arguments are a keyword list. */
  keywordsFrom?: number;
}

/** A function call, one line when it fits, else broken the way the formatter breaks it. */
export function call(indent: number, name: string, argsIn: Arg[], opts: CallOptions = {}): string {
  const pad = spaces(indent);
  const prefix = opts.prefix ?? "";
  const suffix = opts.suffix ?? "";
  const args = argsIn.map(flat);
  const oneLine = `${prefix}${name}(${args.join(", ")})${suffix}`;
  if (fits(indent, oneLine)) return pad + oneLine;
  const kw = opts.keywordsFrom;
  if (kw !== undefined && kw > 0 && kw < args.length) {
    const positional = args.slice(0, kw).join(", ");
    const keywords = args.slice(kw);
    return [
      `${pad}${prefix}${name}(${positional},`,
      ...keywords.map((a, i) => `${pad}  ${a}${i < keywords.length - 1 ? "," : ""}`),
      `${pad})${suffix}`,
    ].join("\n");
  }
  return [
    `${pad}${prefix}${name}(`,
    ...argsIn.flatMap((a, i) => argLines(indent + 2, a, i < args.length - 1 ? "," : "")),
    `${pad})${suffix}`,
  ].join("\n");
}

/** A `def`/`defp` head with a `do` block: `def name(args) do`. */
export function defHead(indent: number, keyword: "def" | "defp", name: string, argsIn: Arg[]): string {
  const pad = spaces(indent);
  const args = argsIn.map(flat);
  const oneLine = args.length === 0 ? `${keyword} ${name} do` : `${keyword} ${name}(${args.join(", ")}) do`;
  if (fits(indent, oneLine)) return pad + oneLine;
  return [
    `${pad}${keyword} ${name}(`,
    ...argsIn.flatMap((a, i) => argLines(indent + 6, a, i < args.length - 1 ? "," : "")),
    `${pad}    ) do`,
  ].join("\n");
}

/** A `@spec name(args) :: returns` (or `@type name :: returns` with `args` undefined). */
export function typespec(indent: number, attr: "spec" | "type", head: string, args: string[] | undefined, returns: string): string {
  const pad = spaces(indent);
  const headText = args === undefined ? head : `${head}(${args.join(", ")})`;
  const oneLine = `@${attr} ${headText} :: ${returns}`;
  if (fits(indent, oneLine)) return pad + oneLine;
  const bodyIndent = indent + 8;
  const body = (): string[] => {
    if (fits(bodyIndent, returns)) return [spaces(bodyIndent) + returns];
    const members = splitTopLevel(returns, "|");
    return members.map((m, i) => `${spaces(bodyIndent)}${i === 0 ? "" : "| "}${m}`);
  };
  if (args !== undefined && !fits(indent, `@${attr} ${headText} ::`)) {
    const head_ = [`${pad}@${attr} ${head}(`, ...args.map((a, i) => `${spaces(bodyIndent)}${a}${i < args.length - 1 ? "," : ""}`)];
    const close = `${spaces(indent + 6)}) :: ${returns}`;
    if (fits(0, close)) return [...head_, close].join("\n");
    return [...head_, `${spaces(indent + 6)}) ::`, ...body()].join("\n");
  }
  return [`${pad}@${attr} ${headText} ::`, ...body()].join("\n");
}

/** `name = [a, b]` or, when too long, one item per line. `items` are already rendered. */
export function list(indent: number, prefix: string, items: string[], suffix = ""): string {
  const pad = spaces(indent);
  const oneLine = `${prefix}[${items.join(", ")}]${suffix}`;
  if (items.length === 0 || fits(indent, oneLine)) return pad + oneLine;
  return [`${pad}${prefix}[`, ...items.map((it, i) => `${pad}  ${it}${i < items.length - 1 ? "," : ""}`), `${pad}]${suffix}`].join(
    "\n",
  );
}

/** A list always written one item per line (the formatter keeps it so): `children = [\n  A,\n  B\n]`. */
export function verticalList(indent: number, prefix: string, items: string[], suffix = ""): string {
  const pad = spaces(indent);
  if (items.length === 0) return `${pad}${prefix}[]${suffix}`;
  return [`${pad}${prefix}[`, ...items.map((it, i) => `${pad}  ${it}${i < items.length - 1 ? "," : ""}`), `${pad}]${suffix}`].join(
    "\n",
  );
}

/** `defstruct a: 1, b: 2`, or aligned one field per line when too long; `defstruct []` when empty. */
export function defstruct(indent: number, fields: { key: string; value: string }[]): string {
  const pad = spaces(indent);
  if (fields.length === 0) return `${pad}defstruct []`;
  const items = fields.map((f) => `${f.key} ${f.value}`);
  const oneLine = `defstruct ${items.join(", ")}`;
  if (fits(indent, oneLine)) return pad + oneLine;
  const align = spaces(indent + "defstruct ".length);
  return items.map((it, i) => `${i === 0 ? `${pad}defstruct ` : align}${it}${i < items.length - 1 ? "," : ""}`).join("\n");
}

/** `@type t :: %__MODULE__{a: integer()}` or the formatter's multi-line struct type. */
export function structType(indent: number, fields: { key: string; type: string }[]): string {
  const pad = spaces(indent);
  const items = fields.map((f) => `${f.key} ${f.type}`);
  const oneLine = `@type t :: %__MODULE__{${items.join(", ")}}`;
  if (fits(indent, oneLine)) return pad + oneLine;
  const inner = spaces(indent + 8);
  return [
    `${pad}@type t :: %__MODULE__{`,
    ...items.map((it, i) => `${inner}${it}${i < items.length - 1 ? "," : ""}`),
    `${spaces(indent + 6)}}`,
  ].join("\n");
}

/** A map or keyword entry `key: value` on its own line; the value moves to the next line when too long. */
export function entry(indent: number, key: string, value: Arg, suffix = ""): string {
  const oneLine = `${key} ${flat(value)}${suffix}`;
  if (fits(indent, oneLine)) return spaces(indent) + oneLine;
  return [spaces(indent) + key, ...argLines(indent + 2, value, suffix)].join("\n");
}

/** An expression in an assertion: plain text, or a call whose arguments the formatter may break. */
export type Expr = string | { call: string; args: string[] };

const flatExpr = (e: Expr): string => (typeof e === "string" ? e : `${e.call}(${e.args.join(", ")})`);

/** `name(` + one argument per line + `)`: the formatter's last resort for a call that does not fit. */
function brokenCall(e: Expr, argIndent: number, closeIndent: number, suffix: string): string[] {
  if (typeof e === "string" || e.args.length === 0) return [flatExpr(e) + suffix];
  return [
    `${e.call}(`,
    ...e.args.map((a, i) => `${spaces(argIndent)}${a}${i < e.args.length - 1 ? "," : ""}`),
    `${spaces(closeIndent)})${suffix}`,
  ];
}

/** `assert left op right` (op `==` or `=`): the right side moves to its own line, then calls break. */
export function assertBinary(indent: number, left: Expr, op: "==" | "=", right: Expr): string {
  const pad = spaces(indent);
  const l = flatExpr(left);
  const r = flatExpr(right);
  if (fits(indent, `assert ${l} ${op} ${r}`)) return `${pad}assert ${l} ${op} ${r}`;
  const rightIndent = indent + 9;
  const rightLines = fits(rightIndent, r) ? [r] : brokenCall(right, rightIndent + 2, rightIndent, "");
  const leftLines = fits(indent, `assert ${l} ${op}`)
    ? [`assert ${l} ${op}`]
    : brokenCall(left, indent + 9, indent + 7, ` ${op}`).map((line, i) => (i === 0 ? `assert ${line}` : line));
  return [pad + leftLines[0], ...leftLines.slice(1), spaces(rightIndent) + rightLines[0], ...rightLines.slice(1)].join("\n");
}

/** `left = right` (e.g. `:ok = Mod.fun(a, b)`): the right side moves to its own line, then the call breaks. */
export function bind(indent: number, left: string, right: Expr): string {
  const pad = spaces(indent);
  const r = flatExpr(right);
  if (fits(indent, `${left} = ${r}`)) return `${pad}${left} = ${r}`;
  const inner = indent + 2;
  const rightLines = fits(inner, r) ? [r] : brokenCall(right, inner + 2, inner, "");
  return [`${pad}${left} =`, ...rightLines.map((line, i) => (i === 0 ? spaces(inner) + line : line))].join("\n");
}

/** `assert fun(arg)`, the argument on its own line when too long. */
export function assertCall(indent: number, fun: string, arg: string): string {
  const oneLine = `assert ${fun}(${arg})`;
  if (fits(indent, oneLine)) return spaces(indent) + oneLine;
  return `${spaces(indent)}assert ${fun}(\n${spaces(indent + 9)}${arg}\n${spaces(indent + 7)})`;
}

/**
 * A statement inside a function body. `mix format` puts a blank line before and after a statement that spans
 * several lines; `tidyElixir` then drops the ones at the start or end of a block and collapses doubles.
 */
export function statement(text: string): string {
  return text.includes("\n") ? `\n${text}\n` : text;
}

/** Greedy word wrap for generated prose (never used on user-written text). */
export function wrapText(text: string, width: number): string[] {
  // Inline code spans (`like this`) are never broken across lines.
  const words: string[] = [];
  for (const raw of text.split(/\s+/).filter((w) => w !== "")) {
    const last = words[words.length - 1];
    if (last !== undefined && (last.match(/`/g) ?? []).length % 2 === 1) words[words.length - 1] = `${last} ${raw}`;
    else words.push(raw);
  }
  const lines: string[] = [];
  let current = "";
  for (const word of words) {
    if (current === "") current = word;
    else if (current.length + 1 + word.length <= width) current += ` ${word}`;
    else {
      lines.push(current);
      current = word;
    }
  }
  if (current !== "") lines.push(current);
  return lines;
}
