import type { Kind } from "../manifest/model.js";

/** A service whose kind the planner cannot generate yet. */
export interface UnsupportedService {
  id: string;
  kind: Kind;
}

/**
 * Thrown by `planProject` when the manifest uses kinds that are not generated yet.
 * The command should check `unsupportedKinds(manifest)` first and print one line per service.
 */
export class NotGeneratedYet extends Error {
  override readonly name = "NotGeneratedYet";
  readonly services: UnsupportedService[];

  constructor(services: UnsupportedService[]) {
    super(services.map((s) => `kind \`${s.kind}\` is not generated yet (service \`${s.id}\`)`).join("\n"));
    this.services = services;
  }
}

/**
 * Thrown when the (validated) manifest and topology still cannot be turned into a project:
 * two modules that would land in the same file, a call named `init`, a step whose `run` target is its own module...
 * These are bugs or gaps in validation; the message says what to change.
 */
export class PlanError extends Error {
  override readonly name = "PlanError";
}
