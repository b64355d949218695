/**
 * Normalises the whitespace of rendered Elixir source the way `mix format` leaves it, so templates can be written
 * for readability (generous blank lines around optional sections) and still produce formatted output:
 * trailing whitespace removed, runs of blank lines collapsed, no blank line right after a line that opens a block
 * (`do`, `[`, `{`, `(`, `->`) nor right before a closing line (`end`, `]`, `}`, `)`), one final newline.
 * Heredoc contents are left alone (apart from trailing whitespace, which escape.ts already strips).
 */
export function tidyElixir(source: string): string {
  const lines = source.split("\n").map((l) => l.replace(/[ \t]+$/u, ""));
  const out: string[] = [];
  let inHeredoc = false;

  const opensBlock = (line: string): boolean => /(\bdo|\[|\{|\(|->|\bfn)$/.test(line.trimEnd());
  const closesBlock = (line: string): boolean => /^(end\b|\]|\}|\))/.test(line.trim());
  const nextNonBlank = (from: number): string | undefined => {
    for (let j = from; j < lines.length; j++) if (lines[j] !== "") return lines[j];
    return undefined;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (inHeredoc) {
      out.push(line);
      if (line.trim() === '"""') inHeredoc = false;
      continue;
    }
    if (line === "") {
      const prev = out[out.length - 1];
      const next = nextNonBlank(i + 1);
      if (prev === undefined || prev === "" || opensBlock(prev)) continue;
      if (next === undefined || closesBlock(next)) continue;
      out.push("");
      continue;
    }
    out.push(line);
    if (line.trimEnd().endsWith('"""') && line.trim() !== '"""') inHeredoc = true;
  }
  return `${out.join("\n")}\n`;
}
