#!/usr/bin/env node
// Writes schema/otpiser.schema.json, the JSON Schema of otpiser.toml, from the validator's key lists
// (src/manifest/json-schema.ts, built into dist/). `--check` writes nothing and exits 1 when the committed file is stale.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "..", "..");
const { renderJsonSchema, SCHEMA_FILE_NAME } = await import(join(root, "dist", "manifest", "json-schema.js"));
const path = join(root, "schema", SCHEMA_FILE_NAME);
const text = renderJsonSchema();
const current = existsSync(path) ? readFileSync(path, "utf8") : undefined;
if (process.argv.includes("--check")) {
  if (current !== text) {
    process.stderr.write(`${relative(process.cwd(), path)} is out of date: run \`npm run schema\`\n`);
    process.exit(1);
  }
  process.stderr.write(`${relative(process.cwd(), path)} is up to date\n`);
} else if (current === text) {
  process.stderr.write(`${relative(process.cwd(), path)} is up to date\n`);
} else {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  process.stderr.write(`wrote ${relative(process.cwd(), path)}\n`);
}
