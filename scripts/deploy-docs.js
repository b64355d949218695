#!/usr/bin/env node
// Rewrites the generated "deployment targets" block of README.md from the emitters' honours/ignores lists.
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "..", "..");
const { withDeployDocs } = await import(join(root, "dist", "plan", "deploy", "docs.js"));
const path = join(root, "README.md");
writeFileSync(path, withDeployDocs(readFileSync(path, "utf8")));
