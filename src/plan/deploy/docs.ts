import { CI_PROVIDERS_EMITTERS, DEPLOY_TARGET_EMITTERS } from "./index.js";
import type { DeployTarget } from "./target.js";

/** Markers around the generated block in README.md. */
export const README_MARKERS = { start: "<!-- deploy-targets:start -->", end: "<!-- deploy-targets:end -->" } as const;

function section(t: DeployTarget, heading: string): string {
  const list = (items: string[]) => (items.length === 0 ? "- (nothing)" : items.map((i) => `- ${i}`).join("\n"));
  return [`${heading} \`${t.name}\``, "", t.summary, "", "Honours:", "", list(t.honours), "", "Ignores:", "", list(t.ignores)].join("\n");
}

/**
 * What each deploy target and CI provider writes, and which manifest settings it honours and ignores — from the
 * emitters themselves, so the docs cannot drift (test/deploy/docs.test.ts compares). `npm run docs:deploy` rewrites
 * the block in README.md.
 */
export function deployDocs(heading = "###"): string {
  return [
    ...DEPLOY_TARGET_EMITTERS.map((t) => section(t, heading)),
    ...CI_PROVIDERS_EMITTERS.map((t) => section(t, `${heading} CI:`)),
  ].join("\n\n");
}

/** README.md with its generated block replaced by the current `deployDocs()`. */
export function withDeployDocs(readme: string): string {
  const start = readme.indexOf(README_MARKERS.start);
  const end = readme.indexOf(README_MARKERS.end);
  if (start < 0 || end < start) throw new Error(`README.md has no ${README_MARKERS.start} … ${README_MARKERS.end} block`);
  return `${readme.slice(0, start + README_MARKERS.start.length)}\n${deployDocs()}\n${readme.slice(end)}`;
}
