import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { systemdInstallDir, unitText } from "../../src/plan/deploy/systemd.js";
import { fileOf, planFixture, planToml } from "./helpers.js";

/**
 * deploy/systemd/<app>.service, checked by systemd itself: `systemd-analyze verify` loads the unit from a scratch
 * root holding the system's own units (for the default dependencies) and a stub `/opt/<app>/bin/<app>` (verify
 * refuses an ExecStart= that is not executable). verify exits 0 on settings it merely ignores (an unknown key, a
 * value it cannot parse, a bad `%` specifier) and only prints them, so any output counts as a failure here.
 *
 * The tests need systemd-analyze; they are skipped without it unless OTPISER_REQUIRE_TOOLS=1 (CI), which fails.
 */

const REQUIRED = process.env.OTPISER_REQUIRE_TOOLS === "1";
const HAS_SYSTEMD = spawnSync("systemd-analyze", ["--version"], { stdio: "ignore" }).status === 0;
const RUN = HAS_SYSTEMD || REQUIRED;
if (!RUN) console.warn("test/deploy/systemd.test.ts: systemd-analyze not found, unit checks skipped (apt-get install systemd; OTPISER_REQUIRE_TOOLS=1 makes this an error)");

let root: string | undefined;
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** The scratch root: the system's units (sysinit.target, network-online.target, multi-user.target …). */
function scratchRoot(): string {
  if (root) return root;
  root = mkdtempSync(join(tmpdir(), "otpiser-systemd-"));
  const units = ["/usr/lib/systemd/system", "/lib/systemd/system"].find((d) => existsSync(join(d, "multi-user.target")));
  if (!units) throw new Error("no systemd unit directory with multi-user.target on this machine");
  cpSync(units, join(root, "usr/lib/systemd/system"), { recursive: true, verbatimSymlinks: true });
  mkdirSync(join(root, "etc/systemd/system"), { recursive: true });
  return root;
}

/** `systemd-analyze verify` of `text` as /etc/systemd/system/<unit>; `binary` is the stub made executable. */
function verify(unit: string, text: string, binary: string | undefined): { ok: boolean; output: string } {
  const dir = scratchRoot();
  if (binary) {
    const path = join(dir, binary);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, "#!/bin/sh\nexit 0\n");
    chmodSync(path, 0o755);
  }
  writeFileSync(join(dir, "etc/systemd/system", unit), text);
  const r = spawnSync("systemd-analyze", ["verify", "--man=no", `--root=${dir}`, `/etc/systemd/system/${unit}`], { encoding: "utf8" });
  if (r.error) throw r.error;
  const output = `${r.stdout}${r.stderr}`.trim();
  return { ok: r.status === 0 && output === "", output };
}

/** verify must accept the unit without a word. */
function expectVerified(app: string, text: string): void {
  const r = verify(`${app}.service`, text, `${systemdInstallDir(app)}/bin/${app}`);
  expect(r.output).toBe("");
  expect(r.ok).toBe(true);
}

/** The unit as systemd reads it: sections of `Key=Value` (repeated keys kept in order), comments dropped. */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const sections: Record<string, Record<string, string[]>> = {};
  let current: Record<string, string[]> | undefined;
  for (const line of text.split("\n")) {
    if (line.trim() === "" || /^[#;]/.test(line)) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = sections[section[1]!] = {};
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!kv || !current) throw new Error(`not a unit line: ${JSON.stringify(line)}`);
    (current[kv[1]!] ??= []).push(kv[2]!);
  }
  return sections;
}

const manifest = (opts: { app?: string; http?: string; cluster?: string; services?: string } = {}) => `
[app]
name = "order_desk"
${opts.app ?? ""}

${opts.services ?? "[services.store]"}
${opts.http ?? ""}
${opts.cluster ?? ""}

[deploy]
targets = ["systemd"]
`;

describe("systemd: tools", () => {
  it.runIf(REQUIRED)("systemd-analyze is installed (OTPISER_REQUIRE_TOOLS=1)", () => {
    expect(HAS_SYSTEMD, "install Debian's systemd").toBe(true);
  });
});

