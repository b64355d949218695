import { describe, expect, it } from "vitest";
import { check } from "../../src/pipeline.js";

const run = (text: string) => check({ path: "otpiser.toml", text });

describe("significant children", () => {
  it("sit directly under their explicit container, which gets auto_shutdown (no computed sub-supervisor in between)", () => {
    const r = run(`[app]\nname = "s"\n\n[services.a]\n\n[services.b]\nrestart = "transient"\nsignificant = true\ndepends_on = ["a"]\n\n[services.c]\n\n[groups.work]\nmembers = ["a", "b", "c"]\n`);
    expect(r.ok).toBe(true);
    const group = r.topology!.root.children.find((n) => n.id === "work")!;
    expect(group.children.map((n) => n.id)).toEqual(["a", "b", "c"]);
    expect(group.strategy).toBe("rest_for_one");
    expect(group.autoShutdown).toBe("any_significant");
    expect(r.topology!.explanations.find((e) => e.nodeId === "work")!.strategy).toContain("significant member");
  });

  it("without a significant member the same group is split for economy", () => {
    const r = run(`[app]\nname = "s"\n\n[services.a]\n\n[services.b]\ndepends_on = ["a"]\n\n[services.c]\n\n[groups.work]\nmembers = ["a", "b", "c"]\n`);
    const group = r.topology!.root.children.find((n) => n.id === "work")!;
    expect(group.strategy).toBe("one_for_one");
    expect(group.children.map((n) => n.origin)).toEqual(["computed", "service"]);
  });
});
