import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package root: two levels above this file both in `src/cli/` (tests) and `dist/cli/` (built). */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

const pjson = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { name: string; version: string };

export const PACKAGE_NAME: string = pjson.name;
export const VERSION: string = pjson.version;
