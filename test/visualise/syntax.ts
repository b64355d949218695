/**
 * Strict readers of the Mermaid and DOT subsets `otpiser visualise` writes, for the tests: they accept exactly the
 * statements the renderers may emit, and throw (with the line) on anything else, so a broken escape, an
 * unbalanced block or an edge to an undeclared node fails a test. Graphviz and Mermaid are not installed here;
 * where `dot` is, the DOT tests run it too.
 */

export interface ParsedNode {
  id: string;
  label: string;
  /** The enclosing subgraph's id (Mermaid) or cluster name (DOT). */
  parent?: string;
  attrs: Record<string, string>;
}

export interface ParsedEdge {
  from: string;
  to: string;
  attrs: Record<string, string>;
  label?: string;
  dashed: boolean;
}

export interface ParsedGraph {
  nodes: Map<string, ParsedNode>;
  /** Subgraph/cluster id → its parent subgraph (undefined at the top level). */
  subgraphs: Map<string, string | undefined>;
  edges: ParsedEdge[];
  /** Mermaid `class` statements: class name → ids. */
  classes: Map<string, string[]>;
}

// ---------------------------------------------------------------------------------------------------- Mermaid

const MERMAID_RESERVED = new Set(["end", "subgraph", "graph", "flowchart", "style", "class", "classdef", "click", "linkstyle", "direction", "default"]);
const MERMAID_ID = /^[A-Za-z][A-Za-z0-9_]*$/;

