import { reservedModules } from "./support-modules.js";
import type { Span } from "../diagnostics/types.js";
import { suggestion } from "../diagnostics/suggest.js";
import type { Manifest, Service } from "./model.js";
import type { Reporter } from "./read.js";
import { modulePath } from "../elixir/naming.js";
import { checkPgGroups } from "./pg-groups.js";
import { SUPERVISOR_KINDS } from "./schema.js";

/**
 * Cross-references between services and groups: unknown ids, self-references, memberships, kind-specific
 * references (templates, registries, producers), module name collisions. Runs once every table read cleanly.
 * Dependency cycles are found by the analysis stage, which owns the graph.
 */
/** Edit distances "did you mean" may compute over the service ids, for one manifest. */
export const SUGGESTION_BUDGET = 200_000;

/**
 * "did you mean" for an unknown service id compares it with every id: with a typo in each of 4 000 references to
 * 4 000 services, `check()` took over a minute (the fuzzer's 10 000 services would have taken several). Hints are
 * computed until a fixed budget of comparisons is spent; the references after that get the list of known services.
 */
function serviceSuggester(ids: readonly string[]): (word: string) => string | undefined {
  let spent = 0;
  const list = ids.length === 0 ? undefined : `known services: ${ids.slice(0, 12).join(", ")}${ids.length > 12 ? `, … (${ids.length - 12} more)` : ""}`;
  return (word) => {
    spent += ids.length;
    return spent <= SUGGESTION_BUDGET ? suggestion(word, ids, "known services") : list;
  };
}

export function checkReferences(r: Reporter, m: Manifest, declared: ReadonlySet<string> = new Set()): void {
  const byId = new Map(m.services.map((s) => [s.id, s]));
  const ids = m.services.map((s) => s.id);
  const suggestService = serviceSuggester(ids);
  // `declared`: ids of services whose tables had errors of their own (already reported). References to them are
  // not "unknown": staying silent keeps one mistake from cascading while every other reference is still checked.
  const known = (id: string, span: Span | undefined, what: string): Service | undefined => {
    const s = byId.get(id);
    if (!s && !declared.has(id)) r.error("E011", `unknown service \`${id}\` in ${what}`, span, suggestService(id));
    return s;
  };

  markTemplates(r, m, known);

  for (const s of m.services) {
    const where = `service \`${s.id}\``;
    for (const key of ["depends_on", "uses"] as const) {
      const list = key === "depends_on" ? s.dependsOn : s.uses;
      list.forEach((dep, i) => {
        const span = s.itemSpans[key]?.[i];
        if (dep === s.id) {
          r.error("E012", `${where} lists itself in \`${key}\``, span, "a service cannot depend on itself; remove the entry");
          return;
        }
        if (key === "uses" && declared.has(dep) && !byId.has(dep)) return;
        if (key === "uses" && !byId.has(dep)) {
          // `uses` is runtime-only: the name may belong to a process the app gets from elsewhere (a library, another app).
          const near = suggestService(dep);
          r.warn("W109", `\`uses\` of ${where} names \`${dep}\`, which is not a service of this manifest`, span, near?.startsWith("did you mean") ? near : "fine if it is started elsewhere; otherwise declare it under [services]");
          return;
        }
        const target = known(dep, span, `\`${key}\` of ${where}`);
        if (!target) return;
        if (key === "uses" && target.spec.kind === "registry" && !s.dependsOn.includes(dep)) {
          r.warn(
            "W113",
            `${where} uses registry \`${dep}\` without depending on it: \`uses\` sets no start order, so the registry may start after ${s.id}, and a process that registers itself in \`init\` then crashes at boot (and again each time the registry restarts, its entries are gone)`,
            span,
            `move \`${dep}\` to \`depends_on\`: it then starts first, and ${s.id} restarts (and registers again) when it does`,
          );
        }
        if (key === "depends_on" && target.template) {
          r.error("E017", `${where} depends on \`${dep}\`, a template that is not started at boot`, span, `depend on the service that starts it instead`);
        } else if (key === "depends_on" && target.restart === "temporary") {
          r.warn(
            "W102",
            `${where} depends on \`${dep}\`, which is temporary: it is started first, but never restarted, so ${s.id} is never restarted with it`,
            span,
            target.spec.kind === "step" ? "fine for a boot step that must run first; otherwise use `uses`" : "use `uses` if only runtime calls are meant",
          );
        }
      });
    }
    // Remote work in init: a service that says it is slow to start blocks its supervisor (and everything after it).
    if (s.spec.kind === "gen_server" && !s.spec.continue && (s.sla.recoveryMs ?? 0) >= SLOW_START_MS) {
      r.warn(
        "W115",
        `${where} takes ${s.sla.recoveryMs} ms to start (its \`sla.recovery_ms\`) but does its start-up in \`init\`: its supervisor, and every service after it, wait; and remote work in init (connecting, fetching) turns a remote outage into a crash loop at boot`,
        s.spans["sla"],
        "set `continue = true`: init returns at once and the slow part runs in handle_continue(:init, state)",
      );
    }
    // W107 pointed at the whole `uses` array; point at the repeated entry itself.
    s.uses.forEach((d, i) => {
      if (!s.dependsOn.includes(d)) return;
      r.warn("W107", `${where} lists \`${d}\` in both \`depends_on\` and \`uses\``, s.itemSpans["uses"]?.[i] ?? s.spans["uses"], "depends_on already implies runtime use; remove it from `uses`");
    });
    if (s.pgGroup !== undefined) {
      const groups = m.cluster?.groups ?? [];
      if (!m.cluster) r.error("E017", `${where} sets \`pg_group\` but the manifest has no [cluster]`, s.spans["pg_group"], 'add `[cluster]` with `groups = ["' + s.pgGroup + '"]`');
      else if (!groups.includes(s.pgGroup)) r.error("E011", `unknown pg group "${s.pgGroup}" in ${where}`, s.spans["pg_group"], suggestion(s.pgGroup, groups, "[cluster] groups"));
    }
    checkKindReferences(r, m, s, known);
    checkSupervisorKind(r, s);
  }

  checkContainers(r, m, byId, declared, suggestService);
  checkPgGroups(r, m);
  checkModules(r, m);
  checkEtsTableNames(r, m);
}

