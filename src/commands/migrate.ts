import { Flags } from "@oclif/core";
import { copyFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { BaseCommand, manifestFlag } from "../cli/base.js";
import { EXIT, UserError } from "../cli/errors.js";
import { PromptCancelled, Prompter, canPrompt } from "../cli/prompt.js";
import { toJsonNode } from "../cli/tree-json.js";
import { sortDiagnostics } from "../diagnostics/render.js";
import type { Diagnostic, SourceFile } from "../diagnostics/types.js";
import { migrateLegacy } from "../manifest/migrate.js";
import { check } from "../pipeline.js";
import { unifiedDiff } from "../writer/diff.js";

type Status = "printed" | "dry-run" | "migrated" | "already-v1";

export default class Migrate extends BaseCommand {
  static override summary = "Rewrite a legacy [workload]/[[supervisors]] manifest in the v1 form, keeping its comments.";
  static override description =
    "Translates a legacy manifest (docs/legacy.md) into the v1 form: [workload] → [app], [[supervisors]] → " +
    "[groups.<name>] or a supervisor service, [[supervisors.children]] → [services.<id>], kebab-case keys → snake_case, " +
    "keys in the order of docs/manifest.md. Comments go above (or after) the v1 key they belonged to; those with no " +
    "place, and legacy settings with no v1 meaning, are kept as comments at the end. The result is checked before " +
    "anything is written: it must validate and describe the same supervision tree as the legacy file.\n\n" +
    "By default the v1 manifest is printed on stdout and nothing is written. --in-place rewrites the manifest and keeps " +
    "the original as <manifest>.legacy (an existing backup is never overwritten without --force; on a terminal it asks " +
    "first unless --yes). -o writes a new file (never over an existing one without --force). --dry-run prints the " +
    "diff instead. A manifest that is already v1 is left alone (exit 0). " +
    "Exit codes: 0 migrated or already v1, 1 bad manifest, refused write or cancelled, 2 a bug in otpiser.";
  static override examples = [
    "<%= config.bin %> <%= command.id %>                       # print the v1 manifest, write nothing",
    "<%= config.bin %> <%= command.id %> --dry-run             # the diff from the legacy file",
    "<%= config.bin %> <%= command.id %> --in-place --yes      # rewrite otpiser.toml, backup in otpiser.toml.legacy",
    "<%= config.bin %> <%= command.id %> -m old.toml -o otpiser.toml",
    "<%= config.bin %> <%= command.id %> --json | jq -r '.toml'",
  ];
  static override flags = {
    manifest: manifestFlag,
    out: Flags.string({ char: "o", description: "Write the v1 manifest to this file (refuses an existing file unless --force)." }),
    "in-place": Flags.boolean({ char: "i", description: "Rewrite the manifest itself, keeping the original as <manifest>.legacy." }),
    "dry-run": Flags.boolean({ char: "n", description: "Print the diff from the legacy manifest to the v1 form; write nothing." }),
    force: Flags.boolean({ char: "f", description: "Overwrite an existing -o file or <manifest>.legacy backup." }),
    yes: Flags.boolean({ char: "y", description: "Do not ask for confirmation before rewriting (--in-place on a terminal)." }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Migrate);
    this.setup(flags);
    if (flags.out !== undefined && flags["in-place"]) {
      throw new UserError("-o and --in-place cannot be used together", [], "--in-place rewrites the manifest (keeping a backup); -o writes a new file");
    }
    const source = await this.readManifest(flags.manifest);
    const migration = migrateLegacy(source);

    if (migration.status === "already-v1") {
      // Idempotent by design: migrating twice, or in a script over many manifests, is not an error.
      if (this.jsonMode) this.printJson({ ok: true, status: "already-v1" satisfies Status, manifest: flags.manifest, out: null, backup: null });
      else process.stderr.write(`${flags.manifest} is already in the v1 form; nothing to migrate\n`);
      process.exitCode = EXIT.ok;
      return;
    }
    // Every problem at once (the translation alone stops at the first broken table); W106 is what we are fixing.
    const legacy = check(source);
    if (migration.status === "errors" || !legacy.ok) {
      const full = sortDiagnostics(legacy.diagnostics.filter((d) => d.code !== "W106"));
      const diagnostics = full.some((d) => d.severity === "error") || migration.status !== "errors" ? full : sortDiagnostics(migration.diagnostics);
      this.printDiagnostics(diagnostics, source);
      throw new UserError("the manifest has errors; fix them first, nothing was migrated", this.jsonMode ? diagnostics : []);
    }

    const target = flags["in-place"] ? flags.manifest : flags.out;
    const remaining = this.verify(source, legacy, migration.text, target ?? flags.manifest);
    const status: Status = flags["dry-run"] ? "dry-run" : target === undefined ? "printed" : "migrated";
    let backup: string | undefined;

    if (status === "migrated" && target !== undefined) {
      if (flags["in-place"]) {
        backup = `${flags.manifest}.legacy`;
        await this.refuseExisting(backup, flags.force, "the backup of the legacy manifest");
        await this.confirm(`rewrite ${flags.manifest} in the v1 form (the original is kept as ${backup})`, flags.yes);
        await copyFile(flags.manifest, backup);
      } else {
        if (resolve(target) === resolve(flags.manifest)) {
          throw new UserError(`-o names the manifest itself`, [], "use --in-place, which keeps a backup of the legacy file");
        }
        await this.refuseExisting(target, flags.force, "the output file");
      }
      await atomicWrite(target, migration.text);
    }

    const diff = unifiedDiff(basename(flags.manifest), source.text, migration.text);
    if (this.jsonMode) {
      const out: Record<string, unknown> = {
        ok: true,
        status,
        manifest: flags.manifest,
        out: status === "migrated" ? target : null,
        backup: backup ?? null,
        comments: { placed: migration.comments.placed, at_end: migration.comments.unplaced },
        ignored: migration.ignored,
        diagnostics: remaining,
      };
      if (status !== "migrated") out["toml"] = migration.text;
      if (status === "dry-run") out["diff"] = diff;
      this.printJson(out);
    } else {
      this.report(status, flags.manifest, target, backup, migration, remaining, diff);
    }
    process.exitCode = EXIT.ok;
  }

  /**
   * The migrated text must parse, validate without W106 and describe exactly the legacy tree; anything else is a bug
   * in the migration (exit 2), caught before a byte is written. Returns the migrated manifest's diagnostics.
   */
  private verify(source: SourceFile, legacy: ReturnType<typeof check>, text: string, path: string): Diagnostic[] {
    const migrated = check({ path, text });
    const problems: string[] = [];
    if (!migrated.ok || !migrated.topology) problems.push(`it does not validate (${migrated.diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")})`);
    if (migrated.diagnostics.some((d) => d.code === "W106")) problems.push("it is still read as a legacy manifest");
    if (migrated.topology && legacy.topology) {
      const tree = (t: NonNullable<typeof legacy.topology>) => JSON.stringify({ root: toJsonNode(t.root), order: t.startOrder });
      if (tree(migrated.topology) !== tree(legacy.topology)) problems.push("its supervision tree differs from the legacy manifest's");
    }
    if (problems.length > 0) throw new Error(`migrating ${source.path} produced a manifest that is wrong: ${problems.join("; ")}; nothing was written`);
    return sortDiagnostics(migrated.diagnostics);
  }

  private async refuseExisting(path: string, force: boolean, what: string): Promise<void> {
    if (force) return;
    const exists = await stat(path).then(
      () => true,
      () => false,
    );
    if (exists) throw new UserError(`${path} already exists (${what}); nothing was written`, [], "move it away, or pass --force to overwrite it");
  }

  /**
   * Asks on a terminal (unless --yes or --json); off a terminal (scripts, CI) there is nobody to ask, and the flags
   * are the consent. No, Ctrl-C or end of input: nothing is written.
   */
  private async confirm(question: string, yes: boolean): Promise<void> {
    if (!canPrompt({ stdin: process.stdin, stdout: process.stdout, yes, json: this.jsonMode })) return;
    const prompter = new Prompter({ input: process.stdin, output: process.stderr, style: { bold: this.paint.bold, dim: this.paint.dim } });
    let ok = false;
    try {
      ok = await prompter.confirm(question, false);
    } catch (error) {
      if (!(error instanceof PromptCancelled)) throw error;
    } finally {
      prompter.close();
    }
    if (!ok) throw new UserError("cancelled; nothing was written");
  }

  private report(
    status: Status,
    manifest: string,
    target: string | undefined,
    backup: string | undefined,
    migration: { text: string; comments: { placed: number; unplaced: number }; ignored: string[] },
    remaining: Diagnostic[],
    diff: string,
  ): void {
    const { placed, unplaced } = migration.comments;
    const notes =
      `${placed + unplaced} comment${placed + unplaced === 1 ? "" : "s"} kept` +
      (unplaced > 0 ? ` (${unplaced} at the end, under "# from the legacy manifest:")` : "") +
      (migration.ignored.length > 0 ? `; ${migration.ignored.length} setting${migration.ignored.length === 1 ? "" : "s"} with no v1 meaning kept as comments` : "");
    if (status === "printed") {
      process.stdout.write(migration.text);
      process.stderr.write(`${manifest}: migrated to the v1 form on stdout; nothing was written. ${notes}\nnext: otpiser migrate -m ${manifest} --in-place\n`);
    } else if (status === "dry-run") {
      process.stdout.write(diff);
      process.stderr.write(`dry run: ${target === undefined ? "" : `would write ${target}; `}nothing was written. ${notes}\n`);
    } else {
      process.stderr.write(
        `${this.paint.bold("migrated")} ${manifest} → ${target}${backup ? ` (the legacy file is kept as ${backup})` : ""}\n${notes}\n`,
      );
    }
    const warnings = remaining.filter((d) => d.severity === "warning");
    if (warnings.length > 0) {
      process.stderr.write(`still to look at (${warnings.length} warning${warnings.length === 1 ? "" : "s"}, also in the legacy manifest): ${[...new Set(warnings.map((d) => d.code))].join(", ")}; run \`otpiser validate\`\n`);
    }
  }
}

/**
 * Write to a temporary file next to `path`, then rename over it: a crash never leaves half a manifest. A file that is
 * replaced keeps its permissions.
 */
async function atomicWrite(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const mode = await stat(path).then(
    (s) => s.mode & 0o777,
    () => 0o666,
  );
  try {
    await writeFile(tmp, text, { flag: "wx", mode });
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