describe("systemd: the fixture's unit", () => {
  const { files } = planFixture("deploy-targets");
  const text = fileOf(files, "deploy/systemd/ledger.service");
  const unit = parseUnit(text);
  const service = unit["Service"]!;

  it.runIf(RUN)("systemd-analyze verify accepts it without a word", () => {
    expectVerified("ledger", text);
  });

  it.runIf(RUN)("and the check can fail: an ignored key, an unparsable value, a bad specifier, a missing binary", () => {
    const broken: [string, string, string][] = [
      ["a misspelt key", "NoNewPrivileges=yes", "NoNewPrivilege=yes"],
      ["an unknown restart policy", "Restart=on-failure", "Restart=sometimes"],
      ["a bad time", /TimeoutStopSec=\d+s/.exec(text)![0], "TimeoutStopSec=thirty"],
      ["an unresolvable % specifier", /^Description=.*$/m.exec(text)![0], "Description=100% %Z"],
    ];
    for (const [what, from, to] of broken) {
      expect(text, what).toContain(from);
      const r = verify("broken.service", text.replace(from, to), "/opt/ledger/bin/ledger");
      expect(r.ok, what).toBe(false);
    }
    const missing = verify("missing.service", text.replaceAll("/opt/ledger/bin/ledger", "/opt/nowhere/bin/ledger"), undefined);
    expect(missing.ok).toBe(false);
    expect(missing.output).toMatch(/not executable/);
  });

  it("runs /opt/<app>/bin/<app> start in the foreground, stops it with `stop`, restarts it on failure", () => {
    expect(service).toMatchObject({
      Type: ["exec"],
      ExecStart: ["/opt/ledger/bin/ledger start"],
      ExecStop: ["/opt/ledger/bin/ledger stop"],
      Restart: ["on-failure"],
      RestartSec: ["5s"],
    });
    expect(unit["Unit"]).toMatchObject({ Description: ['Double-entry ledger: "postings" & balances'], After: ["network-online.target"] });
    expect(unit["Install"]).toEqual({ WantedBy: ["multi-user.target"] });
  });

  it("waits for the supervision tree's shutdown budget before killing it", () => {
    // store, postings, health (5 s each) + the HTTP endpoint and the cluster watcher (5 s each), + 5 s for the VM
    expect(service["TimeoutStopSec"]).toEqual(["30s"]);
  });

  it("runs as a dedicated user with secrets from a required environment file (a cluster shares its cookie)", () => {
    expect(service).toMatchObject({ DynamicUser: ["yes"], User: ["ledger"], Group: ["ledger"], EnvironmentFile: ["/etc/ledger/ledger.env"] });
    expect(service["Environment"]).toEqual(["PORT=4000", "RELEASE_TMP=/run/ledger", "ERL_CRASH_DUMP=/var/lib/ledger/erl_crash.dump", "LANG=C.UTF-8"]);
    expect(text).toContain("open epmd's\n# port 4369 and the distribution ports 9100-9155");
  });

  it("is hardened, with the release's tmp as its only writable place besides its state", () => {
    expect(service).toMatchObject({
      NoNewPrivileges: ["yes"],
      ProtectSystem: ["strict"],
      ProtectHome: ["yes"],
      PrivateTmp: ["yes"],
      RuntimeDirectory: ["ledger"],
      StateDirectory: ["ledger"],
      LimitNOFILE: ["65536"],
      CapabilityBoundingSet: [""],
    });
    expect(service["MemoryDenyWriteExecute"], "the BEAM JIT writes code").toBeUndefined();
    expect(service["ReadWritePaths"]).toBeUndefined();
  });
});

describe("systemd: other manifests", () => {
  it.runIf(RUN)("without [cluster] or [http]: an optional environment file, no PORT, verified", () => {
    const text = fileOf(planToml(manifest()).files, "deploy/systemd/order_desk.service");
    expectVerified("order_desk", text);
    const service = parseUnit(text)["Service"]!;
    expect(service["EnvironmentFile"]).toEqual(["-/etc/order_desk/order_desk.env"]);
    expect(service["Environment"]).toEqual(["RELEASE_TMP=/run/order_desk", "ERL_CRASH_DUMP=/var/lib/order_desk/erl_crash.dump", "LANG=C.UTF-8"]);
    expect(service["TimeoutStopSec"]).toEqual(["10s"]);
    expect(text).not.toContain("epmd");
  });

  it.runIf(RUN)("a port below 1024 gets exactly CAP_NET_BIND_SERVICE", () => {
    const text = fileOf(planToml(manifest({ http: "[http]\nport = 80" })).files, "deploy/systemd/order_desk.service");
    expectVerified("order_desk", text);
    expect(parseUnit(text)["Service"]).toMatchObject({
      AmbientCapabilities: ["CAP_NET_BIND_SERVICE"],
      CapabilityBoundingSet: ["CAP_NET_BIND_SERVICE"],
      Environment: expect.arrayContaining(["PORT=80"]),
    });
  });

  it.runIf(RUN)("static discovery: the header says how to override it per host", () => {
    const cluster = '[cluster]\nenabled = true\ndiscovery = "static"\nnodes = ["order_desk@10.0.0.1", "order_desk@10.0.0.2"]';
    const text = fileOf(planToml(manifest({ cluster })).files, "deploy/systemd/order_desk.service");
    expectVerified("order_desk", text);
    expect(text).toContain("The discovery configured\n# in otpiser.toml (static) applies");
    expect(parseUnit(text)["Service"]!["EnvironmentFile"]).toEqual(["/etc/order_desk/order_desk.env"]);
  });

  it.runIf(RUN)("an adversarial description stays one Description= line, specifiers escaped, verified", () => {
    const nasty = 'Ledger 100% "safe"\n[Service]\nExecStartPre=/bin/evil %n ${HOME} \\';
    const text = fileOf(planToml(manifest({ app: `description = ${JSON.stringify(nasty)}` })).files, "deploy/systemd/order_desk.service");
    expectVerified("order_desk", text);
    const unit = parseUnit(text);
    expect(unit["Service"]!["ExecStartPre"]).toBeUndefined();
    expect(unit["Unit"]!["Description"]).toEqual(['Ledger 100%% "safe" [Service] ExecStartPre=/bin/evil %%n ${HOME}']);
  });

  it.runIf(RUN)("TimeoutStopSec follows the services' shutdown_ms", () => {
    const services = "[services.store]\nshutdown_ms = 20000\n\n[services.cache]\nshutdown_ms = 600000";
    const text = fileOf(planToml(manifest({ services })).files, "deploy/systemd/order_desk.service");
    expectVerified("order_desk", text);
    expect(parseUnit(text)["Service"]!["TimeoutStopSec"]).toEqual(["625s"]);
  });

  it("unitText: one line, no trailing backslash, % doubled", () => {
    expect(unitText("a\n\tb\r\nc")).toBe("a b c");
    expect(unitText("ends with \\\\")).toBe("ends with");
    expect(unitText("%i and 5%")).toBe("%%i and 5%%");
    expect(unitText("  spaced  ")).toBe("spaced");
  });
});
