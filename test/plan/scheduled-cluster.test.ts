/**
 * Scheduled services beyond one node, without mix runs (test/plan/scheduled.e2e.test.ts proves the projects): the
 * election the planner writes with [cluster] (and its absence without), the /metrics families and tests added with
 * [http], the 2-node test added to the cluster tests, what `explain`/`visualise` say about where a job runs
 * (scheduledRuns, shared by both and by `validate --json`), and W116 for replicas without [cluster].
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { scheduledRuns } from "../../src/analysis/scheduled-runs.js";
import { check } from "../../src/pipeline.js";
import { scheduledAlias } from "../../src/plan/scheduled.js";
import { renderDot } from "../../src/visualise/dot.js";
import { mermaidText, renderMermaid } from "../../src/visualise/mermaid.js";
import { buildVisualModel, nodeSummary } from "../../src/visualise/model.js";
import { checkToml, contentOf, countTests, planToml } from "./mix-helpers.js";

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/valid/${name}.toml`, import.meta.url), "utf8");
const CLUSTERED = fixture("scheduled-cluster");
const SINGLE = fixture("scheduled-jobs");

/** One scheduled job with the given extra sections. */
const job = (extra: string): string =>
  `[app]\nname = "jobs"\n\n[services.nightly]\nkind = "scheduled"\ncron = "0 2 * * *"\nrun = "Jobs.Work.nightly"\n${extra}`;
const HTTP = "\n[http]\nport = 4000\n";
const K8S = (replicas: number) => `${HTTP}\n[deploy]\ntargets = ["kubernetes"]\nreplicas = ${replicas}\n`;
const CLUSTER = '\n[cluster]\ndiscovery = "epmd"\nnodes = ["a@127.0.0.1", "b@127.0.0.1"]\n';

describe("the election of one runner per job", () => {
  it("with [cluster], the application's scheduler competes for {Module, :runner}; without, it runs alone", () => {
    const digest = contentOf(planToml(CLUSTERED), "lib/ticker/digest.ex");
    expect(digest).toContain("  @runner_name {__MODULE__, :runner}\n");
    expect(digest).toMatch(/competes\s+for\s+the\s+`:global`\s+name\s+`\{Ticker\.Digest, :runner\}`/);
    expect(digest).toContain("&:global.random_notify_name/3");
    const report = contentOf(planToml(SINGLE), "lib/chores/report.ex");
    expect(report).toContain("  @runner_name nil\n");
    expect(report).toContain("Without `[cluster]` every node that runs the application runs the job");
  });

  it("adds the 2-node election test to the cluster tests only when there are scheduled services", () => {
    const nodes = contentOf(planToml(CLUSTERED), "test/ticker/cluster/three_nodes_test.exs");
    expect(countTests(nodes)).toBe(2);
    expect(nodes).toContain("start_cluster(2, [{Scheduled, schedule: {:every_ms, 50}, enabled: true}])");
    const plain = contentOf(planToml(`[app]\nname = "jobs"\n\n[services.worker]\n${CLUSTER}`), "test/jobs/cluster/three_nodes_test.exs");
    expect(countTests(plain)).toBe(1);
    expect(plain).not.toContain("Scheduled");
  });

  it("aliases a long scheduler module on two lines", () => {
    expect(scheduledAlias("Ticker.Digest")).toBe("  alias Ticker.Digest, as: Scheduled");
    const long = `A${"b".repeat(60)}.C${"d".repeat(30)}`;
    expect(scheduledAlias(long)).toBe(`\n  alias ${long},\n    as: Scheduled`);
  });
});

describe("/metrics with scheduled services", () => {
  const plan = planToml(CLUSTERED);

  it("exports runs by outcome, the last success and duration and the runner role of each scheduler", () => {
    const metrics = contentOf(plan, "lib/ticker/metrics.ex");
    expect(metrics).toContain("      | scheduled(Keyword.get(sources, :scheduled, []))\n");
    for (const family of ["scheduled_runs_total{service, outcome}", "scheduled_last_success_timestamp_seconds{service}", "scheduled_last_duration_seconds{service}", "scheduled_runner{service}"]) {
      expect(metrics).toContain(`\`ticker_${family}\``);
    }
    expect(contentOf(plan, "lib/ticker/http.ex")).toContain("  @scheduled [digest: Ticker.Digest, beat: Ticker.Beat]\n");
  });

  it("tests the families of the app's schedulers, and /metrics over HTTP after an ok, a raising and a timing-out run", () => {
    const test = contentOf(plan, "test/ticker/metrics_test.exs");
    expect(test).toContain("Metrics.render(scheduled: @scheduled)");
    expect(test).toContain("assert length(families) == 10");
    expect(test).toContain('~s(#{@prefix}_scheduled_runner{service="digest"})');
    const http = contentOf(plan, "test/ticker/http_test.exs");
    expect(http).toContain("  alias Ticker.Digest, as: Scheduled\n");
    expect(http).toContain('jobs = [ok: fn -> :ok end, error: fn -> raise "boom" end]');
    expect(http).toContain("[timeout: fn -> Process.sleep(:infinity) end]");
  });

  it("leaves them out of a project without scheduled services", () => {
    const plain = planToml(`[app]\nname = "plain"\n\n[services.worker]\n${HTTP}`);
    expect(contentOf(plain, "lib/plain/http.ex")).toContain("  @scheduled []\n");
    expect(contentOf(plain, "lib/plain/metrics.ex")).not.toContain("scheduled(");
    expect(contentOf(plain, "test/plain/metrics_test.exs")).toContain("assert length(families) == 6");
    expect(contentOf(plain, "test/plain/http_test.exs")).not.toContain("Scheduled");
  });
});

