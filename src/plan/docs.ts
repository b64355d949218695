import type { TreeNode } from "../analysis/tree.js";
import type { Service } from "../manifest/model.js";
import { wrapText } from "../elixir/layout.js";
import { code, label, type PlanContext, processChildren, sentenceList } from "./context.js";

/** Width of generated prose inside a moduledoc (2 spaces of indentation leave room under 98). */
export const DOC_WIDTH = 94;

/** Generated prose, wrapped; paragraphs separated by a blank line. User-written text is never wrapped. */
export function paragraphs(...texts: (string | undefined | false)[]): string {
  return texts
    .filter((t): t is string => typeof t === "string" && t.trim() !== "")
    .map((t) => wrapText(t, DOC_WIDTH).join("\n"))
    .join("\n\n");
}

/** Joins already-prepared doc blocks (user text kept verbatim, generated prose already wrapped). */
export function joinBlocks(...blocks: (string | undefined | false)[]): string {
  return blocks.filter((b): b is string => typeof b === "string" && b.trim() !== "").join("\n\n");
}

function moduleOf(ctx: PlanContext, id: string): string {
  return ctx.services.get(id)?.module ?? id;
}

/** "Starts after `A` and `B`, and is restarted whenever one of them restarts (`depends_on`)." */
export function dependencySentences(ctx: PlanContext, service: Service): string | undefined {
  const sentences: string[] = [];
  if (service.dependsOn.length > 0) {
    const deps = sentenceList(service.dependsOn.map((d) => code(moduleOf(ctx, d))));
    const whenever = service.dependsOn.length === 1 ? "it restarts" : "one of them restarts";
    sentences.push(`Depends on ${deps} (\`depends_on\`): started after it and restarted whenever ${whenever}.`);
  }
  if (service.uses.length > 0) {
    const uses = sentenceList(service.uses.map((d) => code(moduleOf(ctx, d))));
    sentences.push(`Calls ${uses} at runtime (\`uses\`: no start order, no restart coupling).`);
  }
  if (sentences.length === 0) return undefined;
  return paragraphs(sentences.join(" "));
}

/** The moduledoc paragraphs of a supervisor node: its children and why the strategy/order/intensity are what they are. */
export function supervisionParagraphs(ctx: PlanContext, node: TreeNode): string {
  const started = processChildren(node);
  const children =
    started.length === 0 ? "It starts no children." : `Children, in start order: ${sentenceList(started.map((c) => code(label(ctx, c))))}.`;
  const significant = started.filter((c) => c.significant).map((c) => code(label(ctx, c)));
  const autoShutdown =
    node.autoShutdown === "any_significant" &&
    significant.length > 0 &&
    `It stops (\`auto_shutdown: :any_significant\`) once ${sentenceList(significant)} ${significant.length === 1 ? "exits" : "exit"} without being restarted (\`significant\`).`;
  const intensity =
    node.maxRestarts !== undefined && node.maxSeconds !== undefined
      ? ` At most ${node.maxRestarts} restart${node.maxRestarts === 1 ? "" : "s"} in ${node.maxSeconds} s, after which it gives up and exits.`
      : "";
  const strategy = `Strategy: \`${atomName(node.strategy ?? "one_for_one")}\`.${intensity}`;
  const explanation = ctx.explanations.get(node.id);
  return paragraphs(
    `${children} ${strategy}`,
    autoShutdown,
    explanation && `Why this strategy: ${explanation.strategy}`,
    explanation && `Why this order: ${explanation.order}`,
    explanation && `Why this intensity: ${explanation.intensity}`,
  );
}

const atomName = (s: string): string => `:${s}`;
