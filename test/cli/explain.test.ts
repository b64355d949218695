import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { explainService } from "../../src/analysis/explain-service.js";
import { check } from "../../src/pipeline.js";
import { ROOT, otpiser } from "../helpers/cli.js";

const TEN = join("fixtures", "valid", "ten-services.toml");

function analysed(path: string) {
  const result = check({ path, text: readFileSync(join(ROOT, path), "utf8") });
  return { manifest: result.manifest!, topology: result.topology!, graph: result.graph! };
}

describe("explainService", () => {
  const { manifest, topology, graph } = analysed(TEN);

  it("says where a service sits, what restarts with it and where a breach escalates", () => {
    const e = explainService(manifest, topology, graph, "repo")!;
    expect(e.path).toEqual(["root", "config_chain", "storage"]);
    expect(e.restartsWith).toEqual(["repo", "cache"]);
    expect(e.onCrash).toBe("It restarts together with `cache` (rest_for_one under the `storage` group).");
    expect(e.intensity).toMatch(/^Its supervisor, the `storage` group, allows up to \d+ restarts? in \d+ s across all its children; beyond that the `storage` group gives up, and the computed sub-supervisor `config_chain` restarts it as a whole/);
    expect(e.placement).toContain("It depends on `config`: `config` starts first, and a restart of `config` restarts it too.");
    expect(e.placement).toContain("`cache` depends on it: `cache` starts after it and restarts with it.");
    expect(e.shutdown).toContain("10000 ms");
  });

  it("a child of the root escalates to the application stopping; a temporary step restarts nothing", () => {
    const mailer = explainService(manifest, topology, graph, "mailer")!;
    expect(mailer.intensity).toContain("the root supervisor gives up and the application stops");
    const step = explainService(manifest, topology, graph, "warm_up")!;
    expect(step.onCrash).toMatch(/temporary/);
    expect(step.restartsWith).toEqual([]);
  });

  it("the restart set is the simulator's: a supervisor takes its subtree along", () => {
    const storage = explainService(manifest, topology, graph, "storage")!;
    expect(storage.restartsWith).toEqual(expect.arrayContaining(["storage", "repo", "cache"]));
    expect(explainService(manifest, topology, graph, "nope")).toBeUndefined();
  });
});

describe("otpiser explain", { timeout: 60_000 }, () => {
  it("prints the four sections for a service", async () => {
    const r = await otpiser(["explain", "repo", "-m", TEN]);
    expect(r.exitCode, r.stderr).toBe(0);
    for (const heading of ["where and why", "when it crashes", "restart intensity", "shutdown"]) expect(r.stdout).toContain(heading);
    expect(r.stdout).toContain("under: root → config_chain → storage");
  });

  it("--json gives the documented shape", async () => {
    const r = await otpiser(["explain", "repo", "-m", TEN, "--json"]);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout) as { services: Record<string, unknown>[] };
    expect(out.services[0]).toMatchObject({ id: "repo", module: "Shop.Repo", kind: "gen_server", path: ["root", "config_chain", "storage"], restarts_with: ["repo", "cache"] });
    expect(Object.keys(out.services[0]!).sort()).toEqual(["id", "intensity", "kind", "module", "on_crash", "path", "placement", "restarts_with", "shutdown"]);
  });

  it("an unknown service is exit 1 with a did-you-mean", async () => {
    const r = await otpiser(["explain", "rep", "-m", TEN]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("`rep` is not in the supervision tree");
    expect(r.stderr).toContain("repo");
  });

  it("without a service: every supervisor; --all: every service", async () => {
    const all = await otpiser(["explain", "-m", TEN]);
    expect(all.stdout).toMatch(/^root\n  strategy:/m);
    const each = await otpiser(["explain", "--all", "-m", TEN, "--json"]);
    const ids = (JSON.parse(each.stdout) as { services: { id: string }[] }).services.map((s) => s.id);
    expect(ids).toEqual(analysed(TEN).topology.startOrder);
  });
});