/** A declared recovery at least this long means start-up work beyond setting up state (W115). */
const SLOW_START_MS = 1000;

type Known = (id: string, span: Span | undefined, what: string) => Service | undefined;

/** Invariant 4 for services that are supervisors: permanent (unless significant). */
function checkSupervisorKind(r: Reporter, s: Service): void {
  if (!SUPERVISOR_KINDS.has(s.spec.kind) && s.spec.kind !== "registry") return;
  if (s.restart !== "permanent" && !s.significant && s.spans["restart"]) {
    r.warn(
      "W101",
      `\`${s.id}\` is a supervisor (${s.spec.kind}) with restart = "${s.restart}": child supervisors should be permanent, or their children silently stay down after a crash`,
      s.spans["restart"],
      "remove `restart`, or also set `significant = true` if its exit should stop its parent",
    );
  }
  // Supervisor services honour an explicit shutdown_ms (the analysis warns with W101/W111); a registry's does nothing.
  if (s.spans["shutdown_ms"] && s.spec.kind === "registry") {
    r.warn("W110", `\`shutdown_ms\` has no effect on \`${s.id}\`: a registry always gets shutdown: :infinity`, s.spans["shutdown_ms"], "remove it");
  }
}

/** Services named as a dynamic_supervisor `child` or a pool `worker` are templates: generated, not started. */
function markTemplates(r: Reporter, m: Manifest, known: Known): void {
  for (const s of m.services) {
    const spec = s.spec;
    const ref =
      spec.kind === "dynamic_supervisor" && spec.child !== undefined
        ? { id: spec.child, key: "child", kinds: ["gen_server", "gen_statem"] }
        : spec.kind === "pool"
          ? { id: spec.worker, key: "worker", kinds: ["gen_server"] }
          : undefined;
    if (!ref) continue;
    const target = known(ref.id, s.spans[ref.key], `\`${ref.key}\` of service \`${s.id}\``);
    if (!target) continue;
    if (target.id === s.id || !ref.kinds.includes(target.spec.kind)) {
      // no hint; name the services that would fit.
      r.error("E017", `\`${ref.key}\` of service \`${s.id}\` must be a ${ref.kinds.join(" or ")} service; \`${target.id}\` is a ${target.spec.kind}`, s.spans[ref.key], kindHint(m, ref.kinds, s.id, ref.key));
      continue;
    }
    if (target.template) {
      // One owner per template: the owner lifts the template's dependencies and lists it in the tree.
      r.error("E017", `\`${target.id}\` is already the template of another service; a template has one owner`, s.spans[ref.key], "declare a second gen_server for this owner");
      continue;
    }
    target.template = true;
  }
}

