/**
 * Producer / consumer end to end: manifests through the real parse → validate → analyse pipeline, planned, written,
 * and proven with `mix compile --warnings-as-errors`, `mix format --check-formatted` and `mix test`.
 *
 * The generated flow tests (a slow consumer under a fast pusher, each overflow policy, delivery exactly once) are
 * the point: the projects below cover the three policies, telemetry on and off, declared sizes the tests use as
 * they are and sizes they scale down, and names long enough to push every generated line past 98 columns.
 */
import { describe, expect, it } from "vitest";
import { proveKinds, trackDirs } from "./mix-helpers.js";

trackDirs();

const FLOW = `
[app]
name = "flow"

[services.events]
kind = "producer"
buffer_size = 5
overflow = "drop_oldest"

[services.jobs]
kind = "producer"
buffer_size = 3
overflow = "drop_newest"
telemetry = false

[services.orders]
kind = "producer"
buffer_size = 4
overflow = "reject"
doc = "Orders. A doc with #{System.halt()} must stay text."

[services.indexer]
kind = "consumer"
subscribe_to = ["events", "jobs"]
max_demand = 3
min_demand = 1

[services.auditor]
kind = "consumer"
subscribe_to = ["orders"]
max_demand = 1
min_demand = 0

# Larger than the generated tests use: they scale buffer and demand down.
[services.firehose]
kind = "producer"
buffer_size = 100_000

[services.archiver]
kind = "consumer"
subscribe_to = ["firehose"]
max_demand = 5000
min_demand = 2500
`;

const LONG = `
[app]
name = "payments_gateway_service_with_long_name"

[services.incoming_payment_notifications_producer_service]
kind = "producer"
module = "PaymentsGatewayServiceWithLongName.Ingestion.Pipelines.IncomingPaymentNotificationsProducer"
buffer_size = 100_000_000
overflow = "reject"

[services.settlement_ledger_entries_consumer_service]
kind = "consumer"
module = "PaymentsGatewayServiceWithLongName.Ingestion.Pipelines.SettlementLedgerEntriesConsumer"
subscribe_to = ["incoming_payment_notifications_producer_service", "refund_requests_producer_with_long_identifier"]
max_demand = 1_000_000
min_demand = 999_999
shutdown_ms = 30_000
restart = "transient"

[services.refund_requests_producer_with_long_identifier]
kind = "producer"
module = "PaymentsGatewayServiceWithLongName.Ingestion.Pipelines.RefundRequestsProducerWithLongIdentifier"
overflow = "drop_newest"
`;

/** Names that the tests' `Producer` / `Consumer` aliases would capture; the smallest buffer and demand. */
const CLASH = `
[app]
name = "consumer"

[services.events]
kind = "producer"
buffer_size = 2

[services.feed]
kind = "producer"
module = "Producer.Feed"
overflow = "reject"
buffer_size = 1

[services.producer]
kind = "consumer"
module = "Consumer.Producer"
subscribe_to = ["feed", "events"]
max_demand = 1
min_demand = 0

[services.consumer]
kind = "consumer"
subscribe_to = ["events"]
`;

/** Generated tests per module: see templates/elixir/producer_test.exs.hbs and consumer_test.exs.hbs. */
const PRODUCER_TESTS = 5;
const CONSUMER_TESTS = 6;

// The whole suite runs first, the generated supervision tests included (they crash producers and consumers).
const prove = (name: string, toml: string) => proveKinds(name, toml, ["producer", "consumer"]);

function count(manifest: { services: { spec: { kind: string } }[] }): number {
  const producers = manifest.services.filter((s) => s.spec.kind === "producer").length;
  const consumers = manifest.services.filter((s) => s.spec.kind === "consumer").length;
  return producers * PRODUCER_TESTS + consumers * CONSUMER_TESTS;
}

describe("producer / consumer projects compile, are formatted and pass their tests", () => {
  it.concurrent(
    "three overflow policies, telemetry on and off, scaled-down test sizes",
    async () => {
      const { plan, manifest, own } = await prove("flow", FLOW);
      expect(count(manifest)).toBe(38);
      expect(own.output).toMatch(/\b38 tests, 0 failures\b/);
      const paths = plan.files.map((f) => f.path);
      for (const p of ["lib/flow/events.ex", "lib/flow/indexer.ex", "test/flow/events_test.exs", "test/flow/indexer_test.exs"]) {
        expect(paths).toContain(p);
      }
    },
    180_000,
  );

  it.concurrent(
    "long names everywhere stay formatted",
    async () => {
      const { manifest, own } = await prove("flow-long", LONG);
      expect(own.output).toMatch(new RegExp(`\\b${count(manifest)} tests, 0 failures\\b`));
    },
    180_000,
  );

  it.concurrent(
    "modules named like the tests' aliases, a buffer of one and a demand of one",
    async () => {
      const { manifest, own } = await prove("flow-clash", CLASH);
      expect(count(manifest)).toBe(22);
      expect(own.output).toMatch(/\b22 tests, 0 failures\b/);
    },
    180_000,
  );
});
