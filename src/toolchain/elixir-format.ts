/**
 * Optional pass between plan and write: run generated `.ex`/`.exs` files through Elixir's
 * own formatter so the project passes `mix format --check-formatted` out of the box, even
 * when it embeds user-written fragments (type specs, option literals) that are not formatted.
 *
 * It reproduces what `mix format` does for a project whose `.formatter.exs` is
 * `[inputs: [...]]`: `Code.format_string!(content, file: path)` with default options
 * (line_length 98, no plugins, no imported deps), then a trailing newline, except that an
 * empty result stays empty (Mix.Tasks.Format.elixir_format/2).
 *
 * All files go through ONE `elixir` process (a BEAM boot costs ~0.3 s; per-file processes
 * would dominate the run), which formats them concurrently. Everything it reads or writes
 * lives in a private directory under os.tmpdir(), never in the output directory.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { PlannedFile } from "../plan/types.js";
import { findExecutable } from "./find-executable.js";

export interface FormatOptions {
  /** Environment for the PATH lookup and for the `elixir` process. Default: process.env. When given, it is used as is (not merged). */
  env?: NodeJS.ProcessEnv;
  /** Executable to run: a name looked up on PATH, or a path. Default `elixir`. */
  elixir?: string;
  /** Kill the formatter after this long; the files are then returned unformatted. Default 60 s. */
  timeoutMs?: number;
}

export interface FormatResult {
  /** Same files, same order; Elixir files formatted if `formatted`. */
  files: PlannedFile[];
  /** True if every Elixir file went through the formatter (vacuously true when there are none). */
  formatted: boolean;
  /** Why formatting was skipped, when `formatted` is false. */
  reason?: string;
  /** Paths whose content the formatter changed. */
  changed: string[];
  /** Wall time of the pass, including the BEAM boot. */
  durationMs: number;
}

export interface ElixirFormatFailure {
  path: string;
  /** Elixir exception module, e.g. `TokenMissingError`. */
  exception: string;
  /** Elixir's message, which starts with `path:line:column:`. */
  message: string;
}

/**
 * A generated file does not parse as Elixir. The plan comes from our templates, so this is
 * a bug in otpiser (or a user fragment that slipped through validation), never something to
 * write to disk.
 */
export class ElixirFormatError extends Error {
  readonly code = "elixir-format-failed";
  readonly failures: ElixirFormatFailure[];

  constructor(failures: ElixirFormatFailure[]) {
    const first = failures[0];
    const more = failures.length > 1 ? ` (and ${failures.length - 1} more file(s))` : "";
    super(
      `internal error: generated Elixir does not parse: ${first?.path ?? "?"}${more}\n${first?.exception ?? ""}: ${first?.message ?? ""}`,
    );
    this.name = "ElixirFormatError";
    this.failures = failures;
  }

  /** The first failing file. */
  get path(): string {
    return this.failures[0]?.path ?? "";
  }
}

export function isElixirSource(p: string): boolean {
  return p.endsWith(".ex") || p.endsWith(".exs");
}

/**
 * Runs inside `elixir`. argv: [work_dir]. Reads `names` (one base64 display path per line),
 * formats `in/<i>` into `out/<i>`, and appends failures to `errors` as
 * `<i>\t<base64 exception>\t<base64 message>` lines. Exits 0 either way: the caller decides.
 */
const FORMATTER_SCRIPT = String.raw`
[dir] = System.argv()

names =
  Path.join(dir, "names")
  |> File.read!()
  |> String.split("\n", trim: true)
  |> Enum.map(&Base.decode64!/1)

format = fn {name, i} ->
  input = File.read!(Path.join([dir, "in", Integer.to_string(i)]))

  try do
    # Exactly Mix.Tasks.Format.elixir_format/2 with a bare [inputs: ...] .formatter.exs.
    output =
      case Code.format_string!(input, file: name) do
        [] -> ""
        iodata -> IO.iodata_to_binary([iodata, ?\n])
      end

    File.write!(Path.join([dir, "out", Integer.to_string(i)]), output)
    :ok
  rescue
    e ->
      kind = e.__struct__ |> inspect() |> Base.encode64()
      {:error, "#{i}\t#{kind}\t#{Base.encode64(Exception.message(e))}\n"}
  end
end

errors =
  names
  |> Enum.with_index()
  |> Task.async_stream(format, ordered: false, timeout: :infinity, max_concurrency: System.schedulers_online() * 2)
  |> Enum.flat_map(fn
    {:ok, :ok} -> []
    {:ok, {:error, line}} -> [line]
  end)

File.write!(Path.join(dir, "errors"), errors)
`;

function unchanged(files: PlannedFile[], started: number, reason: string): FormatResult {
  return { files, formatted: false, reason, changed: [], durationMs: performance.now() - started };
}

export async function formatElixirFiles(files: PlannedFile[], options: FormatOptions = {}): Promise<FormatResult> {
  const started = performance.now();
  const targets = files.map((f, i) => ({ f, i })).filter(({ f }) => isElixirSource(f.path));
  if (targets.length === 0) return { files, formatted: true, changed: [], durationMs: performance.now() - started };

  const env = options.env ?? process.env;
  const name = options.elixir ?? "elixir";
  const elixir = await findExecutable(name, { env });
  if (elixir === undefined) {
    return unchanged(files, started, `\`${name}\` was not found on PATH, so generated Elixir was not run through the formatter`);
  }

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "otpiser-format-"));
  try {
    await fs.mkdir(path.join(dir, "in"));
    await fs.mkdir(path.join(dir, "out"));
    await Promise.all(targets.map(({ f }, k) => fs.writeFile(path.join(dir, "in", String(k)), f.content)));
    await fs.writeFile(
      path.join(dir, "names"),
      targets.map(({ f }) => `${Buffer.from(f.path).toString("base64")}\n`).join(""),
    );
    const script = path.join(dir, "format.exs");
    await fs.writeFile(script, FORMATTER_SCRIPT);

    // Imported here: execa costs more to load than planning a small project, and --no-format never needs it.
    const { execa } = await import("execa");
    const run = await execa(elixir, [script, dir], {
      env,
      extendEnv: options.env === undefined,
      cwd: dir,
      timeout: options.timeoutMs ?? 60_000,
      reject: false,
      stdin: "ignore",
    });
    if (run.failed) {
      const detail = run.timedOut ? "timed out" : `${run.shortMessage}${run.stderr ? `\n${run.stderr}` : ""}`;
      return unchanged(files, started, `running ${elixir} to format generated Elixir failed: ${detail}`);
    }

    const errorsText = await fs.readFile(path.join(dir, "errors"), "utf8");
    const failures: ElixirFormatFailure[] = errorsText
      .split("\n")
      .filter((l) => l !== "")
      .map((line) => {
        const [k, kind, msg] = line.split("\t");
        const target = targets[Number(k)];
        return {
          path: target?.f.path ?? `#${k}`,
          exception: Buffer.from(kind ?? "", "base64").toString("utf8"),
          message: Buffer.from(msg ?? "", "base64").toString("utf8"),
        };
      })
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    if (failures.length > 0) throw new ElixirFormatError(failures);

    const out = files.slice();
    const changed: string[] = [];
    await Promise.all(
      targets.map(async ({ f, i }, k) => {
        const content = await fs.readFile(path.join(dir, "out", String(k)), "utf8");
        if (content !== f.content) {
          out[i] = { ...f, content };
          changed.push(f.path);
        }
      }),
    );
    changed.sort();
    return { files: out, formatted: true, changed, durationMs: performance.now() - started };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
