import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { check } from "../../src/pipeline.js";
import { loadHtmlAssets, renderHtml } from "../../src/visualise/html.js";
import { buildVisualModel, type VisualModel } from "../../src/visualise/model.js";
import { ROOT } from "../helpers/cli.js";
import { compareImages, decodePng, encodePng } from "./png.js";

/**
 * The HTML page of `otpiser visualise --format html`, in a real headless browser: Debian's chromium driven by
 * playwright-core. Every request other than the page's own file is blocked and recorded, and the tests assert
 * none was attempted (the page also forbids them itself with a `default-src 'none'` Content-Security-Policy).
 *
 * Screenshot: a fixed 1200×820 viewport at device scale 1, animations off, caret hidden, the mouse parked; the
 * PNG is decoded here (./png.ts, zlib only) and compared with test/visualise/__screenshots__/shop-tree.png pixel
 * by pixel. A pixel counts as different when a channel differs by more than 16/255; the test fails when more than
 * 0.5% of the pixels do. That absorbs anti-aliasing and hinting differences between Chromium builds and font
 * versions, while a layout change (a box moved, the details panel empty, edges gone) changes far more. On a
 * failure the actual screenshot and a diff image (differences in magenta) are written to the temp directory.
 * `UPDATE_SCREENSHOTS=1` rewrites the baseline instead (after an intended change of the page).
 *
 * Needs /usr/bin/chromium (or CHROMIUM_PATH); skipped without it unless OTPISER_REQUIRE_TOOLS=1 (CI), which fails.
 */

const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const REQUIRED = process.env["OTPISER_REQUIRE_TOOLS"] === "1";
const HAS_CHROMIUM = existsSync(CHROMIUM);
const RUN = HAS_CHROMIUM || REQUIRED;
if (!RUN) console.warn(`test/visualise/html.browser.test.ts: ${CHROMIUM} not found, browser tests skipped (apt-get install chromium; OTPISER_REQUIRE_TOOLS=1 makes this an error)`);

const BASELINE = join(import.meta.dirname, "__screenshots__", "shop-tree.png");
const UPDATE = process.env["UPDATE_SCREENSHOTS"] === "1";
const CHANNEL_THRESHOLD = 16;
const MAX_DIFF_RATIO = 0.005;

const EVIL = `
[app]
name = "evil"
description = "</script><script>window.__pwned = 1</script><img src=x onerror=\\"window.__pwned = 2\\"> & done"

[services.alpha]
doc = "<b>bold?</b> </script><!-- \`code\` & \\"quotes\\" 'single' \\u2028 end"

[services.beta]
depends_on = ["alpha"]
doc = "<img src=x onerror=\\"window.__pwned = 3\\">"

[groups.pair]
members = ["alpha", "beta"]
doc = "<svg onload=\\"window.__pwned = 4\\"></svg>"
`;

function analysed(path: string, text = readFileSync(join(ROOT, path), "utf8")) {
  const r = check({ path, text });
  if (!r.ok) throw new Error(`${path} does not check: ${r.diagnostics.map((d) => d.message).join("; ")}`);
  return { manifest: r.manifest!, topology: r.topology!, graph: r.graph!, model: buildVisualModel(r.manifest!, r.topology!, r.graph!) };
}

