/**
 * The fields of the manifest a payload is injected into, and the manifest they sit in: every deploy target and CI
 * provider, a clustered app with the HTTP endpoint, and a service of each kind that takes user text. Each field is a
 * `@@name@@` placeholder of BASE_MANIFEST; `inject` fills one with a payload and every other with its default.
 */
import { tomlString } from "../../src/plan/deploy/escape.js";

/**
 * How the payload lands in the field:
 * - `text`: free text (descriptions, docs, a DNS query…): the payload between two markers, `Zq7<i>x…_<i>7qZ`, so
 *   the checks can find it in every generated file and tell a truncated or re-interpreted copy from a faithful one;
 * - `code`: Elixir source the user writes on purpose (child specs, deps, extra arguments): the marked payload sits
 *   inside an Elixir string literal of a valid term;
 * - `name`: the bare payload, for ids, aliases, function names, enums and other values with a pattern.
 */
export type FieldKind = "text" | "code" | "name";

export interface Field {
  name: string;
  kind: FieldKind;
  /** The TOML snippet in place of `@@name@@` for a value (already wrapped by `markers` / the term for text and code). */
  encode: (value: string) => string;
  /** The default value (a TOML snippet). */
  default: string;
  /** Where the value lands in the generated project, for the report (docs/manifest.md keeps the full table). */
  lands: string;
}

/**
 * The markers around field #i's payload. The end starts with `_`: after a payload's trailing backslash inside an
 * Elixir string (a `code` field), `\_` reads as `_`, where `\x` would start a hex escape and swallow the marker.
 */
export const marker = (field: number) => ({ start: `Zq7${field}x`, end: `_${field}7qZ` });

const str = (prefix = "", suffix = "") => (v: string) => tomlString(`${prefix}${v}${suffix}`);
const key = (v: string) => tomlString(v);

const FIELD_LIST: Field[] = [];

function field(name: string, kind: FieldKind, dflt: string, lands: string, encode: (v: string) => string = str()): void {
  FIELD_LIST.push({ name, kind, encode, default: encode(dflt), lands });
}

// ---- [app]
field("app.name", "name", "ledger", "OTP app atom, release and file names, DNS names");
field("app.module", "name", "Ledger", "module aliases");
field("app.version", "name", "1.2.0", "mix.exs, image tags, labels");
field("app.elixir", "name", "~> 1.14", "mix.exs `elixir:`");
field("app.description", "text", "Double-entry ledger", "mix.exs, moduledoc, README, labels, manifests of every target");
field("sla.availability", "name", "99.9%", "moduledocs (as a number)");
// ---- services
field("service.id", "name", "spare", "atoms, module names, file names", key);
field("service.module", "name", "Ledger.Spare", "module alias");
field("service.kind", "name", "gen_server", "enum");
field("service.doc", "text", "The ledger's store.", "@moduledoc heredoc, visualise");
field("service.restart", "name", "permanent", "enum");
field("state.field", "name", "count", "struct keys, typespecs", key);
field("state.type", "name", ":fast | :safe", "typespecs");
field("state.default", "text", "ledger", "Elixir string literal (initial state)");
field("call.name", "name", "balance", "function names, atoms");
field("call.arg", "name", "account", "variable names");
field("call.returns", "name", "{:ok, integer()} | {:error, :unknown_account}", "typespecs");
field("cast.name", "name", "post", "function names");
field("info.name", "name", "tick", "atoms");
field("depends_on", "name", "store", "child order");
field("uses", "text", "machine", "moduledocs, visualise edges (any text: W109 for a name that is not a service)", (v) => tomlString(v));
field("pg_group", "name", "ledgers", "atoms");
field("health.probe", "name", "alive:store", "probe terms");
field("statem.state", "name", "open", "function names, atoms");
field("statem.initial", "name", "closed", "atom");
field("statem.event", "name", "connect", "function names, atoms");
field("scheduled.cron", "name", "*/5 * * * *", "Elixir string, moduledoc");
field("scheduled.run", "name", "Ledger.Chores.cleanup", "remote call");
field("ets.table", "name", "prices", "atoms");
field("external.child_spec", "code", "", "application.ex children", (v) =>
  tomlString(v === "" ? "{Registry, keys: :unique, name: Ledger.PubSub}" : `{Registry, keys: :unique, name: Ledger.PubSub, meta: [note: "${v}"]}`),
);
field("external.dep", "code", "", "mix.exs deps", (v) => tomlString(v === "" ? '{:jason, "~> 1.4"}' : `{:jason, "~> 1.4", note: "${v}"}`));
field("dynamic.extra_argument", "code", "", "child start arguments", (v) => tomlString(v === "" ? ":fast" : `"${v}"`));
field("dynamic.child", "name", "worker", "reference");
field("group.name", "name", "core", "module names", key);
field("group.module", "name", "Ledger.Core", "module alias");
field("group.doc", "text", "The core.", "@moduledoc heredoc");
// ---- [cluster], [http], [deploy], [ci]
field("cluster.query", "text", "", "config/config.exs string", (v) => tomlString(v === "" ? "ledger-headless.ledger.svc.cluster.local" : v));
field("cluster.node", "name", "ledger@10.0.0.1", "config string list");
field("cluster.group", "name", "audit", "atoms");
field("http.key", "name", "port", "(unknown keys)", key);
field("deploy.target", "name", "monitoring", "enum");
field("deploy.image", "name", "", "Dockerfile comments, compose, kubernetes, volant", (v) => tomlString(`ghcr.io/acme/${v === "" ? "ledger:1.2.0" : v}`));
field("deploy.repo_url", "text", "", "argocd, Dockerfile LABEL", (v) => tomlString(`https://github.com/acme/${v === "" ? "ledger.git" : v}`));
field("deploy.namespace", "name", "ledger", "kubernetes, argocd, monitoring");
field("deploy.region", "name", "ams", "fly.toml");
field("deploy.elixir_version", "name", "1.14.4", "image tags, flake.nix");
field("deploy.debian_version", "name", "bullseye-20230227-slim", "image tags");
field("ci.provider", "name", "gitlab", "enum");

