/**
 * `ets_owner` and `pool` end to end: manifests through the real parse → validate → analyse pipeline, planned,
 * written, and proven with `mix compile --warnings-as-errors`, `mix format --check-formatted` and `mix test`.
 *
 * The generated tests are the point: tables and their data survive the owner being killed (twice, the heir set again
 * each time), protected tables refuse other writers; pool dispatch returns live workers, hashes stably, goes round
 * every worker, and a killed worker (or the pool's own registry) is replaced and registered again. The whole suite
 * runs too: the generated supervision tests crash these services and their registry as well.
 */
import { describe, expect, it } from "vitest";
import type { Manifest } from "../../src/manifest/model.js";
import { proveKinds, trackDirs } from "./mix-helpers.js";

trackDirs();

const BASIC = `
[app]
name = "depot"

[services.cache]
kind = "ets_owner"
shutdown_ms = 2_000
doc = "Prices and sessions. A doc with #{System.halt()} must stay text."

[[services.cache.tables]]
name = "prices"
type = "ordered_set"
access = "public"
read_concurrency = true

[[services.cache.tables]]
name = "visits"
type = "duplicate_bag"
write_concurrency = true

[[services.cache.tables]]
name = "users"

[services.flags]
kind = "ets_owner"
telemetry = false
restart = "transient"

[[services.flags.tables]]
name = "feature_flags"
type = "bag"

[services.reader]
depends_on = ["cache"]

# A pool with a registry of its own.
[services.conn]
calls = [{ name = "ping", returns = ":pong" }]

[services.conns]
kind = "pool"
size = 4
worker = "conn"

# A pool in a shared registry, which it depends on.
[services.names]
kind = "registry"

[services.session]

[services.sessions]
kind = "pool"
size = 3
worker = "session"
registry = "names"

# Temporary workers are never replaced: no kill test for this pool.
[services.scratch]
restart = "temporary"

[services.scratchpads]
kind = "pool"
size = 2
worker = "scratch"

[services.caller]
uses = ["conns", "sessions"]
`;

const LONG = `
[app]
name = "payments_gateway_service_with_long_name"
module = "PaymentsGatewayServiceWithLongName"

[services.exchange_rate_tables_owner_with_a_long_identifier]
module = "PaymentsGatewayServiceWithLongName.Storage.ExchangeRates.ExchangeRateTablesOwnerWithLongName"
kind = "ets_owner"
shutdown_ms = 30_000

[[services.exchange_rate_tables_owner_with_a_long_identifier.tables]]
name = "exchange_rates_by_currency_pair_and_settlement_region_with_long_suffix"
type = "duplicate_bag"
read_concurrency = true
write_concurrency = true

[[services.exchange_rate_tables_owner_with_a_long_identifier.tables]]
name = "exchange_rates_history_by_currency_pair_and_settlement_region_suffix"
type = "ordered_set"
access = "public"
write_concurrency = true

[[services.exchange_rate_tables_owner_with_a_long_identifier.tables]]
name = "third_table_with_a_long_name_to_break_the_type_union_over_lines"

# Its last segment would shadow Process in its test: the test names it in full.
[services.rates_process]
module = "PaymentsGatewayServiceWithLongName.Storage.ExchangeRates.Process"
kind = "ets_owner"
telemetry = false
depends_on = ["exchange_rate_tables_owner_with_a_long_identifier"]

[[services.rates_process.tables]]
name = "nil"

[services.connection_pool_worker_template_with_long_name]
module = "PaymentsGatewayServiceWithLongName.Storage.Connections.ConnectionPoolWorkerTemplate"
calls = [{ name = "checkout_connection_for_region", args = ["region_identifier"], returns = "{:ok, pid()} | {:error, :timeout}" }]

[services.connection_pool_with_a_rather_long_service_identifier]
module = "PaymentsGatewayServiceWithLongName.Storage.Connections.ConnectionPoolWithLongName"
kind = "pool"
size = 12
worker = "connection_pool_worker_template_with_long_name"
registry = "connections"

# Short: the registry kind's own generated test does not lay out long module names yet.
[services.connections]
module = "Pgs.Connections"
kind = "registry"

[services.single_worker_with_a_long_identifier]
module = "PaymentsGatewayServiceWithLongName.Storage.Connections.SingleWorkerWithLongName"

# Its last segment would shadow Registry in its test: the test names it in full.
[services.registry_pool]
module = "PaymentsGatewayServiceWithLongName.Storage.Connections.Registry"
kind = "pool"
size = 1
worker = "single_worker_with_a_long_identifier"
`;

/** Generated tests per module: see templates/elixir/ets_owner_test.exs.hbs and pool_test.exs.hbs. */
function etsTests(spec: Extract<Manifest["services"][number]["spec"], { kind: "ets_owner" }>): number {
  const protectedTables = spec.tables.some((t) => t.access === "protected") ? 1 : 0;
  const publicTables = spec.tables.some((t) => t.access === "public") ? 1 : 0;
  return 4 + protectedTables + publicTables;
}

function poolTests(manifest: Manifest, spec: Extract<Manifest["services"][number]["spec"], { kind: "pool" }>): number {
  const worker = manifest.services.find((s) => s.id === spec.worker)!;
  return 3 + (worker.restart === "temporary" ? 0 : 1) + (spec.registry === undefined ? 1 : 0);
}

function expectedTests(manifest: Manifest): number {
  let n = 0;
  for (const s of manifest.services) {
    if (s.spec.kind === "ets_owner") n += etsTests(s.spec);
    if (s.spec.kind === "pool") n += poolTests(manifest, s.spec);
  }
  return n;
}

// The whole suite runs first: the supervision tests crash the ets owners, the pools and the shared registry too.
const prove = (name: string, toml: string) => proveKinds(name, toml, ["ets_owner", "pool"]);

describe("ets_owner and pool projects compile, are formatted and pass their tests", () => {
  it.concurrent(
    "tables of every type and access, telemetry on and off; pools with their own registry, a shared one, temporary workers",
    async () => {
      const { plan, manifest, own } = await prove("ets-pool", BASIC);
      // cache: 6 (protected and public tables), flags: 5; conns: 5, sessions: 4 (shared registry), scratchpads: 4.
      expect(expectedTests(manifest)).toBe(24);
      expect(own.output).toMatch(/\b24 tests, 0 failures\b/);
      const paths = plan.files.map((f) => f.path);
      for (const p of ["lib/depot/cache.ex", "lib/depot/cache/owner.ex", "lib/depot/cache/heir.ex", "test/depot/cache_test.exs"]) {
        expect(paths).toContain(p);
      }
      for (const p of ["lib/depot/conns.ex", "lib/depot/conn.ex", "test/depot/conns_test.exs", "test/depot/conn_test.exs"]) {
        expect(paths).toContain(p);
      }
    },
    240_000,
  );

  it.concurrent(
    "long names everywhere stay formatted; modules whose short name would shadow Process or Registry",
    async () => {
      const { manifest, own } = await prove("ets-pool-long", LONG);
      expect(own.output).toMatch(new RegExp(`\\b${expectedTests(manifest)} tests, 0 failures\\b`));
    },
    240_000,
  );
});
