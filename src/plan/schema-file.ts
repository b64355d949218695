import { SCHEMA_FILE_NAME, renderJsonSchema } from "../manifest/json-schema.js";
import type { PlanContext } from "./context.js";
import type { PlannedFile } from "./types.js";

/**
 * The manifest's JSON Schema in the project root, for editors (Taplo / Even Better TOML): the `#:schema
 * ./otpiser.schema.json` line `otpiser init` writes resolves beside otpiser.toml (the default output directory), with
 * no network. Owned, so it follows the otpiser version that generated the project. No `.taplo.toml` is written: the
 * directive already binds the schema to the manifest, and a Taplo configuration (formatting rules, includes for every
 * TOML file of the repository) is the user's to own.
 */
export function planSchemaFile(_ctx: PlanContext): PlannedFile[] {
  return [{ path: SCHEMA_FILE_NAME, content: renderJsonSchema(), ownership: "owned" }];
}
