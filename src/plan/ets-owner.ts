import type { TreeNode } from "../analysis/tree.js";
import type { EtsTable, Service } from "../manifest/model.js";
import { atom, keywordKey } from "../elixir/escape.js";
import { assertBinary, bind, call, fits, list, statement, typespec, verticalList } from "../elixir/layout.js";
import { modulePath, testPath } from "../elixir/naming.js";
import { code, owned, type PlanContext, sentenceList } from "./context.js";
import { dependencySentences, joinBlocks, paragraphs } from "./docs.js";
import { PlanError } from "./errors.js";
import { useOptions } from "./gen-server.js";
import { processHooks } from "./process.js";
import { render } from "./render.js";
import { telemetryModule } from "./telemetry.js";
import type { PlannedFile } from "./types.js";

/**
 * An `ets_owner` service: named ETS tables that survive their owner's crashes.
 *
 * The service's module is a `rest_for_one` Supervisor over two GenServers: `<Mod>.Heir`, which does nothing but hold
 * tables, and `<Mod>.Owner`, which creates the tables with `{:heir, heir, name}`. When the owner dies, ETS hands
 * each table to the heir; the restarted owner asks for them back (`:ets.give_away/3`) and names the heir again.
 * Only the owner can write a protected table, so writes go through it (`<Mod>.insert/2`, `<Mod>.delete/2`).
 */
export function planEtsOwner(ctx: PlanContext, service: Service, node: TreeNode): PlannedFile[] {
  const spec = service.spec;
  if (spec.kind !== "ets_owner") throw new Error(`not an ets_owner: ${service.id}`);
  if (spec.tables.length === 0) throw new PlanError(`service \`${service.id}\` has no tables`);
  const names = { module: service.module, heir: `${service.module}.Heir`, owner: `${service.module}.Owner` };
  const tableAtoms = spec.tables.map((t) => atom(t.name));

  const moduleView = {
    module: names.module,
    moduledoc: serviceDoc(ctx, service, spec.tables, names),
    useLine: `  use Supervisor${node.restart === "permanent" ? "" : `, restart: ${atom(node.restart)}`}`,
    tableNames: list(2, "@tables ", tableAtoms),
    tableType: typespec(2, "type", "table", undefined, tableAtoms.join(" | ")),
    insertCall: call(4, "GenServer.call", [names.owner, "{:insert, table, object}"]),
    deleteCall: call(4, "GenServer.call", [names.owner, "{:delete, table, key}"]),
    children: statement(verticalList(4, "children = ", [names.heir, names.owner])),
  };

  // Only the owner reports lifecycle events: it is the process whose restarts are the service's restarts.
  const ownerHooks = processHooks(ctx, service, [{ name: "heir", type: "pid() | nil" }]);
  const heirHooks = processHooks(ctx, service, []);
  const reclaimed = ownerHooks.event("reclaimed", "%{count: length(reclaimed)}", "%{tables: reclaimed}", 6);
  const ownerView = {
    module: names.owner,
    moduledoc: paragraphs(
      `Owner of the ETS tables of ${code(names.module)}. At its first start it creates them, naming ${code(names.heir)} their heir; after a crash the heir has inherited them, and the restarted owner takes them back (and names the heir again) before anything else runs.`,
      `It is the only process allowed to write a protected table: ${code(`${names.module}.insert/2`)} and ${code(`${names.module}.delete/2`)} send their writes here.`,
      reclaimed !== undefined &&
        `Each time it takes tables back it emits \`[${atom(ctx.app.name)}, ${atom(service.id)}, :reclaimed]\` with the \`count\` of tables and their names (\`tables\`).`,
    ),
    useLine: `  use GenServer${useOptions("permanent", node.shutdown)}`,
    vsn: ownerHooks.vsn,
    tableOptions: tableOptions(spec.tables),
    initLines: ownerHooks.initLines,
    heirLookup: statement(bind(4, "heir", { call: "Process.whereis", args: [names.heir] })),
    reclaimedEvent: reclaimed ?? null,
    giveBack: statement(bind(8, ":ok", { call: `${names.heir}.give_back`, args: ["heir", "name"] })),
    exitClauses: ownerHooks.exitClauses,
    terminate: ownerHooks.terminate,
    codeChange: ownerHooks.codeChange,
  };

  const heirView = {
    module: names.heir,
    moduledoc: paragraphs(
      `Heir of the ETS tables of ${code(names.module)}: when ${code(names.owner)} dies, the tables pass to this process, which keeps them (and their data) until the restarted owner asks for them back with \`give_back/2\`.`,
      "It does nothing else, so that it has no reason to crash: its own restart restarts the owner with fresh, empty tables.",
    ),
    vsn: heirHooks.vsn,
    exitClauses: heirHooks.exitClauses,
    codeChange: heirHooks.codeChange,
  };

  return [
    owned(modulePath(names.module), render("ets_owner.ex", moduleView)),
    owned(modulePath(names.owner), render("ets_owner_process.ex", ownerView)),
    owned(modulePath(names.heir), render("ets_heir.ex", heirView)),
    owned(testPath(names.module), render("ets_owner_test.exs", testView(ctx, service, spec.tables))),
  ];
}