/** A quoted Mermaid label's text: only entity codes and `<br/>` are markup; anything else raw is an error. */
function mermaidLabel(raw: string, line: number): string {
  if (/["`;]/.test(raw.replace(/#\d+;/g, ""))) throw new Error(`line ${line}: unescaped " \` or ; in label ${raw}`);
  const withoutBreaks = raw.replace(/<br\/>/g, "");
  if (/[<>&]/.test(withoutBreaks)) throw new Error(`line ${line}: raw HTML character in label ${raw}`);
  if (/#(?!\d+;)/.test(raw)) throw new Error(`line ${line}: bare # in label ${raw}`);
  return raw.replace(/<br\/>/g, "\n").replace(/#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)));
}

function mermaidId(id: string, line: number): string {
  if (!MERMAID_ID.test(id) || MERMAID_RESERVED.has(id.toLowerCase())) throw new Error(`line ${line}: bad or reserved id ${id}`);
  return id;
}

export function parseMermaid(text: string): ParsedGraph {
  const g: ParsedGraph = { nodes: new Map(), subgraphs: new Map(), edges: [], classes: new Map() };
  const stack: string[] = [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  let header = false;
  const declare = (id: string, line: number) => {
    if (g.nodes.has(id) || g.subgraphs.has(id)) throw new Error(`line ${line}: ${id} declared twice`);
  };
  lines.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    if (line.startsWith("%%")) return;
    if (!header) {
      if (line !== "flowchart TD") throw new Error(`line ${n}: expected "flowchart TD", got ${line}`);
      header = true;
      return;
    }
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^subgraph (\S+)\["([^"]*)"\]$/))) {
      const id = mermaidId(m[1]!, n);
      declare(id, n);
      g.subgraphs.set(id, stack[stack.length - 1]);
      const node: ParsedNode = { id, label: mermaidLabel(m[2]!, n), attrs: {} };
      if (stack.length > 0) node.parent = stack[stack.length - 1]!;
      g.nodes.set(id, node);
      stack.push(id);
    } else if (line === "end") {
      if (stack.pop() === undefined) throw new Error(`line ${n}: end without subgraph`);
    } else if (line === "direction TB" || line === "direction LR") {
      if (stack.length === 0) throw new Error(`line ${n}: direction outside a subgraph`);
    } else if ((m = line.match(/^(\S+)\["([^"]*)"\]$/))) {
      const id = mermaidId(m[1]!, n);
      declare(id, n);
      const node: ParsedNode = { id, label: mermaidLabel(m[2]!, n), attrs: {} };
      if (stack.length > 0) node.parent = stack[stack.length - 1]!;
      g.nodes.set(id, node);
    } else if ((m = line.match(/^(\S+) (-->|-\.->)(?:\|"([^"]*)"\|)? (\S+)$/))) {
      const edge: ParsedEdge = { from: mermaidId(m[1]!, n), to: mermaidId(m[4]!, n), attrs: {}, dashed: m[2] === "-.->" };
      if (m[3] !== undefined) edge.label = mermaidLabel(m[3], n);
      g.edges.push(edge);
    } else if ((m = line.match(/^classDef ([A-Za-z][\w-]*) ([\w#:,.\- ]+)$/))) {
      if (!g.classes.has(m[1]!)) g.classes.set(m[1]!, []);
    } else if ((m = line.match(/^class ([\w,]+) ([A-Za-z][\w-]*)$/))) {
      g.classes.set(m[2]!, [...(g.classes.get(m[2]!) ?? []), ...m[1]!.split(",").map((id) => mermaidId(id, n))]);
    } else {
      throw new Error(`line ${n}: not a statement otpiser writes: ${line}`);
    }
  });
  if (!header) throw new Error("no flowchart header");
  if (stack.length > 0) throw new Error(`unclosed subgraph ${stack.join(", ")}`);
  for (const e of g.edges) for (const id of [e.from, e.to]) if (!g.nodes.has(id)) throw new Error(`edge to undeclared ${id}`);
  for (const [name, ids] of g.classes) for (const id of ids) if (!g.nodes.has(id)) throw new Error(`class ${name} of undeclared ${id}`);
  return g;
}

// ---------------------------------------------------------------------------------------------------- DOT

type Token = { kind: "id" | "string" | "punct"; value: string; line: number };

function tokenizeDot(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n") {
      line++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith("//", i) || (c === "#" && (i === 0 || text[i - 1] === "\n"))) {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) throw new Error(`line ${line}: unterminated comment`);
      line += text.slice(i, end).split("\n").length - 1;
      i = end + 2;
    } else if (text.startsWith("->", i)) {
      out.push({ kind: "punct", value: "->", line });
      i += 2;
    } else if ("{}[];,=".includes(c)) {
      out.push({ kind: "punct", value: c, line });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      let value = "";
      for (;;) {
        if (j >= text.length) throw new Error(`line ${line}: unterminated string`);
        const d = text[j]!;
        if (d === "\n") throw new Error(`line ${line}: raw newline in a string (otpiser writes \\n)`);
        if (d === "\\") {
          if (j + 1 >= text.length) throw new Error(`line ${line}: dangling backslash`);
          value += d + text[j + 1]!;
          j += 2;
          continue;
        }
        if (d === '"') break;
        value += d;
        j++;
      }
      out.push({ kind: "string", value, line });
      i = j + 1;
    } else {
      const m = text.slice(i).match(/^(-?(?:\.\d+|\d+(?:\.\d*)?)|[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)/u);
      if (!m) throw new Error(`line ${line}: unexpected character ${JSON.stringify(c)}`);
      out.push({ kind: "id", value: m[1]!, line });
      i += m[1]!.length;
    }
  }
  return out;
}

/** DOT's escString as otpiser writes it: `\\`, `\"` and `\n` (a line break); any other escape is an error. */
export function decodeDotString(raw: string): string {
  return raw.replace(/\\(.)/g, (_, c: string) => {
    if (c === "\\" || c === '"') return c;
    if (c === "n") return "\n";
    throw new Error(`unexpected escape \\${c} in ${raw}`);
  });
}

export function parseDot(text: string): ParsedGraph {
  const tokens = tokenizeDot(text);
  let at = 0;
  const g: ParsedGraph = { nodes: new Map(), subgraphs: new Map(), edges: [], classes: new Map() };
  const peek = () => tokens[at];
  const fail = (what: string): never => {
    const t = tokens[at];
    throw new Error(`line ${t?.line ?? "end"}: expected ${what}, got ${t ? JSON.stringify(t.value) : "end of input"}`);
  };
  const punct = (value: string) => {
    if (peek()?.kind === "punct" && peek()!.value === value) {
      at++;
      return true;
    }
    return false;
  };
  const expectPunct = (value: string) => {
    if (!punct(value)) fail(`"${value}"`);
  };
  const id = (): string => {
    const t = peek();
    if (!t || t.kind === "punct") return fail("an id");
    at++;
    return t.value;
  };
  const attrList = (): Record<string, string> => {
    const attrs: Record<string, string> = {};
    while (punct("[")) {
      while (!punct("]")) {
        const key = id();
        expectPunct("=");
        attrs[key] = id();
        punct(",") || punct(";");
      }
    }
    return attrs;
  };
  const stmts = (cluster: string | undefined) => {
    expectPunct("{");
    while (!punct("}")) {
      if (peek() === undefined) fail('"}"');
      const t = peek()!;
      if (t.kind === "id" && ["graph", "node", "edge"].includes(t.value)) {
        at++;
        attrList();
      } else if (t.kind === "id" && t.value === "subgraph") {
        at++;
        const name = peek()?.kind === "punct" ? `anonymous${g.subgraphs.size}` : id();
        if (g.subgraphs.has(name)) throw new Error(`line ${t.line}: subgraph ${name} twice`);
        g.subgraphs.set(name, cluster);
        stmts(name);
      } else {
        const first = id();
        if (punct("=")) {
          id();
        } else {
          const chain = [first];
          while (punct("->")) chain.push(id());
          const attrs = attrList();
          if (chain.length === 1) {
            if (g.nodes.has(first)) throw new Error(`line ${t.line}: node ${first} declared twice`);
            const node: ParsedNode = { id: first, label: decodeDotString(attrs["label"] ?? first), attrs };
            if (cluster !== undefined) node.parent = cluster;
            g.nodes.set(first, node);
          } else {
            for (let k = 1; k < chain.length; k++) {
              const edge: ParsedEdge = { from: chain[k - 1]!, to: chain[k]!, attrs, dashed: attrs["style"] === "dashed" };
              if (attrs["label"] !== undefined) edge.label = decodeDotString(attrs["label"]);
              g.edges.push(edge);
            }
          }
        }
      }
      punct(";");
    }
  };
  if (peek()?.value === "strict") at++;
  if (peek()?.value !== "digraph") fail("digraph");
  at++;
  if (peek()?.kind !== "punct") id();
  stmts(undefined);
  if (at !== tokens.length) fail("end of input");
  for (const e of g.edges) for (const n of [e.from, e.to]) if (!g.nodes.has(n)) throw new Error(`edge ${e.from} -> ${e.to}: undeclared node ${n}`);
  return g;
}
