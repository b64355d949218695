import type { TreeNode } from "./tree.js";

/**
 * OTP restart semantics, simulated on the computed tree.
 *
 * When child C of supervisor S exits abnormally (and C is permanent, or transient with an abnormal exit):
 *  - one_for_one: S restarts C.
 *  - rest_for_one: S stops the children started after C (in reverse order), then restarts C and those.
 *  - one_for_all: S stops all other children, then restarts all of them.
 * Restarting a supervisor child restarts its whole subtree (its processes are new).
 * Temporary children are never restarted; OTP also does not restart them when a sibling's crash sweeps them
 * (rest_for_one/one_for_all terminate them and drop them), so they are "stopped" rather than "restarted".
 * Intensity is not modelled: one crash is assumed to stay within max_restarts. (With max_restarts = 0 a crash
 * escalates, which only makes the restarted set larger, so safety conclusions drawn from this model still hold.)
 */

/** Every process node id in the subtree rooted at `node` (inclusive); template nodes have no process. */
export function subtreeIds(node: TreeNode): string[] {
  if (node.template) return [];
  const out: string[] = [node.id];
  for (const child of node.children) out.push(...subtreeIds(child));
  return out;
}

/** Finds the parent of the node with `id`, and the node's index among its siblings. */
export function findParent(root: TreeNode, id: string): { parent: TreeNode; index: number } | undefined {
  for (let i = 0; i < root.children.length; i++) {
    const child = root.children[i]!;
    if (child.id === id) return { parent: root, index: i };
    const found = findParent(child, id);
    if (found) return found;
  }
  return undefined;
}

/** The siblings (the crashed child included) that the parent's strategy takes down and starts again. */
export function affectedSiblings(parent: TreeNode, index: number): TreeNode[] {
  switch (parent.strategy) {
    case "one_for_all":
      return parent.children;
    case "rest_for_one":
      return parent.children.slice(index);
    case "one_for_one":
    default:
      return [parent.children[index]!];
  }
}

/** Where every node sits (parent and index), per root: built once, so callers asking for every node stay linear. */
const locations = new WeakMap<TreeNode, Map<string, { parent: TreeNode; index: number }>>();

/**
 * findParent through the root's index. An entry that no longer matches the tree (a tree changed after it was
 * indexed) rebuilds the index, so the answer is always findParent's.
 */
function locate(root: TreeNode, id: string): { parent: TreeNode; index: number } | undefined {
  const hit = locations.get(root)?.get(id);
  if (hit && hit.parent.children[hit.index]?.id === id) return hit;
  const index = new Map<string, { parent: TreeNode; index: number }>();
  // Pre-order, children left to right, keeping the first of equal ids: the node findParent would find. A stack,
  // not recursion: chains of thousands of services make deep trees.
  const pushChildren = (parent: TreeNode, stack: { parent: TreeNode; index: number }[]) => {
    for (let i = parent.children.length - 1; i >= 0; i--) stack.push({ parent, index: i });
  };
  const stack: { parent: TreeNode; index: number }[] = [];
  pushChildren(root, stack);
  while (stack.length > 0) {
    const at = stack.pop()!;
    const node = at.parent.children[at.index]!;
    if (!index.has(node.id)) index.set(node.id, at);
    pushChildren(node, stack);
  }
  locations.set(root, index);
  return index.get(id);
}

/**
 * Ids of every node whose process is new after node `crashedId` crashes once (the crashed node included),
 * assuming no intensity limit is hit. Temporary nodes swept by a sibling's crash are not included: OTP drops them.
 */
export function restartedIds(root: TreeNode, crashedId: string): Set<string> {
  const where = locate(root, crashedId);
  if (!where) throw new Error(`no node ${crashedId} below ${root.id}`);
  const crashed = where.parent.children[where.index]!;
  const restarted = new Set<string>();
  if (crashed.restart === "temporary") return restarted;
  for (const sibling of affectedSiblings(where.parent, where.index)) {
    if (sibling.restart === "temporary") continue;
    for (const id of subtreeIds(sibling)) restarted.add(id);
  }
  return restarted;
}

/** Depth-first start order of every node id below `root` (root excluded): a supervisor starts before its children. */
export function startOrderIds(root: TreeNode): string[] {
  const out: string[] = [];
  for (const child of root.children) {
    if (child.template) continue;
    out.push(child.id);
    out.push(...startOrderIds(child));
  }
  return out;
}