export const FIELDS: readonly Field[] = FIELD_LIST;

const BASE_MANIFEST = `
[app]
name = @@app.name@@
module = @@app.module@@
version = @@app.version@@
elixir = @@app.elixir@@
description = @@app.description@@

[sla]
availability = @@sla.availability@@

[services.store]
doc = @@service.doc@@

[services.store.state]
@@state.field@@ = "non_neg_integer()"
label = { type = "String.t()", default = @@state.default@@ }
mode = @@state.type@@

[[services.store.calls]]
name = @@call.name@@
args = [@@call.arg@@]
returns = @@call.returns@@

[[services.store.casts]]
name = @@cast.name@@
args = ["entry", "amount"]

[[services.store.infos]]
name = @@info.name@@

[services.postings]
depends_on = [@@depends_on@@]
uses = [@@uses@@]
pg_group = @@pg_group@@

[services.health]
kind = "health"
interval_ms = 2000
probes = [@@health.probe@@, "call:postings"]

[services.machine]
kind = "gen_statem"
states = ["closed", @@statem.state@@]
initial = @@statem.initial@@

[[services.machine.transitions]]
from = "closed"
event = @@statem.event@@
to = @@statem.state@@

[[services.machine.transitions]]
from = @@statem.state@@
event = "drop"
to = "closed"

[services.cleanup]
kind = "scheduled"
cron = @@scheduled.cron@@
run = @@scheduled.run@@

[services.cache]
kind = "ets_owner"

[[services.cache.tables]]
name = @@ets.table@@

[services.pubsub]
kind = "external"
type = "supervisor"
child_spec = @@external.child_spec@@
deps = [@@external.dep@@]

[services.worker]

[services.jobs]
kind = "dynamic_supervisor"
child = @@dynamic.child@@
extra_arguments = [@@dynamic.extra_argument@@]

[services.@@service.id@@]
kind = @@service.kind@@
module = @@service.module@@
restart = @@service.restart@@

[groups.@@group.name@@]
members = [@@service.id@@]
module = @@group.module@@
doc = @@group.doc@@

[cluster]
enabled = true
discovery = "dns"
query = @@cluster.query@@
nodes = [@@cluster.node@@]
groups = ["ledgers", @@cluster.group@@]

[http]
@@http.key@@ = 4000

[deploy]
targets = ["release", "docker", "compose", "kubernetes", "argocd", "nix", "systemd", "hop3", "volant", "fly", "render", "heroku", @@deploy.target@@]
replicas = 3
image = @@deploy.image@@
repo_url = @@deploy.repo_url@@
namespace = @@deploy.namespace@@
region = @@deploy.region@@
elixir_version = @@deploy.elixir_version@@
debian_version = @@deploy.debian_version@@

[ci]
providers = ["github", @@ci.provider@@]
`;

export interface Injected {
  text: string;
  /** Offsets of each injected (non-default) field's snippets in `text`, by field name. */
  ranges: Map<string, [number, number][]>;
}

/** The value a field receives for a payload: marked for text and code fields, bare for names. */
export function valueFor(field: Field, index: number, payload: string): string {
  if (field.kind === "name") return payload;
  const m = marker(index);
  return `${m.start}${payload}${m.end}`;
}

/** The base manifest with `values` (field name → raw value) injected and every other field at its default. */
export function inject(values: ReadonlyMap<string, string>): Injected {
  const ranges = new Map<string, [number, number][]>();
  let text = "";
  let rest = BASE_MANIFEST;
  for (;;) {
    const at = rest.indexOf("@@");
    if (at < 0) break;
    const close = rest.indexOf("@@", at + 2);
    const name = rest.slice(at + 2, close);
    const f = FIELDS.find((x) => x.name === name);
    if (!f) throw new Error(`no field ${name}`);
    text += rest.slice(0, at);
    const value = values.get(name);
    const snippet = value === undefined ? f.default : f.encode(value);
    if (value !== undefined) ranges.set(name, [...(ranges.get(name) ?? []), [text.length, text.length + snippet.length]]);
    text += snippet;
    rest = rest.slice(close + 2);
  }
  return { text: text + rest, ranges };
}