/** "services that fit: a, b" or how to declare one, for E017 on a reference of the wrong kind. */
function kindHint(m: Manifest, kinds: readonly string[], self: string, key: string): string {
  const fits = m.services.filter((x) => x.id !== self && kinds.includes(x.spec.kind)).map((x) => x.id);
  if (fits.length > 0) return `${kinds.join("/")} services here: ${fits.slice(0, 8).join(", ")}${fits.length > 8 ? ", …" : ""}`;
  return `declare a service with kind = "${kinds[0]}" and name it in \`${key}\``;
}

function checkKindReferences(r: Reporter, m: Manifest, s: Service, known: Known): void {
  const spec = s.spec;
  const where = `service \`${s.id}\``;
  const expectKind = (id: string, key: string, kind: string, span = s.spans[key]) => {
    if (id === s.id) {
      r.error("E012", `${where} refers to itself in \`${key}\``, span);
      return;
    }
    const target = known(id, span, `\`${key}\` of ${where}`);
    if (target && target.spec.kind !== kind) r.error("E017", `\`${key}\` of ${where} must name a ${kind} service; \`${id}\` is a ${target.spec.kind}`, span, kindHint(m, [kind], s.id, key));
  };
  switch (spec.kind) {
    case "pool": {
      if (spec.registry === undefined) break;
      expectKind(spec.registry, "registry", "registry");
      // Workers are named `{:via, Registry, ...}`: a registry with duplicate keys cannot name processes.
      const registry = m.services.find((x) => x.id === spec.registry);
      if (registry?.spec.kind === "registry" && registry.spec.keys !== "unique") {
        r.error("E017", `\`registry\` of ${where} must have unique keys; \`${registry.id}\` has keys = "${registry.spec.keys}"`, s.spans["registry"], `set keys = "unique" on \`${registry.id}\`, or remove \`registry\` to give the pool a registry of its own`);
      }
      break;
    }
    case "consumer":
      spec.subscribeTo.forEach((p, i) => expectKind(p, "subscribe_to", "producer", s.itemSpans["subscribe_to"]?.[i]));
      break;
    case "circuit_breaker":
      if (spec.protects === s.id) r.error("E012", `${where} cannot protect itself`, s.spans["protects"]);
      else known(spec.protects, s.spans["protects"], `\`protects\` of ${where}`);
      break;
    case "health":
      for (const probe of spec.probes) {
        const m = probe.match(/^(alive|call):(.+)$/);
        const target = m ? known(m[2]!, s.spans["probes"], `probe "${probe}" of ${where}`) : undefined;
        // alive/call look for the target's process in the running tree: templates and steps never have one.
        if (target?.template) {
          r.error("E017", `probe "${probe}" of ${where} names \`${target.id}\`, a template: it has no process of its own`, s.spans["probes"], "probe the service that starts its instances instead");
        } else if (target?.spec.kind === "step") {
          r.error("E017", `probe "${probe}" of ${where} names \`${target.id}\`, a step: it runs once at boot and leaves no process`, s.spans["probes"], "probe what the step prepared, e.g. with an `mfa:` probe");
        }
      }
      break;
    default:
      break;
  }
}

