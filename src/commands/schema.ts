import { Flags } from "@oclif/core";
import { randomBytes } from "node:crypto";
import { readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { BaseCommand } from "../cli/base.js";
import { EXIT, UserError } from "../cli/errors.js";
import { SCHEMA_FILE_NAME, renderJsonSchema } from "../manifest/json-schema.js";

export default class Schema extends BaseCommand {
  static override summary = "Print the JSON Schema of otpiser.toml, for editors.";
  static override description =
    "Prints (or writes with -o) the JSON Schema (draft-07) of the manifest, built from the validator's own key " +
    "lists: Taplo / Even Better TOML complete and check keys with it. `otpiser generate` writes it as " +
    `${SCHEMA_FILE_NAME} into the project, and manifests written by \`otpiser init\` point at it with the first line ` +
    `\`#:schema ./${SCHEMA_FILE_NAME}\` (a path relative to the manifest). The schema checks keys, types, enums, ` +
    "names and ranges; references between services, cycles and deploy-target rules need `otpiser validate`.\n\n" +
    "Without -o, stdout is the schema itself (also with --json). With -o, an existing different file is refused " +
    "unless --force; --json then prints {ok, path, status} with status created, updated or unchanged.";
  static override examples = [
    "<%= config.bin %> <%= command.id %> > otpiser.schema.json",
    `<%= config.bin %> <%= command.id %> -o ${SCHEMA_FILE_NAME}`,
    `<%= config.bin %> <%= command.id %> -o ${SCHEMA_FILE_NAME} --force   # replace an older schema`,
    "<%= config.bin %> <%= command.id %> | jq '.definitions.service.properties | keys'",
  ];
  static override flags = {
    output: Flags.string({ char: "o", description: "Write the schema to this file instead of stdout." }),
    force: Flags.boolean({ char: "f", description: "With -o, replace an existing file whose content differs." }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Schema);
    this.setup(flags);
    const text = renderJsonSchema();
    if (flags.output === undefined) {
      process.stdout.write(text);
      process.exitCode = EXIT.ok;
      return;
    }
    const path = flags.output;
    const current = await readExisting(path);
    let status: "created" | "updated" | "unchanged";
    if (current === text) {
      status = "unchanged";
    } else {
      if (current !== undefined && !flags.force) {
        throw new UserError(`${path} already exists with other content; nothing was written`, [], "pass --force to replace it");
      }
      await writeAtomically(path, text);
      status = current === undefined ? "created" : "updated";
    }
    if (this.jsonMode) this.printJson({ ok: true, path, status });
    else process.stderr.write(status === "unchanged" ? `${path} is up to date\n` : `${status === "created" ? "wrote" : "updated"} ${path}\n`);
    process.exitCode = EXIT.ok;
  }
}

/** The file's text, or undefined when there is none; a directory or an unreadable path is the user's error. */
async function readExisting(path: string): Promise<string | undefined> {
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw new UserError(`${path} is a directory`, [], `name a file, e.g. ${join(path, SCHEMA_FILE_NAME)}`);
    return await readFile(path, "utf8");
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    throw new UserError(`${path} cannot be read (${code ?? "unknown error"})`);
  }
}

/** Writes through a temporary sibling and a rename, so a reader never sees half a schema. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${SCHEMA_FILE_NAME}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    await writeFile(temp, text, { flag: "wx" });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UserError(`cannot write ${path}: its directory does not exist`);
    if (code === "EACCES" || code === "EPERM" || code === "EROFS") throw new UserError(`cannot write ${path} (${code})`);
    throw error;
  }
}
