import chalk, { Chalk } from "chalk";
import type { Paint } from "../diagnostics/render.js";

/**
 * Colours only where they help: on a TTY, unless NO_COLOR is set (chalk's own detection honours NO_COLOR,
 * FORCE_COLOR and TERM=dumb). `--json` output never goes through here.
 */
export function paintFor(stream: NodeJS.WriteStream, noColor: boolean): Paint {
  const c = noColor || !stream.isTTY || process.env["NO_COLOR"] !== undefined ? new Chalk({ level: 0 }) : chalk;
  return {
    error: (s) => c.red.bold(s),
    warning: (s) => c.yellow.bold(s),
    dim: (s) => c.blue(s),
    bold: (s) => c.bold(s),
    caret: (s, severity) => (severity === "error" ? c.red(s) : c.yellow(s)),
  };
}