/** Groups and supervisor services: members exist, each service has at most one container, no nesting loops. */
function checkContainers(
  r: Reporter,
  m: Manifest,
  byId: Map<string, Service>,
  declared: ReadonlySet<string>,
  suggestService: (word: string) => string | undefined,
): void {
  const containerOf = new Map<string, string>();
  const containers: { name: string; members: string[]; spans: Span[]; label: string; span: Span }[] = [];
  for (const g of m.groups) {
    // a group named like a service was reported three times (E013, then "lists itself as a
    // member" when it lists that service, then a module collision). Report it once and check it no further.
    if (byId.has(g.name)) {
      r.error("E013", `group \`${g.name}\` has the same name as a service`, g.span, `rename the group, e.g. \`[groups.${g.name}_group]\``);
      continue;
    }
    containers.push({ name: g.name, members: g.members, spans: g.itemSpans["members"] ?? [], label: `group \`${g.name}\``, span: g.span });
  }
  for (const s of m.services) {
    if (s.spec.kind === "supervisor") {
      containers.push({ name: s.id, members: s.spec.members, spans: s.itemSpans["members"] ?? [], label: `supervisor \`${s.id}\``, span: s.span });
    }
  }
  for (const c of containers) {
    c.members.forEach((member, i) => {
      const span = c.spans[i];
      if (member === c.name) {
        r.error("E012", `${c.label} lists itself as a member`, span);
        return;
      }
      const s = byId.get(member);
      if (!s) {
        if (declared.has(member)) return;
        r.error("E011", `unknown service \`${member}\` in the members of ${c.label}`, span, suggestService(member));
        return;
      }
      if (s.template) {
        // no hint; the owner (which starts the template) is what belongs in the group.
        const owner = m.services.find((o) => (o.spec.kind === "dynamic_supervisor" && o.spec.child === member) || (o.spec.kind === "pool" && o.spec.worker === member));
        r.error("E017", `\`${member}\` is a template (started on demand by its owner) and cannot be a member of ${c.label}`, span, owner ? `list its owner \`${owner.id}\` instead` : undefined);
        return;
      }
      const previous = containerOf.get(member);
      if (previous !== undefined) {
        r.error("E013", `\`${member}\` is a member of both \`${previous}\` and \`${c.name}\``, span, "a service has exactly one supervisor; remove it from one list");
        return;
      }
      containerOf.set(member, c.name);
      if (s.dependsOn.includes(c.name)) {
        r.error("E017", `\`${member}\` depends on \`${c.name}\`, the supervisor that starts it`, s.span, "a child cannot wait for its own supervisor; remove the dependency");
      }
    });
  }
  // Nesting loops: supervisor a has member b, supervisor b has member a.
  // each loop was reported once per member (a → b → a and b → a → b); report it once.
  const reportedLoops = new Set<string>();
  for (const c of containers) {
    const seen = [c.name];
    let cur = containerOf.get(c.name);
    // a container nested *under* a loop it is not part of (c inside a, a and b containing
    // each other) walked a → b → a → … forever, growing `seen` until V8 aborted the process. Stop at any repeat; the
    // loop itself is reported when the walk starts from one of its members.
    while (cur !== undefined) {
      if (cur === c.name) {
        const key = [...seen].sort().join(",");
        if (reportedLoops.has(key)) break;
        reportedLoops.add(key);
        r.error("E014", `supervisors contain each other: ${[...seen, c.name].join(" → ")}`, c.span, "a supervisor cannot be nested inside its own member");
        break;
      }
      if (seen.includes(cur)) break;
      seen.push(cur);
      cur = containerOf.get(cur);
    }
  }
}

