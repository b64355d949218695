import chalk, { Chalk } from "chalk";
import type { Paint } from "../diagnostics/render.js";
import { colourWanted } from "./command-io.js";

/** The paint of a stream, coloured when `colourWanted` says so. `--json` output never goes through here. */
export function paintFor(stream: NodeJS.WriteStream, noColor: boolean): Paint {
  const c = colourWanted(stream, noColor) ? chalk : new Chalk({ level: 0 });
  return {
    error: (s) => c.red.bold(s),
    warning: (s) => c.yellow.bold(s),
    dim: (s) => c.blue(s),
    bold: (s) => c.bold(s),
    caret: (s, severity) => (severity === "error" ? c.red(s) : c.yellow(s)),
  };
}
