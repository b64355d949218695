import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";
import { jsonString, nixString, shellWord, tomlString, yamlString } from "./escape.js";

/**
 * The Handlebars environment for `templates/deploy/<target>/*.hbs`. As for Elixir, HTML escaping is off and every
 * value that is not a number or a name otpiser built goes through a format-aware helper from `escape.ts`:
 * `{{yaml x}}`, `{{json x}}`, `{{toml x}}`, `{{nix x}}`, `{{sh x}}`.
 */
export const DEPLOY_TEMPLATE_DIR = fileURLToPath(new URL("../../../templates/deploy/", import.meta.url));

let env: Map<string, Handlebars.TemplateDelegate> | undefined;

function templates(): Map<string, Handlebars.TemplateDelegate> {
  if (env) return env;
  const hbs = Handlebars.create();
  hbs.registerHelper("yaml", (s: unknown) => yamlString(String(s)));
  hbs.registerHelper("json", (v: unknown) => jsonString(v));
  hbs.registerHelper("toml", (s: unknown) => tomlString(String(s)));
  hbs.registerHelper("nix", (s: unknown) => nixString(String(s)));
  hbs.registerHelper("sh", (s: unknown) => shellWord(String(s)));
  env = new Map();
  for (const target of readdirSync(DEPLOY_TEMPLATE_DIR)) {
    const dir = join(DEPLOY_TEMPLATE_DIR, target);
    if (!statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir)) {
      if (!file.endsWith(".hbs")) continue;
      const source = readFileSync(join(dir, file), "utf8");
      env.set(`${target}/${file.slice(0, -".hbs".length)}`, hbs.compile(source, { noEscape: true, strict: true }));
    }
  }
  return env;
}

/** Renders `templates/deploy/<target>/<file>.hbs`, ending with exactly one newline. */
export function renderDeploy(target: string, file: string, view: object): string {
  const template = templates().get(`${target}/${file}`);
  if (!template) throw new Error(`no template ${target}/${file}.hbs in ${DEPLOY_TEMPLATE_DIR}`);
  return template(view).replace(/\n*$/, "\n");
}