describe.runIf(RUN)("visualise --format html in chromium", { timeout: 60_000 }, () => {
  let dir: string;
  let browser: Browser;
  let context: BrowserContext;
  /** Every request the pages made that was not for the page file itself (all blocked). */
  const attempted: string[] = [];
  const pageErrors: string[] = [];
  const files = new Map<string, string>();
  const shop = analysed("fixtures/valid/ten-services.toml");
  const orbit = analysed("fixtures/valid/otp-patterns.toml");
  const evil = analysed("evil.toml", EVIL);

  async function write(name: string, model: VisualModel): Promise<string> {
    const html = renderHtml(model, await loadHtmlAssets(), "otpiser (test)");
    const path = join(dir, `${name}.html`);
    writeFileSync(path, html);
    files.set(name, html);
    return path;
  }

  async function open(name: string, model: VisualModel): Promise<Page> {
    const url = pathToFileURL(await write(name, model)).href;
    const page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(`${name}: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") pageErrors.push(`${name}: console: ${m.text()}`);
    });
    await page.route("**/*", async (route) => {
      if (route.request().url() === url) return route.continue();
      attempted.push(route.request().url());
      return route.abort();
    });
    await page.goto(url);
    await page.waitForSelector("body[data-ready='1']");
    return page;
  }

  beforeAll(async () => {
    expect(HAS_CHROMIUM, `${CHROMIUM} is required (OTPISER_REQUIRE_TOOLS=1)`).toBe(true);
    dir = mkdtempSync(join(tmpdir(), "otpiser-visualise-"));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    context = await browser.newContext({ viewport: { width: 1200, height: 820 }, deviceScaleFactor: 1, locale: "en-US", timezoneId: "UTC" });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("shows every node of the tree, with name, kind and strategy", async () => {
    const page = await open("shop", shop.model);
    expect(await page.locator(".head[data-key]").count()).toBe(shop.model.nodes.length);
    for (const id of [...shop.topology.startOrder, "root", "config_chain", "storage", "realtime", "session"]) {
      await expect(page.locator(`.head[data-id="${id}"]`).count(), id).resolves.toBe(1);
    }
    const storage = await page.locator('.head[data-id="storage"]').innerText();
    expect(storage).toContain("rest_for_one · max");
    expect(storage).toContain("group");
    expect(await page.locator('.head[data-id="warm_up"]').innerText()).toMatch(/step[\s\S]*temporary/);
    expect(await page.locator('.head[data-id="session"]').innerText()).toMatch(/transient[\s\S]*template/);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("draws depends_on edges solid and uses edges dashed, one path per edge", async () => {
    const page = await open("orbit", orbit.model);
    const solid = orbit.model.edges.filter((e) => e.style === "solid").length;
    const dashed = orbit.model.edges.length - solid;
    expect(solid).toBeGreaterThan(0);
    expect(dashed).toBeGreaterThan(0);
    expect(await page.locator("#edges path.edge.depends_on").count()).toBe(solid);
    expect(await page.locator("#edges path.edge.uses").count()).toBe(dashed);
    const dash = (sel: string) => page.locator(sel).first().evaluate((el) => getComputedStyle(el).strokeDasharray);
    expect(await dash("#edges path.edge.depends_on")).toBe("none");
    expect(await dash("#edges path.edge.uses")).not.toBe("none");
    // The support processes [cluster]/[http] add are drawn under the root.
    expect(await page.locator(".node.origin-support > .head").allInnerTexts()).toEqual([expect.stringContaining("Orbit.Cluster"), expect.stringContaining("Orbit.Http")]);
    // The edge table lists them too (readable without script).
    expect(await page.locator("#edge-list tbody tr").count()).toBe(orbit.model.edges.length);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("hover previews a node's details; click pins them, with the explanations", async () => {
    const page = await open("shop-details", shop.model);
    const details = page.locator("#details");
    await page.hover('.head[data-id="mailer"]');
    await expect(details.innerText()).resolves.toContain("mailer");
    expect(await details.getAttribute("class")).toContain("preview");
    expect(await details.innerText()).toMatch(/uses\s+jobs/);

    await page.click('.head[data-id="storage"]');
    const storageWhy = shop.topology.explanations.find((e) => e.nodeId === "storage")!;
    const text = (await details.innerText()).replace(/\s+/g, " ");
    for (const part of [storageWhy.strategy, storageWhy.intensity]) expect(text).toContain(part.replace(/`/g, "").replace(/\s+/g, " "));
    expect(text).toContain("Shop.Storage");
    expect(text).toMatch(/intensity max \d+ restarts in \d+ s/);
    // Pinned: moving away keeps it.
    await page.mouse.move(5, 5);
    expect((await details.innerText()).replace(/\s+/g, " ")).toContain(storageWhy.strategy.replace(/`/g, "").replace(/\s+/g, " "));
    expect(await page.locator('.head[data-id="storage"]').getAttribute("aria-pressed")).toBe("true");

    await page.click('.head[data-id="repo"]');
    const repo = (await details.innerText()).replace(/\s+/g, " ");
    expect(repo).toContain("depends on config");
    expect(repo).toContain("depended on by cache");
    expect(repo).toContain("shutdown 10000 ms");
    expect(repo).toContain("restart permanent");
    expect(repo).toContain("a crash restarts repo, cache");
    expect(repo).toMatch(/why under storage/i); // h3 headings are upper-cased by CSS
    // The edges of the selected node stand out.
    expect(await page.locator("#edges-active path.edge").count()).toBe(2);
    expect(await page.locator("#edges").getAttribute("class")).toContain("dim");
    // A name in the details selects that node.
    await page.click('#details button.link[data-key]:has-text("config")');
    expect(await page.locator(".head.selected").getAttribute("data-id")).toBe("config");
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("collapses a supervisor: its children hide and their edges attach to it", async () => {
    const page = await open("shop-collapse", shop.model);
    expect(await page.locator("#edges path.edge").count()).toBe(shop.model.edges.length);
    await page.click('.head[data-id="config_chain"] .toggle');
    expect(await page.locator('.head[data-id="repo"]').isVisible()).toBe(false);
    expect(await page.locator('.head[data-id="config_chain"] .toggle').getAttribute("aria-expanded")).toBe("false");
    // config → repo → cache → warm_up all live inside config_chain now: those edges disappear.
    const inside = shop.model.edges.filter((e) => ["config", "repo", "cache", "warm_up"].includes(e.from)).length;
    expect(await page.locator("#edges path.edge").count()).toBe(shop.model.edges.length - inside);
    await page.click("#expand-all");
    expect(await page.locator('.head[data-id="repo"]').isVisible()).toBe(true);
    expect(await page.locator("#edges path.edge").count()).toBe(shop.model.edges.length);
    await page.click("#collapse-all");
    expect(await page.locator('.head[data-id="config_chain"]').isVisible()).toBe(true);
    expect(await page.locator('.head[data-id="config"]').isVisible()).toBe(false);
    await page.keyboard.press("Escape");
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("shows hostile manifest strings as text: no script runs, no request is made", async () => {
    const page = await open("evil", evil.model);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator(".description").innerText()).toContain('</script><script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> & done');
    await page.click('.head[data-id="alpha"]');
    expect(await page.locator("#details .doc").innerText()).toBe(evil.manifest.services.find((s) => s.id === "alpha")!.doc);
    await page.click('.head[data-id="beta"]');
    expect(await page.locator("#details .doc").innerText()).toBe('<img src=x onerror="window.__pwned = 3">');
    await page.click('.head[data-id="pair"]');
    expect(await page.locator("#details .doc").innerText()).toBe('<svg onload="window.__pwned = 4"></svg>');
    expect(await page.locator("#details img, #details svg, #details b, .description img").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("a large tree (300 services) draws every edge", async () => {
    const lines = ['[app]\nname = "wide"\n'];
    for (let i = 0; i < 300; i++) {
      const deps = i > 0 && i % 3 !== 0 ? `depends_on = ["s${i - 1}"]\n` : "";
      const uses = i % 7 === 0 && i > 0 ? `uses = ["s${i - 7}"]\n` : "";
      lines.push(`[services.s${i}]\n${deps}${uses}`);
    }
    const wide = analysed("wide.toml", lines.join("\n"));
    const page = await open("wide", wide.model);
    expect(await page.locator(".head[data-key]").count()).toBe(wide.model.nodes.length);
    expect(await page.locator("#edges path.edge").count()).toBe(wide.model.edges.length);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("matches the committed screenshot (UPDATE_SCREENSHOTS=1 rewrites it)", async () => {
    const page = await open("shop-screenshot", shop.model);
    await page.click('.head[data-id="repo"]');
    await page.mouse.move(1195, 815);
    const png = await page.screenshot({ animations: "disabled", caret: "hide" });
    await page.close();
    if (UPDATE || !existsSync(BASELINE)) {
      writeFileSync(BASELINE, png);
      expect(UPDATE, `no baseline screenshot yet: wrote ${BASELINE}; check it and commit it (UPDATE_SCREENSHOTS=1 to rewrite)`).toBe(true);
      return;
    }
    const actual = decodePng(png);
    const expected = decodePng(readFileSync(BASELINE));
    const result = compareImages(expected, actual, CHANNEL_THRESHOLD);
    if (result.ratio > MAX_DIFF_RATIO) {
      const out = mkdtempSync(join(tmpdir(), "otpiser-screenshot-"));
      writeFileSync(join(out, "actual.png"), png);
      writeFileSync(join(out, "diff.png"), encodePng(result.diff));
      expect.fail(`${(result.ratio * 100).toFixed(2)}% of the pixels differ from ${BASELINE} (allowed ${MAX_DIFF_RATIO * 100}%); see ${out}/actual.png and diff.png, and rerun with UPDATE_SCREENSHOTS=1 if the change is intended`);
    }
  });

  it("works offline: no request but the page itself, and no http(s) URL in any page", () => {
    expect(attempted).toEqual([]);
    expect(files.size).toBeGreaterThan(0);
    for (const [name, html] of files) {
      expect(html, name).not.toMatch(/https?:\/\//i);
      expect(html, name).not.toMatch(/<(link|img|iframe|object|embed)\b/i);
      expect(html, name).not.toMatch(/<script[^>]+src=/i);
      expect(html, name).toContain("default-src 'none'");
    }
  });
});

describe.runIf(REQUIRED)("chromium for the browser tests", () => {
  it(`${CHROMIUM} is installed (OTPISER_REQUIRE_TOOLS=1)`, () => {
    expect(HAS_CHROMIUM).toBe(true);
  });
});
