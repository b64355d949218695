import { describe, expect, it } from "vitest";
import { check } from "../../src/pipeline.js";
import { argocdTarget, placeholderRepoUrl } from "../../src/plan/deploy/argocd.js";
import { KUBERNETES_DIR } from "../../src/plan/deploy/kubernetes.js";
import { fileOf, planFixture, planToml } from "./helpers.js";
import { type K8sObject, modelProblems, parseOneYaml } from "./schemas/k8s-models.js";

const APPLICATION = "deploy/argocd/application.yaml";

type Json = Record<string, unknown>;
const get = (o: unknown, ...path: Array<string | number>): unknown =>
  path.reduce<unknown>((v, key) => (v !== null && typeof v === "object" ? (v as Record<string | number, unknown>)[key] : undefined), o);

interface Expected {
  name: string;
  namespace: string;
  repoUrl: string;
  description: string;
}

/**
 * The Application against Argo CD's published CRD schema (strict: no unknown field), and what Argo CD needs to sync
 * the kubernetes target's directory: that directory in the plan, with a kustomization.yaml whose namespace is the
 * destination's.
 */
function applicationProblems(app: K8sObject, files: Map<string, string>, e: Expected): string[] {
  const problems = modelProblems(app);
  const expect = (what: string, actual: unknown, wanted: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(wanted)) problems.push(`${what} is ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`);
  };
  expect("metadata", [app.metadata.name, app.metadata.namespace], [e.name, "argocd"]);
  expect("project", get(app, "spec", "project"), "default");
  expect("source", get(app, "spec", "source"), { repoURL: e.repoUrl, targetRevision: "HEAD", path: KUBERNETES_DIR });
  expect("destination", get(app, "spec", "destination"), { server: "https://kubernetes.default.svc", namespace: e.namespace });
  expect("automated sync", get(app, "spec", "syncPolicy", "automated"), { prune: true, selfHeal: true });
  expect("sync options", get(app, "spec", "syncPolicy", "syncOptions"), ["CreateNamespace=true"]);
  expect("info", get(app, "spec", "info"), [{ name: "Description", value: e.description }]);
  const kustomization = files.get(`${String(get(app, "spec", "source", "path"))}/kustomization.yaml`);
  if (kustomization === undefined) problems.push(`no kustomization.yaml under ${String(get(app, "spec", "source", "path"))}`);
  else expect("kustomization namespace", (parseOneYaml(kustomization, "kustomization.yaml") as Json).namespace, get(app, "spec", "destination", "namespace"));
  return problems;
}

const applicationOf = (files: Map<string, string>): K8sObject => parseOneYaml(fileOf(files, APPLICATION), APPLICATION) as K8sObject;

const FIXTURE: Expected = {
  name: "ledger",
  namespace: "ledger",
  repoUrl: "https://github.com/acme/ledger.git",
  description: 'Double-entry ledger: "postings" & balances',
};

const toml = (deploy: string, description = "Shop: \"front\"\n${x} # y") => `[app]
name = "shop_front"
description = ${JSON.stringify(description)}

[services.store]

[http]
port = 8080

[deploy]
targets = ["kubernetes", "argocd"]
${deploy}`;

describe("argocd target", () => {
  it("the fixture's Application is valid for Argo CD's schema and points at the generated Kubernetes directory", () => {
    const { files } = planFixture("deploy-targets");
    const app = applicationOf(files);
    expect(app.apiVersion).toBe("argoproj.io/v1alpha1");
    expect(app.kind).toBe("Application");
    expect(applicationProblems(app, files, FIXTURE)).toEqual([]);
    expect(fileOf(files, APPLICATION)).not.toContain("PLACEHOLDER");
    expect(fileOf(files, APPLICATION)).toContain("Create the Secret ledger-cookie");
  });

  it("a namespace and an adversarial description of the manifest reach it as data", () => {
    const description = "Shop: \"front\"\n${x} # y\n- z: 'q'";
    const { files } = planToml(toml('namespace = "shops"\nrepo_url = "git@github.com:acme/shop.git"\n', description));
    const e: Expected = { name: "shop-front", namespace: "shops", repoUrl: "git@github.com:acme/shop.git", description };
    expect(applicationProblems(applicationOf(files), files, e)).toEqual([]);
    // No cluster: no cookie Secret to create.
    expect(fileOf(files, APPLICATION)).not.toContain("Secret");
  });

  it("without repo_url: W112 and an obviously fake repoURL that can never resolve, still a valid object", () => {
    const text = toml("");
    const { files } = planToml(text);
    const app = applicationOf(files);
    const e: Expected = { name: "shop-front", namespace: "shop-front", repoUrl: placeholderRepoUrl("shop-front"), description: "Shop: \"front\"\n${x} # y" };
    expect(applicationProblems(app, files, e)).toEqual([]);
    expect(new URL(String(get(app, "spec", "source", "repoURL"))).hostname).toMatch(/\.invalid$/);
    expect(fileOf(files, APPLICATION)).toContain("# PLACEHOLDER: `repoURL` below is not a real repository");
    expect(check({ path: "otpiser.toml", text }).diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      expect.stringMatching(/^W112 deploy target `argocd` has no `repo_url`/),
    ]);
  });

  it("without the kubernetes target there is nothing to sync: E029", () => {
    const result = check({ path: "otpiser.toml", text: toml("").replace('targets = ["kubernetes", "argocd"]', 'targets = ["argocd"]') });
    expect(result.diagnostics.filter((d) => d.severity === "error").map((d) => d.code)).toEqual(["E029"]);
  });

  it("the checks fail on a typo'd field, a wrong type, another path or namespace", () => {
    const { files } = planFixture("deploy-targets");
    const broken = (change: (app: Json) => void): string[] => {
      const app = applicationOf(files) as unknown as Json;
      change(app);
      return applicationProblems(app as K8sObject, files, FIXTURE);
    };
    expect(broken((a) => { (get(a, "spec", "syncPolicy") as Json).automate = {}; })).toContain("unknown field /spec/syncPolicy/automate");
    expect(broken((a) => { (get(a, "spec", "source") as Json).targetRevision = 1; }).join()).toMatch(/schema: .*targetRevision/);
    expect(broken((a) => { delete (a.spec as Json).destination; }).join()).toMatch(/schema: .*destination/);
    expect(broken((a) => { (get(a, "spec", "source") as Json).path = "deploy/k8s"; }).join()).toMatch(/no kustomization.yaml under deploy\/k8s/);
    expect(broken((a) => { (get(a, "spec", "destination") as Json).namespace = "other"; }).join()).toMatch(/kustomization namespace/);
  });

  it("documents what it honours and ignores", () => {
    expect(argocdTarget.summary).not.toMatch(/not generated/);
    expect(argocdTarget.honours.join(" ")).toMatch(/repo_url/);
    expect(argocdTarget.ignores.length).toBeGreaterThan(0);
  });
});
