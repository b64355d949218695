import { describe, expect, it } from "vitest";
import { decodeManifest } from "../../src/manifest/source.js";
import { check } from "../../src/pipeline.js";
import { otpiser, tempDir } from "../helpers/cli.js";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));

describe("manifest bytes", () => {
  it("drops a UTF-8 byte-order mark, so positions match what editors show", () => {
    const r = decodeManifest("m.toml", bytes([0xef, 0xbb, 0xbf], '[app]\nname = "x"\n[services.a]\ndepend_on = []\n'));
    expect("source" in r && r.source.text.startsWith("[app]")).toBe(true);
    const result = check((r as { source: { path: string; text: string } }).source);
    expect(result.diagnostics).toMatchObject([{ code: "E003", span: { line: 4, col: 1 } }]);
  });

  it("reports invalid UTF-8 at the first bad byte instead of reading replacement characters", () => {
    const r = decodeManifest("m.toml", bytes('[app]\nname = "ok', [0xff, 0xfe], '"\n'));
    expect(r).toMatchObject({ diagnostic: { code: "E001", span: { line: 2, col: 11 }, hint: "save the file as UTF-8" } });
  });

  it("keeps a genuine U+FFFD written in the file", () => {
    const r = decodeManifest("m.toml", bytes('[app]\nname = "x"\ndescription = "\uFFFD"\n'));
    expect("source" in r).toBe(true);
  });

  it("through the CLI: a BOM manifest validates, a non-UTF-8 one exits 1 with E001", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "bom.toml"), bytes([0xef, 0xbb, 0xbf], '[app]\nname = "bom"\n[services.a]\n'));
    await writeFile(join(dir, "latin1.toml"), bytes('[app]\nname = "caf', [0xe9], '"\n[services.a]\n'));
    expect((await otpiser(["validate", "-m", join(dir, "bom.toml")])).exitCode).toBe(0);
    const bad = await otpiser(["validate", "-m", join(dir, "latin1.toml"), "--json"]);
    expect(bad.exitCode).toBe(1);
    expect(JSON.parse(bad.stdout).diagnostics[0]).toMatchObject({ code: "E001", span: { line: 2 } });
  });
});
