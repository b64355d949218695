import { describe, expect, it } from "vitest";
import { affectedSiblings, findParent, restartedIds, startOrderIds, subtreeIds } from "../../src/analysis/simulate.js";
import type { Restart, Strategy } from "../../src/manifest/model.js";
import type { TreeNode } from "../../src/analysis/tree.js";

/**
 * The simulator is the yardstick of the invariant-2 properties, so it is checked here against OTP's documented
 * semantics (supervisor(3), "Restart Strategy" and "Restart"), on hand-built trees:
 *  - one_for_one: only the crashed child is restarted;
 *  - rest_for_one: the crashed child and the children started after it;
 *  - one_for_all: all children;
 *  - restarting a supervisor child starts its whole subtree again (its static children, temporary ones included);
 *  - a temporary child is never restarted — not when it crashes, and not when a sibling's crash sweeps it along
 *    (it is terminated and dropped).
 */

function worker(id: string, restart: Restart = "permanent"): TreeNode {
  return { id, module: id, kind: "gen_server", origin: "service", type: "worker", restart, shutdown: 5000, significant: false, children: [] };
}

function sup(id: string, strategy: Strategy, children: TreeNode[], restart: Restart = "permanent"): TreeNode {
  return { id, module: id, kind: "computed", origin: "computed", type: "supervisor", strategy, restart, shutdown: "infinity", significant: false, children };
}

const sorted = (s: Set<string>) => [...s].sort();

//  root (one_for_one)
//  ├── a
//  ├── r (rest_for_one)
//  │   ├── b
//  │   ├── c (transient)
//  │   ├── all (one_for_all)
//  │   │   ├── d
//  │   │   ├── e
//  │   │   └── t (temporary)
//  │   ├── tt (temporary)
//  │   └── f
//  ├── o (one_for_one)
//  │   ├── h
//  │   └── i
//  └── g (temporary)
function tree(): TreeNode {
  return sup("root", "one_for_one", [
    worker("a"),
    sup("r", "rest_for_one", [
      worker("b"),
      worker("c", "transient"),
      sup("all", "one_for_all", [worker("d"), worker("e"), worker("t", "temporary")]),
      worker("tt", "temporary"),
      worker("f"),
    ]),
    sup("o", "one_for_one", [worker("h"), worker("i")]),
    worker("g", "temporary"),
  ]);
}

describe("restartedIds matches OTP", () => {
  const root = tree();
  const cases: [string, string[]][] = [
    // one_for_one at the root: only the crashed child (with its subtree)
    ["a", ["a"]],
    ["o", ["h", "i", "o"]],
    ["r", ["all", "b", "c", "d", "e", "f", "r", "t", "tt"]],
    // rest_for_one: the crashed child and those after it; the temporary `tt` is dropped, not restarted;
    // the supervisor `all` is restarted as a whole, its temporary child `t` included (a fresh start)
    ["b", ["all", "b", "c", "d", "e", "f", "t"]],
    ["c", ["all", "c", "d", "e", "f", "t"]],
    ["all", ["all", "d", "e", "f", "t"]],
    ["f", ["f"]],
    // one_for_all: every sibling, except the temporary `t`, which is terminated and dropped
    ["d", ["d", "e"]],
    ["e", ["d", "e"]],
    // one_for_one nested in the root
    ["h", ["h"]],
    ["i", ["i"]],
    // a temporary child that crashes is never restarted and restarts nothing
    ["t", []],
    ["tt", []],
    ["g", []],
  ];
  for (const [crashed, expected] of cases) {
    it(`crash of ${crashed} → {${expected.join(", ")}}`, () => {
      expect(sorted(restartedIds(root, crashed))).toEqual(expected);
    });
  }

  it("refuses an id that is not below the root", () => {
    expect(() => restartedIds(root, "root")).toThrow(/no node root/);
    expect(() => restartedIds(root, "nope")).toThrow(/no node nope/);
  });
});

describe("the rest of the simulator", () => {
  it("startOrderIds is depth first, a supervisor before its children, templates skipped", () => {
    const root = tree();
    root.children.push({ ...sup("dyn", "one_for_one", [{ ...worker("tpl"), template: true }]), kind: "dynamic_supervisor", origin: "service" });
    expect(startOrderIds(root)).toEqual(["a", "r", "b", "c", "all", "d", "e", "t", "tt", "f", "o", "h", "i", "g", "dyn"]);
    expect(subtreeIds(root.children.at(-1)!)).toEqual(["dyn"]);
  });

  it("affectedSiblings follows the strategy; findParent finds the index", () => {
    const root = tree();
    const where = findParent(root, "all")!;
    expect(where.parent.id).toBe("r");
    expect(where.index).toBe(2);
    expect(affectedSiblings(where.parent, where.index).map((n) => n.id)).toEqual(["all", "tt", "f"]);
    const inner = findParent(root, "e")!;
    expect(affectedSiblings(inner.parent, inner.index).map((n) => n.id)).toEqual(["d", "e", "t"]);
    const top = findParent(root, "o")!;
    expect(affectedSiblings(top.parent, top.index).map((n) => n.id)).toEqual(["o"]);
  });

  it("a crash deep in a chain of nested rest_for_one / one_for_one supervisors", () => {
    // root ─ x (rest_for_one) [p, y (one_for_one) [q, z (rest_for_one) [u, v]], w]
    const root = sup("root", "one_for_one", [
      sup("x", "rest_for_one", [worker("p"), sup("y", "one_for_one", [worker("q"), sup("z", "rest_for_one", [worker("u"), worker("v")])]), worker("w")]),
    ]);
    expect(sorted(restartedIds(root, "p"))).toEqual(["p", "q", "u", "v", "w", "y", "z"]);
    expect(sorted(restartedIds(root, "q"))).toEqual(["q"]);
    expect(sorted(restartedIds(root, "u"))).toEqual(["u", "v"]);
    expect(sorted(restartedIds(root, "v"))).toEqual(["v"]);
    expect(sorted(restartedIds(root, "z"))).toEqual(["u", "v", "z"]);
    expect(sorted(restartedIds(root, "y"))).toEqual(["q", "u", "v", "w", "y", "z"]);
  });
});
