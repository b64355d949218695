/**
 * End to end: the release of the all-targets fixture is built for real (`MIX_ENV=prod mix release`), started as a
 * distributed node on a free port with a random cookie, asked for /healthz, /readyz and /metrics over HTTP, then
 * checked with the generated Dockerfile's own HEALTHCHECK command, then stopped with `bin/<app> stop`; the OS
 * process must be gone and the port closed. Everything written (the build, RELEASE_TMP) stays in the temp dir,
 * removed afterwards (unless OTPISER_KEEP_E2E is set). epmd, which the first distributed node of a machine starts,
 * is shared by every node there and outlives them by design: it is left running.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { join } from "node:path";
import { DockerfileParser } from "dockerfile-ast";
import { execa, type ResultPromise } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileOf, planFixture } from "./helpers.js";
import { track, trackDirs, writePlan } from "../plan/mix-helpers.js";

trackDirs();

const APP = "ledger";
const NODE = `${APP}@127.0.0.1`;

/** A TCP port nobody listens on right now: the kernel picks it, we release it. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Whether the OS still has a process `pid` (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** GETs `url` until `accept` holds for the response, or fails after `deadlineMs`, saying what it last saw. */
async function pollUntil(url: string, accept: (status: number) => boolean, deadlineMs: number, stillRunning: () => void) {
  const deadline = Date.now() + deadlineMs;
  let last = "no answer";
  for (;;) {
    stillRunning();
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      const body = await response.text();
      if (accept(response.status)) return { status: response.status, body, type: response.headers.get("content-type") ?? "" };
      last = `${response.status} ${body}`;
    } catch (error) {
      last = String(error);
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer as expected within ${deadlineMs} ms; last: ${last}`);
    await sleep(250);
  }
}

/** The environment of every `bin/<app>` command: this node's name, port, cookie and temp dir, nothing inherited from mix. */
function releaseEnv(port: number, cookie: string, tmp: string): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, PORT: String(port), RELEASE_COOKIE: cookie, RELEASE_NODE: NODE, RELEASE_TMP: tmp };
  for (const key of ["MIX_ENV", "MIX_BUILD_PATH", "LOG_LEVEL", "RELEASE_DISTRIBUTION", "ERL_AFLAGS", "ELIXIR_ERL_OPTIONS"]) delete env[key];
  return env;
}

describe("the generated release builds, starts, serves its health endpoints and stops", () => {
  let dir = "";
  let bin = "";
  let healthcheck = "";
  let node: ResultPromise<{ all: true; reject: false }> | undefined;
  let pid: number | undefined;

  beforeAll(async () => {
    const { plan, files } = planFixture("deploy-targets");
    dir = track(writePlan(plan, "release"));
    // The Dockerfile's HEALTHCHECK command, as the container's /bin/sh would run it.
    const check = DockerfileParser.parse(fileOf(files, "Dockerfile")).getHEALTHCHECKs()[0];
    healthcheck = check?.getArguments().slice(1).map((a) => a.getValue()).join(" ") ?? "";
    const env: Record<string, string | undefined> = { ...process.env, MIX_ENV: "prod", HEX_OFFLINE: "1" };
    delete env.MIX_BUILD_PATH;
    const build = await execa("mix", ["release", "--overwrite"], { cwd: dir, env, extendEnv: false, all: true, reject: false, timeout: 200_000 });
    expect(build.exitCode, build.all).toBe(0);
    bin = join(dir, "_build", "prod", "rel", APP, "bin", APP);
  });

  afterAll(async () => {
    // Never leave a node behind: whatever happened above, the OS process is killed and awaited.
    if (pid !== undefined && alive(pid)) process.kill(pid, "SIGKILL");
    await node?.catch(() => undefined);
  });

  it("is a release with the configured env.sh and vm.args", () => {
    const release = join(dir, "_build", "prod", "rel", APP);
    expect(existsSync(bin)).toBe(true);
    const vsn = join(release, "releases", "1.2.0");
    expect(readdirSync(vsn)).toEqual(expect.arrayContaining(["env.sh", "vm.args", "runtime.exs", "start.boot"]));
  });

  it(
    "answers /healthz, /readyz and /metrics on PORT as a distributed node, then stops cleanly on `bin/ledger stop`",
    async () => {
      const port = await freePort();
      const cookie = randomBytes(24).toString("hex");
      const tmp = join(dir, "release-tmp");
      mkdirSync(tmp);
      const env = releaseEnv(port, cookie, tmp);
      node = execa(bin, ["start"], { cwd: dir, env, extendEnv: false, all: true, reject: false, timeout: 180_000 });
      pid = node.pid;
      expect(pid).toBeDefined();
      let exited: { exitCode?: number; all?: string } | undefined;
      void node.then((result) => (exited = result));
      const stillRunning = (): void => {
        if (exited) throw new Error(`the release exited (${exited.exitCode}) before answering:\n${exited.all}`);
      };

      const health = await pollUntil(`http://127.0.0.1:${port}/healthz`, (s) => s === 200, 60_000, stillRunning);
      expect(health.body.trim()).toBe("ok");

      // /readyz turns 200 once the health service has run its probes (every 2 s in the fixture).
      const ready = await pollUntil(`http://127.0.0.1:${port}/readyz`, (s) => s === 200, 30_000, stillRunning);
      expect(ready.body.trim()).toBe("ready");

      const metrics = await pollUntil(`http://127.0.0.1:${port}/metrics`, (s) => s === 200, 10_000, stillRunning);
      expect(metrics.type).toMatch(/^text\/plain/);
      expect(metrics.body).toContain("# TYPE ledger_service_restarts_total counter");
      for (const service of ["store", "postings", "health"]) {
        expect(metrics.body).toContain(`ledger_service_restarts_total{service="${service}"} 0`);
      }
      expect(metrics.body).toMatch(/^ledger_beam_processes \d+$/m);
      // Every sample line is `name{labels} value` (Prometheus text format 0.0.4).
      for (const line of metrics.body.split("\n").filter((l) => l !== "" && !l.startsWith("#"))) {
        expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.eE+-]+$/);
      }

      // The node is distributed under RELEASE_NODE with RELEASE_COOKIE: `rpc` reaches it and names its OS process;
      // its distribution listens in the fixed range of rel/vm.args.eex (what firewalls and NetworkPolicies open).
      const script = 'IO.puts(node()); IO.puts(System.pid()); {:port, p, _} = :erl_epmd.port_please(~c"ledger", ~c"127.0.0.1"); IO.puts(p)';
      const rpc = await execa(bin, ["rpc", script], { env, extendEnv: false, reject: false, timeout: 30_000 });
      expect(rpc.exitCode, rpc.stderr).toBe(0);
      const [name, osPid, distPort] = rpc.stdout.split("\n");
      expect([name, osPid]).toEqual([NODE, String(pid)]);
      expect(Number(distPort)).toBeGreaterThanOrEqual(9100);
      expect(Number(distPort)).toBeLessThanOrEqual(9155);

      // Nothing was written into the release itself (RELEASE_TMP points into the temp dir).
      expect(existsSync(join(dir, "_build", "prod", "rel", APP, "tmp"))).toBe(false);

      // The image's HEALTHCHECK, run against the real node on PORT, passes.
      expect(healthcheck).toMatch(/^curl .*\/healthz" \|\| exit 1$/);
      const healthy = await execa("sh", ["-c", healthcheck], { env, extendEnv: false, reject: false, timeout: 10_000 });
      expect(healthy.exitCode, healthy.stderr).toBe(0);

      const stop = await execa(bin, ["stop"], { env, extendEnv: false, reject: false, timeout: 30_000 });
      expect(stop.exitCode, stop.stderr).toBe(0);
      const result = await node;
      expect(result.exitCode, result.all).toBe(0);
      expect(alive(pid!)).toBe(false);
      expect(await listening(port)).toBe(false);
      const unhealthy = await execa("sh", ["-c", healthcheck], { env, extendEnv: false, reject: false, timeout: 10_000 });
      expect(unhealthy.exitCode).not.toBe(0);
      expect(result.all).toContain(`HTTP endpoint listening on 0.0.0.0:${port}`);
    },
    240_000,
  );
});
