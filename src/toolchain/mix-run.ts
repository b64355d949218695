/**
 * Running `mix` (and the BEAM it starts) on behalf of `otpiser build` / `otpiser run`: output streamed as it comes
 * (line by line, to a callback) and kept for the error summary; Ctrl-C and friends forwarded; nothing left behind.
 *
 * The child runs in its own process group (`detached`), so a Ctrl-C typed in the terminal reaches otpiser only —
 * never the BEAM directly, whose SIGINT handler would open the BREAK menu and wait on a stdin it does not have.
 * otpiser forwards SIGINT/SIGTERM/SIGHUP as SIGTERM, which the BEAM turns into `init:stop()`: applications stop in
 * order, supervisors shut their children down. If the group is still there after `graceMs` (or on a second
 * signal), it gets SIGKILL. When the child is gone, whatever is left of its group (port programs, `erl_child_setup`)
 * is killed too, and a last-resort `exit` hook does the same if otpiser itself exits first.
 */
import { execa } from "execa";
import { findExecutable } from "./find-executable.js";

export type MixEnv = "dev" | "test" | "prod";
export const MIX_ENVS: readonly MixEnv[] = ["dev", "test", "prod"];

export interface MixRunOptions {
  cwd: string;
  mixEnv: MixEnv;
  /** Base environment (default process.env); MIX_ENV is set on top of it. */
  env?: NodeJS.ProcessEnv;
  /** Ask Elixir for ANSI colours even though its output is a pipe (otpiser shows it on a colour terminal). */
  colour?: boolean;
  /** Every complete line of output, as it arrives (without the newline). */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  /** Raw output chunks, as they arrive (for passing the app's output through untouched). */
  onChunk?: (chunk: string, stream: "stdout" | "stderr") => void;
  /** Called once when otpiser receives a signal and starts stopping the child. */
  onInterrupt?: (signal: NodeJS.Signals) => void;
  /** Keep a pipe on the child's stdin (closed when otpiser exits, however it exits). Default: stdin is /dev/null. */
  stdinPipe?: boolean;
  /** How long a forwarded SIGTERM may take before SIGKILL. Default 15 s. */
  graceMs?: number;
  /** Keep at most this many characters of output (the tail). Default 4 MB. */
  keepChars?: number;
}

export interface MixOutcome {
  /** The child's exit code, or undefined when a signal ended it. */
  exitCode: number | undefined;
  /** The signal that ended the child, if any. */
  signal: string | undefined;
  /** stdout and stderr interleaved in arrival order (the tail, see keepChars). */
  output: string;
  seconds: number;
  /** The signal otpiser received and forwarded, if any. */
  interrupted: NodeJS.Signals | undefined;
  /** True when the child had to be killed (it ignored SIGTERM for graceMs, or a second signal came). */
  killed: boolean;
  ok: boolean;
}

export interface MixProcess {
  pid: number | undefined;
  done: Promise<MixOutcome>;
  /** Stop the child as a forwarded signal would (SIGTERM, then SIGKILL after the grace period). */
  stop(): void;
}

/** The `mix` (or `iex`) executable on PATH, or undefined. */
export async function findMix(name: "mix" | "iex" = "mix", env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  return findExecutable(name, { env });
}

const FORWARDED: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Environment for a mix child: MIX_ENV, and Elixir's colours when asked for. */
export function mixEnvironment(base: NodeJS.ProcessEnv, mixEnv: MixEnv, colour: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, MIX_ENV: mixEnv };
  if (colour) env["ERL_AFLAGS"] = `${base["ERL_AFLAGS"] ?? ""} -elixir ansi_enabled true`.trim();
  return env;
}

/** Starts `mix args…` in `cwd`; see the module comment for signals and clean-up. */
export function startMix(mix: string, args: string[], opts: MixRunOptions): MixProcess {
  const started = performance.now();
  const keep = opts.keepChars ?? 4_000_000;
  const grace = opts.graceMs ?? 15_000;
  const child = execa(mix, args, {
    cwd: opts.cwd,
    env: mixEnvironment(opts.env ?? process.env, opts.mixEnv, opts.colour ?? false),
    extendEnv: false,
    detached: true,
    cleanup: false,
    stdin: opts.stdinPipe ? "pipe" : "ignore",
    stdout: "pipe",
    stderr: "pipe",
    buffer: false,
    reject: false,
  });
  const pid = child.pid;

  let output = "";
  const partial = { stdout: "", stderr: "" };
  const take = (stream: "stdout" | "stderr", chunk: string) => {
    opts.onChunk?.(chunk, stream);
    output += chunk;
    if (output.length > keep * 2) output = output.slice(-keep);
    const lines = (partial[stream] + chunk).split("\n");
    partial[stream] = lines.pop() ?? "";
    for (const line of lines) opts.onLine?.(line.replace(/\r$/, ""), stream);
  };
  for (const stream of ["stdout", "stderr"] as const) {
    const s = child[stream];
    s?.setEncoding("utf8");
    s?.on("data", (chunk: string) => take(stream, chunk));
  }

  let interrupted: NodeJS.Signals | undefined;
  let killed = false;
  let killTimer: NodeJS.Timeout | undefined;
  const forceKill = () => {
    killed = true;
    killGroup(pid, "SIGKILL");
  };
  const stop = () => {
    if (killTimer !== undefined) return;
    killGroup(pid, "SIGTERM");
    killTimer = setTimeout(forceKill, grace);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted !== undefined) {
      // A second Ctrl-C: stop waiting.
      forceKill();
      return;
    }
    interrupted = signal;
    opts.onInterrupt?.(signal);
    stop();
  };
  const onExit = () => killGroup(pid, "SIGKILL");
  for (const s of FORWARDED) process.on(s, onSignal);
  process.on("exit", onExit);

  const done = (async (): Promise<MixOutcome> => {
    try {
      const result = await child;
      for (const stream of ["stdout", "stderr"] as const) {
        if (partial[stream] !== "") opts.onLine?.(partial[stream], stream);
        partial[stream] = "";
      }
      const exitCode = typeof result.exitCode === "number" ? result.exitCode : undefined;
      const signal = result.signal ?? undefined;
      const failedToStart = exitCode === undefined && signal === undefined;
      if (failedToStart) output += `${result.shortMessage ?? result.message}\n`;
      return {
        exitCode, signal, output, interrupted, killed,
        seconds: (performance.now() - started) / 1000,
        ok: exitCode === 0 && !killed,
      };
    } finally {
      if (killTimer !== undefined) clearTimeout(killTimer);
      // The BEAM is gone; anything it started in its group goes too.
      killGroup(pid, "SIGKILL");
      for (const s of FORWARDED) process.off(s, onSignal);
      process.off("exit", onExit);
    }
  })();

  return { pid, done, stop };
}
