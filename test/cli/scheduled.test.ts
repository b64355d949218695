import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, otpiser } from "../helpers/cli.js";

/**
 * What the built CLI says about scheduled jobs, text and --json: `explain` and `visualise` say that the job runs
 * inside the app (in Kubernetes: in its pods, not as a CronJob) and which nodes run each tick; `validate --json`
 * describes every schedule.
 */
const CLUSTERED = join(ROOT, "fixtures", "valid", "scheduled-cluster.toml");
const REPLICAS = join(ROOT, "fixtures", "invalid", "scheduled-replicas-no-cluster.toml");
const SINGLE = join(ROOT, "fixtures", "valid", "scheduled-jobs.toml");

const POD = "On Kubernetes the job runs inside the app's pods, in this scheduler process: it is not a Kubernetes CronJob";
const ELECTED = "exactly one node, the elected runner, runs the job on each tick";

describe("scheduled jobs in the CLI", { timeout: 60_000 }, () => {
  it("explain: a clustered job on Kubernetes runs in the pods, one elected runner per tick", async () => {
    const r = await otpiser(["explain", "digest", "-m", CLUSTERED]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("when it runs\n");
    expect(r.stdout).toContain('  Runs `Ticker.Jobs.digest/0` every 5 minutes (cron "*/5 * * * *", UTC)');
    expect(r.stdout).toContain(`  ${POD}`);
    expect(r.stdout).toContain(ELECTED);
  });

  it("explain: replicas without [cluster] all run it, with W116 printed", async () => {
    const r = await otpiser(["explain", "nightly", "-m", REPLICAS]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain("warning[W116]");
    expect(r.stdout).toContain("each of the 3 replicas runs the job on every tick (W116)");
    expect(r.stdout).not.toContain(ELECTED);
  });

  it("explain --json: a schedule object per scheduled service", async () => {
    const r = await otpiser(["explain", "--all", "-m", CLUSTERED, "--json"]);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { services: { id: string; schedule?: Record<string, unknown> }[] };
    const digest = out.services.find((s) => s.id === "digest")!;
    expect(digest.schedule).toMatchObject({ service: "digest", cron: "*/5 * * * *", every_ms: null, description: "every 5 minutes", timezone: "UTC", runner: "elected", kubernetes: true });
    expect(digest.schedule!.notes).toEqual([expect.stringContaining("every 5 minutes"), expect.stringContaining(POD), expect.stringContaining(ELECTED)]);
    expect(out.services.find((s) => s.id === "beat")!.schedule).toMatchObject({ cron: null, every_ms: 10_000 });
    // Other kinds have no `schedule` key: test/cli/explain.test.ts checks a gen_server's exact keys.
    expect(out.services.map((s) => s.id)).toEqual(["digest", "beat"]);
  });

  it("visualise: the ascii tree lists the scheduled jobs (mermaid and dot: test/plan/scheduled-cluster.test.ts)", async () => {
    const ascii = await otpiser(["visualise", "-m", CLUSTERED]);
    expect(ascii.exitCode, ascii.stderr).toBe(0);
    expect(ascii.stdout).toContain("\nscheduled jobs:\n  digest  Runs `Ticker.Jobs.digest/0` every 5 minutes");
    expect(ascii.stdout).toContain(`\n    ${POD}`);
    expect(ascii.stdout).toContain(ELECTED);
  });

  it("visualise --format html --json: the page carries each job's sentences in its details", async () => {
    const r = await otpiser(["visualise", "-m", CLUSTERED, "--format", "html", "-o", "-", "--json"]);
    expect(r.exitCode, r.stderr).toBe(0);
    const page = (JSON.parse(r.stdout) as { content: string }).content;
    const data = JSON.parse(/<script type="application\/json" id="otpiser-data">(.*?)<\/script>/s.exec(page)![1]!) as {
      nodes: Record<string, { id: string; why: { label: string; text: string }[] }>;
    };
    const digest = Object.values(data.nodes).find((n) => n.id === "digest")!;
    expect(digest.why.find((w) => w.label === "where it runs")!.text).toContain(POD);
    expect(page).toContain("in-app (no CronJob), one elected runner per cluster");
  });

  it("validate: text describes every schedule, --json adds `schedules`", async () => {
    const text = await otpiser(["validate", "-m", SINGLE]);
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stderr).toContain('  `report` runs at 06:00, Monday to Friday (cron "0 6 * * mon-fri", UTC)\n');
    expect(text.stderr).toContain("  `heartbeat` runs every minute\n");
    const r = await otpiser(["validate", "-m", SINGLE, "--json"]);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { schedules: Record<string, unknown>[] };
    expect(out.schedules.map((s) => [s.service, s.cron, s.every_ms, s.description, s.timezone, s.runner])).toEqual([
      ["report", "0 6 * * mon-fri", null, "at 06:00, Monday to Friday", "UTC", "every_node"],
      ["heartbeat", null, 60_000, "every minute", "UTC", "every_node"],
      ["slow_export", "*/15 * * * *", null, "every 15 minutes", "UTC", "every_node"],
      ["flaky_sync", null, 300_000, "every 5 minutes", "UTC", "every_node"],
    ]);
    // An invalid manifest has no schedules to describe.
    const bad = await otpiser(["validate", "-m", join(ROOT, "fixtures", "invalid", "cron-invalid.toml"), "--json"]);
    expect(bad.exitCode).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, schedules: [] });
  });
});