/** `:set, :protected, read_concurrency: true`: the `:ets.new/2` options a table's manifest entry asks for. */
export function tableOptions(tables: EtsTable[]): string {
  const entries = tables.map((t, i) => {
    const options = [atom(t.type), atom(t.access)];
    if (t.readConcurrency) options.push("read_concurrency: true");
    if (t.writeConcurrency) options.push("write_concurrency: true");
    return list(4, `${keywordKey(t.name)} `, options, i < tables.length - 1 ? "," : "");
  });
  return ["  @tables [", ...entries, "  ]"].join("\n");
}

function describeTable(t: EtsTable): string {
  const extras = [t.readConcurrency && "read_concurrency", t.writeConcurrency && "write_concurrency"].filter(Boolean);
  return `${code(atom(t.name))} (${[t.type, t.access, ...extras].join(", ")})`;
}

function serviceDoc(ctx: PlanContext, service: Service, tables: EtsTable[], names: { module: string; heir: string; owner: string }): string {
  const described = tables.map(describeTable);
  const which = described.length === 1 ? `the named ETS table ${described[0]}` : `the named ETS tables ${sentenceList(described)}`;
  const what = `The \`${service.id}\` service: owns ${which}. Read them directly (\`:ets.lookup/2\`, \`:ets.select/2\`, ...); write through \`insert/2\` and \`delete/2\`, the only way to write a protected table (public ones can also be written directly).`;
  return joinBlocks(
    service.doc ?? paragraphs(what),
    service.doc ? undefined : dependencySentences(ctx, service),
    paragraphs(
      `The tables survive their owner's crashes: ${code(names.owner)} creates them with ${code(names.heir)} as their heir, so when the owner dies the heir inherits the tables, data included, and the restarted owner takes them back. Only a restart of this whole supervisor (or of the heir, which restarts the owner: \`:rest_for_one\`) starts from empty tables.`,
      "While the owner restarts, `insert/2` and `delete/2` exit with `:noproc`; reads keep working.",
    ),
  );
}

/** Modules the generated test uses by their short name: the subject's alias must not shadow them. */
const TEST_MODULES = new Set(["Process", "ExUnit", "GenServer", "Supervisor", "Registry", "Enum", "Kernel", "ArgumentError"]);

/** The short name the test aliases the service's module to, unless it would shadow a module the test uses. */
export function testSubject(ctx: PlanContext, module: string): { subject: string; alias: string | null } {
  const last = module.slice(module.lastIndexOf(".") + 1);
  const roots = new Set([ctx.app.module.split(".")[0]!, telemetryModule(ctx).split(".")[0]!]);
  if (!module.includes(".") || TEST_MODULES.has(last) || roots.has(last)) return { subject: module, alias: null };
  return { subject: last, alias: `  alias ${module}` };
}

function testView(ctx: PlanContext, service: Service, tables: EtsTable[]) {
  const { subject, alias } = testSubject(ctx, service.module);
  const byAccess = (access: EtsTable["access"]): string | false => {
    const matching = tables.filter((t) => t.access === access).map((t) => atom(t.name));
    return matching.length > 0 && statement(list(4, `${access} = `, matching));
  };
  const telemetry = service.telemetry ? telemetryModule(ctx) : null;
  const detach = telemetry && `on_exit(fn -> ${telemetry}.detach(handler) end)`;
  const at = (name: string, args: string[]) => ({ call: `${subject}.${name}`, args });
  // Lines naming the service's modules are laid out by the layout helpers; the process names are attributes
  // (which the formatter never breaks) so the rest of the test does not depend on the length of the module name.
  return {
    testModule: `${service.module}Test`,
    alias,
    ownerAttribute: `  @owner ${subject}.Owner`,
    heirAttribute: `  @heir ${subject}.Heir`,
    tablesLine: statement(bind(4, "tables", `${subject}.tables()`)),
    tables: tables.map((t) => ({
      infoLine: statement(bind(4, "info", { call: ":ets.info", args: [atom(t.name)] })),
      type: atom(t.type),
      access: atom(t.access),
      read: String(t.readConcurrency),
      write: String(t.writeConcurrency),
    })),
    insertValue: statement(assertBinary(6, ":ok", "=", at("insert", ["table", "{key, :value}"]))),
    deleteValue: statement(assertBinary(6, ":ok", "=", at("delete", ["table", "key"]))),
    firstTable: statement(bind(4, "[table | _others]", `${subject}.tables()`)),
    badInsert: statement(assertBinary(4, "{:error, :badarg}", "=", at("insert", ["table", "[{:otpiser_test, :ok}, {}]"]))),
    protectedTables: byAccess("protected"),
    publicTables: byAccess("public"),
    telemetry: telemetry !== null,
    eventLine: statement(list(4, "event = ", [atom(ctx.app.name), atom(service.id), ":reclaimed"])),
    attach: telemetry && statement(bind(4, ":ok", { call: `${telemetry}.attach`, args: ["handler", "event", "forward", "nil"] })),
    detach: telemetry && detach && (fits(4, detach) ? `    ${detach}` : statement(multiLineFn(telemetry))),
    keepInsert: statement(bind(6, ":ok", at("insert", ["table", "{key, :kept}"]))),
  };
}

/** `on_exit(fn -> ... end)` with the body on its own line, as the formatter writes it when one line is too long. */
function multiLineFn(telemetry: string): string {
  return ["    on_exit(fn ->", `      ${telemetry}.detach(handler)`, "    end)"].join("\n");
}
