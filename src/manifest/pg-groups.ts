import type { Kind, Manifest, Service } from "./model.js";
import type { Reporter } from "./read.js";

/**
 * `:pg` process groups: which services can join one, and in which scope.
 *
 * A service with `pg_group = "g"` joins group `:g` in its `init`, after its lifecycle start. The scope is the one
 * rule every stage shares (validation warns about it, the analysis orders the scope first, the planner joins it):
 * **the first `pg_scope` service in manifest order**, or, when there is none, OTP's default `:pg` scope, which the
 * generated application then starts as its first child. Further `pg_scope` services are scopes for hand-written code.
 */

/** Kinds whose generated process runs the shared `init` hooks (src/plan/process.ts), so it can join a group there. */
export const PG_MEMBER_KINDS: ReadonlySet<Kind> = new Set<Kind>([
  "gen_server",
  "gen_statem",
  "circuit_breaker",
  "health",
  "ets_owner",
  "producer",
  "consumer",
  "scheduled",
]);

/** OTP's default scope (`:pg.start_link/0`), used when the manifest declares no `pg_scope` service. */
export const DEFAULT_PG_SCOPE = "pg";

/** The `pg_scope` service whose scope services join, if any: the first one in manifest order. */
export function pgScopeService(m: Pick<Manifest, "services">): Service | undefined {
  return m.services.find((s) => s.spec.kind === "pg_scope");
}

/** The scope (atom name) services' `pg_group`s are joined in. */
export function memberScope(m: Pick<Manifest, "services">): string {
  const scope = pgScopeService(m)?.spec;
  return scope?.kind === "pg_scope" ? scope.scope : DEFAULT_PG_SCOPE;
}

/** True when `service` joins a group at init: it has a `pg_group` and its kind runs the shared init hooks. */
export function joinsPgGroup(service: Service): boolean {
  return service.pgGroup !== undefined && PG_MEMBER_KINDS.has(service.spec.kind);
}

/**
 * E013 for two `pg_scope` services with one scope (the second could not start: the name is taken). W110 for a
 * `pg_group` that nothing would act on: on a kind whose process otpiser does not generate (supervisors, registries,
 * steps, externals, the scope itself), and on every other `pg_scope` while services join the first one.
 */
export function checkPgGroups(r: Reporter, m: Manifest): void {
  const scopeOwners = new Map<string, string>();
  for (const s of m.services) {
    if (s.spec.kind !== "pg_scope") continue;
    const owner = scopeOwners.get(s.spec.scope);
    if (owner === undefined) {
      scopeOwners.set(s.spec.scope, s.id);
      continue;
    }
    r.error(
      "E013",
      `scope :${s.spec.scope} of \`${s.id}\` is already the scope of \`${owner}\`: a scope name is registered once per node`,
      s.spans["scope"] ?? s.span,
      `give \`${s.id}\` another \`scope\`, or remove it and use \`${owner}\``,
    );
  }
  for (const s of m.services) {
    if (s.pgGroup === undefined || PG_MEMBER_KINDS.has(s.spec.kind)) continue;
    r.warn(
      "W110",
      `\`pg_group\` has no effect on \`${s.id}\`: a ${s.spec.kind} joins no group (only the worker processes otpiser generates do)`,
      s.spans["pg_group"] ?? s.span,
      memberHint(s),
    );
  }
  const scopes = m.services.filter((s) => s.spec.kind === "pg_scope");
  const first = scopes[0];
  if (first === undefined || first.spec.kind !== "pg_scope" || !m.services.some(joinsPgGroup)) return;
  for (const other of scopes.slice(1)) {
    // A second scope of the same name is an error already (above).
    if (other.spec.kind !== "pg_scope" || other.spec.scope === first.spec.scope) continue;
    r.warn(
      "W110",
      `services with \`pg_group\` join scope :${first.spec.scope} of \`${first.id}\`, the first pg_scope; scope :${other.spec.scope} of \`${other.id}\` is only joined by code you write`,
      other.spans["scope"] ?? other.spans["kind"] ?? other.span,
      `declare \`${other.id}\` before \`${first.id}\` to make it the scope of \`pg_group\`, or join it with ${other.module}.join/2`,
    );
  }
}

function memberHint(s: Service): string {
  const spec = s.spec;
  if (spec.kind === "pool") return `set \`pg_group\` on its worker \`${spec.worker}\`: every worker then joins`;
  if (spec.kind === "dynamic_supervisor" && spec.child !== undefined) {
    return `set \`pg_group\` on its child \`${spec.child}\`: every instance then joins`;
  }
  return "set `pg_group` on the gen_server (or other generated process) that should join; remove it here";
}
