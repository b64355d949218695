/**
 * Progress for work that may take more than a second: on a TTY a line that is rewritten in place (with the elapsed
 * time) and cleared at the end; elsewhere one plain line when the step starts and one when it ends, so logs stay
 * readable. Silent in `--json` mode, where stdout must stay machine-readable and stderr quiet.
 */
export interface Progress {
  /** Runs `work` as a named step; returns its result. The step's end line says how long it took. */
  step<T>(label: string, work: () => Promise<T>): Promise<T>;
}

export function progress(stream: NodeJS.WriteStream, opts: { quiet: boolean }): Progress {
  const tty = stream.isTTY === true && !opts.quiet;
  return {
    async step<T>(label: string, work: () => Promise<T>): Promise<T> {
      if (opts.quiet) return work();
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      if (tty) {
        const draw = () => stream.write(`\r\x1b[2K… ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        draw();
        timer = setInterval(draw, 250);
      } else {
        stream.write(`… ${label}\n`);
      }
      try {
        const result = await work();
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        stream.write(tty ? `\r\x1b[2K✓ ${label} (${seconds} s)\n` : `✓ ${label} (${seconds} s)\n`);
        return result;
      } catch (error) {
        stream.write(tty ? `\r\x1b[2K✗ ${label}\n` : `✗ ${label}\n`);
        throw error;
      } finally {
        if (timer) clearInterval(timer);
      }
    },
  };
}
