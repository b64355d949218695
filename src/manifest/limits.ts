import type { AST } from "toml-eslint-parser";

/**
 * Limits checked on the raw text before parsing, so hostile or accidental input gets a located diagnostic instead
 * of crashing the TOML parser: toml-eslint-parser builds each string with `String.fromCodePoint(...chars)` (which
 * overflows the stack past ~100 000 characters) and recurses once per nesting level of arrays and inline tables.
 * Both limits are far beyond any real manifest.
 */
export const MAX_STRING_LENGTH = 65_536;
export const MAX_NESTING_DEPTH = 100;
/**
 * Dotted keys and table headers nest tables without a single bracket (`a.b.c.d = 1`): the lexical pass cannot see
 * them, so the parsed tree is measured too. Readers of the value tree recurse once per level (a state field's
 * `default = { k.k.k… = 1 }` 50 000 keys deep overflowed the stack in `check()`).
 */
export const MAX_KEY_DEPTH = 200;

export interface LimitProblem {
  offset: number;
  length: number;
  message: string;
  hint: string;
}

/** A lexical pass over TOML: skips comments and the four string forms, counts `[`/`{` nesting outside them. */
export function checkLimits(text: string): LimitProblem | undefined {
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "#") {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const multi = text.startsWith(ch.repeat(3), i);
      const start = i;
      i = skipString(text, i, ch, multi);
      const length = i - start;
      if (length > MAX_STRING_LENGTH) {
        return {
          offset: start,
          length: Math.min(length, 40),
          message: `a string of ${length} characters is longer than otpiser's limit of ${MAX_STRING_LENGTH}`,
          hint: "keep long texts (docs, descriptions) in files of their own; the manifest holds their summary",
        };
      }
      continue;
    }
    if (ch === "[" || ch === "{") {
      depth++;
      if (depth > MAX_NESTING_DEPTH) {
        return {
          offset: i,
          length: 1,
          message: `arrays or inline tables are nested more than ${MAX_NESTING_DEPTH} levels deep`,
          hint: "flatten the value; no key of the manifest takes nested structures this deep",
        };
      }
    } else if (ch === "]" || ch === "}") {
      depth = Math.max(0, depth - 1);
    }
    i++;
  }
  return undefined;
}

/** Index just past the string starting at `start` (or the end of the text / line when it is unterminated). */
function skipString(text: string, start: number, quote: string, multi: boolean): number {
  const basic = quote === '"';
  if (multi) {
    let i = start + 3;
    while (i < text.length) {
      if (basic && text[i] === "\\") {
        i += 2;
        continue;
      }
      if (text.startsWith(quote.repeat(3), i)) {
        // Up to two more quotes may belong to the content (`""""` ends with a quote inside).
        let end = i + 3;
        while (end < text.length && end < i + 5 && text[end] === quote) end++;
        return end;
      }
      i++;
    }
    return text.length;
  }
  let i = start + 1;
  while (i < text.length && text[i] !== "\n") {
    if (basic && text[i] === "\\") {
      i += 2;
      continue;
    }
    if (text[i] === quote) return i + 1;
    i++;
  }
  return i;
}

/** The first key that ends deeper than MAX_KEY_DEPTH tables (headers, dotted keys, inline tables), found without recursion. */
export function checkKeyDepth(program: AST.TOMLProgram): LimitProblem | undefined {
  type Item = { node: AST.TOMLKeyValue | AST.TOMLContentNode; depth: number };
  const stack: Item[] = [];
  const tooDeep = (key: AST.TOMLKey): LimitProblem => ({
    offset: key.range[0],
    length: Math.min(key.range[1] - key.range[0], 40),
    message: `keys are nested more than ${MAX_KEY_DEPTH} tables deep`,
    hint: "flatten the key; no key of the manifest is nested this deep",
  });
  for (const item of program.body[0].body) {
    if (item.type === "TOMLTable") {
      if (item.key.keys.length > MAX_KEY_DEPTH) return tooDeep(item.key);
      for (const kv of item.body) stack.push({ node: kv, depth: item.key.keys.length });
    } else {
      stack.push({ node: item, depth: 0 });
    }
  }
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node.type === "TOMLKeyValue") {
      const below = depth + node.key.keys.length;
      if (below > MAX_KEY_DEPTH) return tooDeep(node.key);
      stack.push({ node: node.value, depth: below });
    } else if (node.type === "TOMLArray") {
      for (const element of node.elements) stack.push({ node: element, depth });
    } else if (node.type === "TOMLInlineTable") {
      for (const kv of node.body) stack.push({ node: kv, depth });
    }
  }
  return undefined;
}