function checkModules(r: Reporter, m: Manifest): void {
  const owners = new Map<string, string>([
    [`${m.app.module}.Application`, "the generated application module"],
    [`${m.app.module}.Supervisor`, "the generated root supervisor"],
    ...reservedModules(m),
  ]);
  // Distinct aliases can still land in one file (`Shop.DBPool` and `Shop.DbPool` are both lib/shop/db_pool.ex).
  const files = new Map([...owners].map(([module, owner]) => [modulePath(module), `${owner} (\`${module}\`)`]));
  const claim = (module: string, owner: string, span: Span) => {
    const previous = owners.get(module);
    if (previous) {
      r.error("E020", `${owner} would be module \`${module}\`, already used by ${previous}`, span, "set `module = \"...\"` to another name");
      return;
    }
    owners.set(module, owner);
    const path = modulePath(module);
    const sameFile = files.get(path);
    if (sameFile) r.error("E020", `${owner} (\`${module}\`) would be written to ${path}, like ${sameFile}`, span, "set `module = \"...\"` so the file names differ");
    else files.set(path, `${owner} (\`${module}\`)`);
  };
  for (const s of m.services) {
    if (s.spec.kind !== "external") claim(s.module, `service \`${s.id}\``, s.spans["module"] ?? s.span);
  }
  for (const s of m.services) {
    for (const [module, what] of kindModules(s)) claim(module, what, s.spans["module"] ?? s.span);
  }
  const serviceIds = new Set(m.services.map((s) => s.id));
  for (const g of m.groups) {
    if (serviceIds.has(g.name) && g.spans["module"] === undefined) continue; // already reported as E013 (see checkContainers)
    claim(g.module, `group \`${g.name}\``, g.spans["module"] ?? g.span);
  }
  // A step's or job's run target in its own module, or in another module otpiser generates, would make that module
  // and the user's stub collide.
  for (const s of m.services) {
    const spec = s.spec;
    if ((spec.kind === "step" || spec.kind === "scheduled") && spec.run.slice(0, spec.run.lastIndexOf(".")) === s.module) {
      r.error("E021", `\`run\` of service \`${s.id}\` names a function of the service's own module \`${s.module}\``, s.spans["run"], `put the job in another module, e.g. run = "${s.module}Job.run"`);
    } else if (spec.kind === "step" || spec.kind === "scheduled") {
      const module = spec.run.slice(0, spec.run.lastIndexOf("."));
      const owner = owners.get(module);
      if (owner) {
        r.error("E021", `\`run\` of service \`${s.id}\` names a function of ${owner} (\`${module}\`), a module otpiser generates`, s.spans["run"], `put the job in a module of its own, e.g. run = "${m.app.module}.Jobs.${spec.run.slice(spec.run.lastIndexOf(".") + 1)}"`);
      }
    }
  }
  // An `mfa:` probe needs a function otpiser does not write in the modules it generates (nor can stub there).
  for (const s of m.services) {
    if (s.spec.kind !== "health") continue;
    for (const probe of s.spec.probes) {
      if (!probe.startsWith("mfa:")) continue;
      const module = probe.slice("mfa:".length, probe.lastIndexOf("."));
      const owner = owners.get(module);
      if (owner) {
        const fun = probe.slice(probe.lastIndexOf(".") + 1);
        r.error("E021", `probe "${probe}" of service \`${s.id}\` names a function of ${owner} (\`${module}\`), a module otpiser generates`, s.spans["probes"], `put the check in a module of its own, e.g. "mfa:${m.app.module}.Checks.${fun}"`);
      }
    }
  }
}

/** Modules (or registered names) a kind generates beside the service's own, each with what it is. */
function kindModules(s: Service): [string, string][] {
  if (s.spec.kind === "ets_owner") {
    return [
      [`${s.module}.Owner`, `the table owner of ets_owner \`${s.id}\``],
      [`${s.module}.Heir`, `the table heir of ets_owner \`${s.id}\``],
    ];
  }
  if (s.spec.kind === "pool" && s.spec.registry === undefined) return [[`${s.module}.Registry`, `the registry of pool \`${s.id}\``]];
  return [];
}

/** ETS table names are global atoms: two ets_owner services cannot both create the same named table. */
function checkEtsTableNames(r: Reporter, m: Manifest): void {
  const owners = new Map<string, string>();
  for (const s of m.services) {
    if (s.spec.kind !== "ets_owner") continue;
    for (const table of s.spec.tables) {
      const owner = owners.get(table.name);
      if (owner === undefined) owners.set(table.name, s.id);
      // Twice in one service is reported where the tables are read.
      else if (owner !== s.id) r.error("E013", `ETS table "${table.name}" of service \`${s.id}\` is also a table of \`${owner}\``, table.span, "table names are global atoms: rename one of the two tables");
    }
  }
}