describe("where a job runs, in words (explain, visualise, validate --json)", () => {
  const runs = (toml: string) => {
    const { manifest } = checkToml(toml);
    return scheduledRuns(manifest, manifest.services[0]!)!;
  };

  it("with kubernetes and [cluster]: in the pods, not a CronJob, one elected runner", () => {
    const r = runs(job(K8S(3) + CLUSTER));
    expect(r).toMatchObject({ service: "nightly", cron: "0 2 * * *", description: "at 02:00", timezone: "UTC", runner: "elected", kubernetes: true });
    expect(r.notes[1]).toContain("inside the app's pods");
    expect(r.notes[1]).toContain("not a Kubernetes CronJob");
    expect(r.notes[2]).toContain("exactly one node, the elected runner, runs the job on each tick");
    expect(r.notes[2]).toContain("`{Jobs.Nightly, :runner}`");
    expect(r.short).toBe("at 02:00 · in-app (no CronJob), one elected runner per cluster");
  });

  it("with several replicas and no [cluster]: every replica runs it (W116)", () => {
    const r = runs(job(K8S(3)));
    expect(r.runner).toBe("every_replica");
    expect(r.notes[2]).toContain("each of the 3 replicas runs the job on every tick (W116)");
  });

  it("with one replica, or no [deploy]: every node, no mention of Kubernetes without it", () => {
    expect(runs(job(K8S(1))).notes[2]).toContain("With replicas = 1 that is one pod (a rolling update may run two for a moment)");
    const alone = runs(job(""));
    expect(alone).toMatchObject({ runner: "every_node", kubernetes: false });
    expect(alone.notes.join(" ")).not.toMatch(/Kubernetes|replica/);
  });

  it("describes intervals and paused jobs; none for other kinds", () => {
    const { manifest } = checkToml('[app]\nname = "jobs"\n\n[services.tick]\nkind = "scheduled"\nevery_ms = 30_000\nrun = "Jobs.Work.tick"\nenabled = false\n\n[services.worker]\n');
    const tick = scheduledRuns(manifest, manifest.services[0]!)!;
    expect(tick).toMatchObject({ description: "every 30 seconds", everyMs: 30_000, enabled: false });
    expect(tick.cron).toBeUndefined();
    expect(tick.notes[0]).toContain("It starts paused");
    expect(scheduledRuns(manifest, manifest.services[1]!)).toBeUndefined();
  });

  it("visualise puts the short line in the node's label (mermaid, dot) and the sentences in its details", () => {
    const { manifest, topology, graph } = checkToml(CLUSTERED);
    const model = buildVisualModel(manifest, topology, graph!);
    const digest = model.nodes.find((n) => n.id === "digest")!;
    const short = "every 5 minutes · in-app (no CronJob), one elected runner per cluster";
    expect(nodeSummary(digest)).toBe(`worker · ${short}`);
    expect(renderMermaid(model)).toContain(`worker · ${mermaidText(short)}`);
    expect(renderDot(model)).toContain(`worker · ${short}`);
    expect(digest.why.map((w) => w.label)).toEqual(expect.arrayContaining(["schedule", "where it runs"]));
    expect(digest.why.find((w) => w.label === "where it runs")!.text).toContain("not a Kubernetes CronJob");
    // No schedule for other kinds.
    const plain = checkToml(`[app]\nname = "plain"\n\n[services.worker]\n`);
    expect(buildVisualModel(plain.manifest, plain.topology, plain.graph!).nodes.some((n) => n.schedule)).toBe(false);
  });
});

describe("W116: scheduled jobs on several replicas without [cluster]", () => {
  const w116 = (toml: string) => check({ path: "otpiser.toml", text: toml }).diagnostics.filter((d) => d.code === "W116");

  it("warns at `replicas`, naming the jobs", () => {
    const found = w116(job(K8S(3)));
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toBe("each of the 3 replicas runs the scheduled job `nightly` on every tick: without [cluster] the nodes elect no runner");
    expect(found[0]!.span?.line).toBe(14);
  });

  it("is quiet with [cluster], with one replica, and without scheduled jobs", () => {
    expect(w116(job(K8S(3) + CLUSTER))).toEqual([]);
    expect(w116(job(K8S(1)))).toEqual([]);
    expect(w116(`[app]\nname = "jobs"\n\n[services.worker]\n${K8S(3)}`)).toEqual([]);
  });
});
