import { Flags } from "@oclif/core";
import { execa } from "execa";
import { setTimeout as sleep } from "node:timers/promises";
import { BuildingCommand, buildFlags } from "../cli/build-project.js";
import { EXIT, UserError } from "../cli/errors.js";
import { parseMixOutput } from "../toolchain/mix-errors.js";
import { findMix, mixEnvironment, startMix, type MixEnv } from "../toolchain/mix-run.js";

/**
 * Evaluated in the app's VM: stop it when its stdin (a pipe from otpiser) closes, so the BEAM never outlives
 * otpiser, even when otpiser is killed outright (SIGKILL) and cannot forward anything.
 */
const WATCHDOG = "spawn(fn -> IO.read(:stdio, :eof); System.stop(0) end)";
const LISTENING = /HTTP endpoint listening on (\S+):(\d+)/;

export default class Run extends BuildingCommand {
  static override summary = "Build the project if needed, then start the application with its logs streamed live.";
  static override description =
    "Does what `otpiser build` does (regenerate when the manifest changed, conflicts stop it; `mix compile`), then " +
    "starts the application with `mix run --no-halt` (MIX_ENV from --env, default dev) and passes its output " +
    "through. With [http], prints the endpoint's URL once /healthz answers (PORT overrides the manifest's port, " +
    "as in the generated config/runtime.exs). Ctrl-C (SIGINT), SIGTERM and SIGHUP are forwarded to the application " +
    "as SIGTERM: the VM stops its supervision tree in order; if it has not stopped within the tree's worst-case " +
    "shutdown time (or on a second Ctrl-C) it is killed. Nothing is left running. Exit 0 when the application " +
    "stopped cleanly, 1 when it failed to build, failed to start, crashed or had to be killed. With --json, the " +
    "application's output goes to stderr and a summary is printed on stdout when it stops: {ok, out, env, " +
    "generated, steps[], errors[], warnings[], app: {name, exit_code, signal, stopped_by, url, seconds}}. " +
    "--shell starts an interactive IEx shell instead (`iex -S mix`, needs a terminal).";
  static override examples = [
    "<%= config.bin %> <%= command.id %>",
    "PORT=4001 <%= config.bin %> <%= command.id %> -m otpiser.toml -o ../payments",
    "<%= config.bin %> <%= command.id %> --env prod --json > summary.json",
    "<%= config.bin %> <%= command.id %> --shell   # iex -S mix, in a terminal",
  ];
  static override flags = {
    ...buildFlags,
    env: Flags.string({ char: "e", description: "MIX_ENV for mix (default: dev).", options: ["dev", "test", "prod"] }),
    shell: Flags.boolean({ description: "Start an interactive IEx shell (iex -S mix) instead; needs a terminal, not with --json." }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Run);
    this.setupBuild(flags);
    const mixEnv = (flags.env ?? "dev") as MixEnv;
    if (flags.shell && this.jsonMode) throw new UserError("--shell cannot be combined with --json: the shell needs the terminal");
    if (flags.shell && process.stdin.isTTY !== true) {
      throw new UserError("--shell needs a terminal (stdin is not a TTY); nothing was started", [], "run without --shell to start the application non-interactively");
    }

    const prepared = await this.prepare(flags, "nothing was started");
    if (!prepared.ok) {
      if (this.jsonMode) this.printJson(this.reportJson(false, mixEnv, { app: null }));
      process.exitCode = EXIT.user;
      return;
    }
    const { dir, checked } = prepared;
    const app = checked.manifest.app.name;
    const compile = await this.mixStep("compile", ["compile"], mixEnv, dir);
    if (!compile.ok) {
      const why = this.failure(this.steps.at(-1)!, compile);
      if (this.jsonMode) this.printJson(this.reportJson(false, mixEnv, { app: null }));
      else {
        this.printProblems();
        process.stderr.write(`\n${this.paint.error("not started")}: ${why}\n`);
      }
      process.exitCode = EXIT.user;
      return;
    }

    if (flags.shell) return this.shell(dir, mixEnv);

    // [http]: the port the endpoint will use (tests pick a free one, so it is only known from the app's log).
    const configured = checked.manifest.http && mixEnv !== "test" ? Number(process.env["PORT"] ?? checked.manifest.http.port) : undefined;
    const bind = process.env["BIND_ADDRESS"];
    const probeHost = bind !== undefined && bind !== "" && bind !== "0.0.0.0" && bind !== "::" ? bind : "127.0.0.1";
    if (configured !== undefined && Number.isInteger(configured) && configured > 0 && (await answers(probeHost, configured))) {
      throw new UserError(
        `port ${configured} is already in use (something answers on http://${probeHost}:${configured}/healthz); ${app} was not started`,
        [], "stop whatever runs there, or set PORT to another port",
      );
    }

    if (!this.jsonMode) process.stderr.write(`\n${this.paint.bold("▶")} starting ${app} (mix run --no-halt, MIX_ENV=${mixEnv}); Ctrl-C stops it\n`);
    let logged: { host: string; port: number } | undefined;
    let stopping = false;
    const started = performance.now();
    const proc = startMix(this.mixPath, ["run", "--no-halt", "-e", WATCHDOG], this.mixOptions(dir, mixEnv, {
      stdinPipe: true,
      graceMs: this.stopGraceMs(checked),
      onChunk: (chunk, stream) => (this.jsonMode || stream === "stderr" ? process.stderr : process.stdout).write(chunk),
      onLine: (line) => {
        const m = LISTENING.exec(line);
        if (m) logged = { host: m[1]!, port: Number(m[2]) };
      },
      onInterrupt: (signal) => {
        stopping = true;
        if (!this.jsonMode) process.stderr.write(`\n${signal}: stopping ${app} (SIGTERM; the supervision tree shuts down in order)…\n`);
      },
    }));

    let exited = false;
    let url: string | undefined;
    const watch = (async () => {
      if (!checked.manifest.http) return;
      while (!exited) {
        await sleep(200);
        const port = logged?.port ?? configured;
        if (port === undefined || !Number.isInteger(port) || port <= 0) continue;
        const host = logged && logged.host !== "0.0.0.0" && logged.host !== "::" ? logged.host : probeHost;
        if (!exited && (await answers(host, port))) {
          url = `http://${host === "127.0.0.1" ? "localhost" : host}:${port}`;
          if (!this.jsonMode && !stopping) process.stderr.write(`${this.paint.bold("→")} ${url} is up: ${url}/healthz, /readyz, /metrics\n`);
          return;
        }
      }
    })();
    const o = await proc.done;
    exited = true;
    await watch;

    this.problems.push(...parseMixOutput(o.output));
    const ok = o.exitCode === 0 && !o.killed;
    this.steps.push({
      name: "run", command: "mix run --no-halt", mix_env: mixEnv, ok, seconds: Math.round(o.seconds * 10) / 10,
      exit_code: o.exitCode ?? null, ...(o.signal !== undefined ? { signal: o.signal } : {}),
    });
    const summary = {
      name: app,
      exit_code: o.exitCode ?? null,
      signal: o.signal ?? null,
      stopped_by: o.interrupted ?? "exit",
      killed: o.killed,
      url: url ?? null,
      seconds: Math.round(((performance.now() - started) / 1000) * 10) / 10,
    };
    if (this.jsonMode) {
      this.printJson(this.reportJson(ok, mixEnv, { app: summary }));
    } else {
      this.printProblems();
      const after = `after ${summary.seconds.toFixed(1)} s`;
      if (ok) process.stderr.write(`${app} stopped (exit 0) ${after}\n`);
      else if (o.killed) process.stderr.write(`${this.paint.error("killed")}: ${app} did not stop within ${Math.round(this.stopGraceMs(checked) / 1000)} s ${after}\n`);
      else process.stderr.write(`${this.paint.error("failed")}: ${app} exited with ${o.signal !== undefined ? `signal ${o.signal}` : `code ${o.exitCode ?? "?"}`} ${after}\n`);
    }
    process.exitCode = ok ? EXIT.ok : EXIT.user;
  }

  /** `iex -S mix` in the terminal; the BEAM handles Ctrl-C itself (its BREAK menu), otpiser just waits. */
  private async shell(dir: string, mixEnv: MixEnv): Promise<void> {
    const iex = await findMix("iex");
    if (iex === undefined) throw new UserError("`iex` was not found on PATH; nothing was started", [], "install Elixir (iex comes with it)");
    const ignore = () => undefined;
    process.on("SIGINT", ignore);
    try {
      const r = await execa(iex, ["-S", "mix"], { cwd: dir, env: mixEnvironment(process.env, mixEnv, false), extendEnv: false, stdio: "inherit", reject: false });
      process.exitCode = r.exitCode === 0 ? EXIT.ok : EXIT.user;
    } finally {
      process.off("SIGINT", ignore);
    }
  }
}

/** Does something answer HTTP on host:port/healthz (any status)? */
async function answers(host: string, port: number): Promise<boolean> {
  try {
    const h = host.includes(":") ? `[${host}]` : host;
    const r = await fetch(`http://${h}:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
    await r.body?.cancel();
    return true;
  } catch {
    return false;
  }
}
