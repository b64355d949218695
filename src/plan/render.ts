import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";
import { atom, elixirString, heredoc } from "../elixir/escape.js";
import { tidyElixir } from "../elixir/tidy.js";

/**
 * The Handlebars environment for `templates/elixir/*.hbs`.
 *
 * Templates are compiled with `noEscape: true`: Handlebars' HTML escaping is useless for Elixir, and every piece of
 * user-written text is escaped by the helpers below, which all delegate to `src/elixir/escape.ts`.
 * Values the planner passes pre-rendered (module aliases, validated type expressions, laid-out lines) are code
 * it built itself from validated input.
 */

/**
 * `templates/elixir`, found from this module's location: `src/plan/render.ts` (vitest) and
 * `dist/plan/render.js` (after tsc) both sit two levels below the package root.
 */
export const TEMPLATE_DIR = fileURLToPath(new URL("../../templates/elixir/", import.meta.url));

let env: { hbs: typeof Handlebars; templates: Map<string, Handlebars.TemplateDelegate> } | undefined;

function environment(): NonNullable<typeof env> {
  if (env) return env;
  const hbs = Handlebars.create();
  hbs.registerHelper("str", (s: unknown) => elixirString(String(s)));
  hbs.registerHelper("atom", (s: unknown) => atom(String(s)));
  /** `{{moduledoc text}}`: the whole `@moduledoc` attribute, indented for a module body; `@moduledoc false` without text. */
  hbs.registerHelper("moduledoc", (text: unknown) =>
    typeof text === "string" && text.trim() !== "" ? `  @moduledoc ${heredoc(text, 2)}` : "  @moduledoc false",
  );
  /** `{{doc text}}`: a one-line `@doc "..."` for a function at module level. */
  hbs.registerHelper("doc", (text: unknown) => `  @doc ${elixirString(String(text))}`);
  const templates = new Map<string, Handlebars.TemplateDelegate>();
  for (const file of readdirSync(TEMPLATE_DIR)) {
    if (!file.endsWith(".hbs")) continue;
    const source = readFileSync(join(TEMPLATE_DIR, file), "utf8");
    templates.set(file.slice(0, -".hbs".length), hbs.compile(source, { noEscape: true, strict: true }));
  }
  env = { hbs, templates };
  return env;
}

/** Renders `templates/elixir/<name>.hbs`; Elixir sources (`.ex`, `.exs`) are whitespace-normalised by `tidyElixir`. */
export function render(name: string, view: object): string {
  const template = environment().templates.get(name);
  if (!template) throw new Error(`no template ${name}.hbs in ${TEMPLATE_DIR}`);
  const out = template(view);
  return /\.exs?$/.test(name) ? tidyElixir(out) : out.replace(/\n*$/, "\n");
}
