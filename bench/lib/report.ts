/** The benchmark's output: one row per figure, printed as a table and written as JSON with the machine's facts. */
import { spawnSync } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";

export interface Row {
  /** What is measured, e.g. "generate 1000 services (--no-format) vs durable baseline". */
  figure: string;
  /** Unit of otpiser/baseline ("ms", "µs", "calls/s", "exp"). */
  unit: string;
  otpiser: number;
  /** Absent for figures without a baseline (growth exponent, files written). */
  baseline?: number;
  /**
   * Always otpiser/baseline: for times lower is better (target ≤), for throughput (calls/s) higher is better
   * (target ≥).
   */
  ratio?: number;
  /** e.g. "≤ 2", "≥ 0.9", "= 0"; absent for informational rows. */
  target?: string;
  pass?: boolean;
  /** Raw samples and anything else worth keeping in the JSON. */
  details?: Record<string, unknown>;
}

/** A row comparing two medians against a ratio target (`max` for time, `min` for throughput). */
export function ratioRow(
  figure: string,
  unit: string,
  otpiser: number,
  baseline: number,
  target?: { max?: number; min?: number },
  details?: Record<string, unknown>,
): Row {
  const ratio = otpiser / baseline;
  const row: Row = { figure, unit, otpiser, baseline, ratio };
  if (target?.max !== undefined) Object.assign(row, { target: `≤ ${target.max}`, pass: ratio <= target.max });
  if (target?.min !== undefined) Object.assign(row, { target: `≥ ${target.min}`, pass: ratio >= target.min });
  if (details !== undefined) row.details = details;
  return row;
}

function fmt(x: number | undefined, unit = ""): string {
  if (x === undefined || Number.isNaN(x)) return "—";
  if (Number.isInteger(x) && unit === "") return String(x);
  const abs = Math.abs(x);
  const n = abs >= 1000 ? Math.round(x).toLocaleString("en-US") : abs >= 100 ? x.toFixed(0) : abs >= 10 ? x.toFixed(1) : x.toFixed(2);
  return unit === "" ? n : `${n} ${unit}`;
}

export function table(rows: readonly Row[]): string {
  const head = ["figure", "otpiser", "baseline", "ratio", "target", "result"];
  const body = rows.map((r) => [
    r.figure,
    fmt(r.otpiser, r.unit),
    fmt(r.baseline, r.baseline === undefined ? "" : r.unit),
    r.ratio === undefined ? "—" : `${r.ratio.toFixed(2)}×`,
    r.target ?? "(info)",
    r.pass === undefined ? "" : r.pass ? "pass" : "FAIL",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  return [line(head), `|${widths.map((w, i) => (i === 0 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`, ...body.map(line)].join("\n");
}

function firstLine(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) return undefined;
  return `${r.stdout}${r.stderr}`.split("\n").find((l) => l.trim() !== "")?.trim();
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  loadAverageAtStart: number[];
  platform: string;
  kernel?: string;
  node: string;
  elixir?: string;
  otp?: string;
}

export function machine(): Machine {
  const elixir = spawnSync("elixir", ["--version"], { encoding: "utf8" });
  const text = elixir.status === 0 ? elixir.stdout : "";
  const kernel = firstLine("uname", ["-r"]);
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
    platform: `${process.platform}-${process.arch}`,
    ...(kernel === undefined ? {} : { kernel }),
    node: process.version,
    ...(text ? { elixir: text.match(/Elixir (\S+)/)?.[1] ?? "?", otp: text.match(/Erlang\/OTP (\d+)/)?.[1] ?? "?" } : {}),
  };
}
