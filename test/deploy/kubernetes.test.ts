import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { kubernetesHeadlessHost, kubernetesStatefulNodes } from "../../src/manifest/validate-deploy.js";
import { check } from "../../src/pipeline.js";
import { RUNTIME_USER } from "../../src/plan/deploy/docker.js";
import { KUBERNETES_DIR, kubernetesTarget } from "../../src/plan/deploy/kubernetes.js";
import { labelValue } from "../../src/plan/deploy/kubernetes-view.js";
import { fileOf, planFixture, planToml } from "./helpers.js";
import { type K8sObject, modelProblems, parseOneYaml } from "./schemas/k8s-models.js";

// ---------------------------------------------------------------------------------------------------------------
// What a manifest should produce, and the checks. Each check returns what is wrong (empty when right), so the
// negative cases at the end prove that every one of them can fail.
// ---------------------------------------------------------------------------------------------------------------

interface Expected {
  app: string;
  name: string;
  namespace: string;
  version: string;
  description: string;
  image: string;
  httpPort: number;
  replicas: number;
  discovery: "dns" | "static" | "epmd" | null;
  cpu: string;
  memory: string;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** `get(o, "spec", "template", "spec")`: undefined when any step is missing. */
const get = (o: unknown, ...path: Array<string | number>): unknown =>
  path.reduce<unknown>((v, key) => (v !== null && typeof v === "object" ? (v as Record<string | number, unknown>)[key] : undefined), o);

const NAME_LABEL = "app.kubernetes.io/name";
const VERSION_LABEL = "app.kubernetes.io/version";

interface Manifests {
  /** File name (under deploy/kubernetes/) → its one object. */
  objects: Map<string, K8sObject>;
  kustomization: Json;
  /** The raw text of every file, by file name. */
  texts: Map<string, string>;
}

function manifestsOf(files: Map<string, string>): Manifests {
  const objects = new Map<string, K8sObject>();
  const texts = new Map<string, string>();
  let kustomization: Json = {};
  for (const [path, text] of files) {
    if (!path.startsWith(`${KUBERNETES_DIR}/`)) continue;
    const file = path.slice(KUBERNETES_DIR.length + 1);
    texts.set(file, text);
    const value = parseOneYaml(text, path);
    if (file === "kustomization.yaml") kustomization = obj(value);
    else objects.set(file, value as K8sObject);
  }
  return { objects, kustomization, texts };
}

const byKind = (m: Manifests, kind: string): K8sObject[] => [...m.objects.values()].filter((o) => o.kind === kind);
const one = (m: Manifests, kind: string, name?: string): K8sObject => {
  const found = byKind(m, kind).filter((o) => name === undefined || o.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ""}, found ${found.length}`);
  return found[0]!;
};
const workloadOf = (m: Manifests): K8sObject => {
  const found = [...m.objects.values()].filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet");
  if (found.length !== 1) throw new Error(`expected one workload, found ${found.length}`);
  return found[0]!;
};
const containerOf = (w: K8sObject): Json => obj(arr(get(w, "spec", "template", "spec", "containers"))[0]);
const envOf = (w: K8sObject): Json[] => arr(containerOf(w).env).map(obj);

/** Every object against its published model, and strict: no field the schema does not know. */
function modelCheck(m: Manifests): string[] {
  return [...m.objects].flatMap(([file, o]) => modelProblems(o).map((p) => `${file}: ${p}`));
}

const ajv = new Ajv({ allErrors: true, strict: true });
const validateKustomization = ajv.compile(JSON.parse(readFileSync(join(import.meta.dirname, "schemas", "kustomization.schema.json"), "utf8")) as object);

/** kustomization.yaml: its schema, `resources` naming exactly the other files, the namespace. */
function kustomizationCheck(m: Manifests, e: Expected): string[] {
  const problems: string[] = [];
  if (!validateKustomization(m.kustomization)) problems.push(...(validateKustomization.errors ?? []).map((x) => `schema: ${x.instancePath} ${x.message}`));
  const resources = arr(m.kustomization.resources).map(String).sort();
  const files = [...m.objects.keys()].sort();
  if (JSON.stringify(resources) !== JSON.stringify(files)) problems.push(`resources ${resources.join(",")} are not the files ${files.join(",")}`);
  if (m.kustomization.namespace !== e.namespace) problems.push(`namespace ${String(m.kustomization.namespace)}, expected ${e.namespace}`);
  // kustomize sets it: an object naming another namespace would be moved silently.
  for (const [file, o] of m.objects) if (o.metadata.namespace !== undefined) problems.push(`${file} sets metadata.namespace`);
  return problems;
}

const matches = (selector: unknown, labels: unknown): boolean =>
  Object.keys(obj(selector)).length > 0 && Object.entries(obj(selector)).every(([k, v]) => obj(labels)[k] === v);

/**
 * The objects fit together: selectors pick the pods (and only by name, since a selector is immutable and the
 * version changes), names used are names defined, ports named are ports declared, the checksum is the ConfigMap's.
 */
function wiringCheck(m: Manifests, e: Expected): string[] {
  const problems: string[] = [];
  const w = workloadOf(m);
  const podLabels = get(w, "spec", "template", "metadata", "labels");
  const container = containerOf(w);
  const portNames = arr(container.ports).map((p) => obj(p).name);
  const selectors: Array<[string, unknown]> = [
    [`${w.kind} selector`, get(w, "spec", "selector", "matchLabels")],
    ["topology spread", get(w, "spec", "template", "spec", "topologySpreadConstraints", 0, "labelSelector", "matchLabels")],
    ...byKind(m, "Service").map((s): [string, unknown] => [`Service ${s.metadata.name}`, get(s, "spec", "selector")]),
    ["PodDisruptionBudget", get(one(m, "PodDisruptionBudget"), "spec", "selector", "matchLabels")],
    ["NetworkPolicy", get(one(m, "NetworkPolicy"), "spec", "podSelector", "matchLabels")],
  ];
  for (const [what, selector] of selectors) {
    if (!matches(selector, podLabels)) problems.push(`${what} does not select the pods`);
    if (JSON.stringify(selector) !== JSON.stringify({ [NAME_LABEL]: e.name })) problems.push(`${what} selects by ${JSON.stringify(selector)}`);
  }
  for (const o of m.objects.values()) {
    const labels = obj(o.metadata.labels);
    if (labels[NAME_LABEL] !== e.name || labels[VERSION_LABEL] !== labelValue(e.version)) problems.push(`${o.kind} ${o.metadata.name} labels ${JSON.stringify(labels)}`);
    if (!/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(o.metadata.name)) problems.push(`${o.kind} name ${o.metadata.name} is not a DNS-1035 label`);
  }
  for (const s of byKind(m, "Service")) {
    for (const p of arr(get(s, "spec", "ports"))) if (!portNames.includes(obj(p).targetPort)) problems.push(`Service ${s.metadata.name} targets port ${String(obj(p).targetPort)}, not declared`);
  }
  for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
    if (!portNames.includes(get(container, probe, "httpGet", "port"))) problems.push(`${probe} on an undeclared port`);
  }
  const configMap = one(m, "ConfigMap");
  const refs = arr(container.envFrom).map((r) => get(r, "configMapRef", "name"));
  if (JSON.stringify(refs) !== JSON.stringify([configMap.metadata.name])) problems.push(`envFrom ${JSON.stringify(refs)}, not the ConfigMap ${configMap.metadata.name}`);
  const checksum = createHash("sha256").update(m.texts.get("configmap.yaml") ?? "").digest("hex");
  if (get(w, "spec", "template", "metadata", "annotations", "checksum/config") !== checksum) problems.push("checksum/config is not the sha256 of configmap.yaml");
  const volumes = arr(get(w, "spec", "template", "spec", "volumes")).map((v) => obj(v).name);
  for (const mount of arr(container.volumeMounts)) if (!volumes.includes(obj(mount).name)) problems.push(`volume ${String(obj(mount).name)} is not defined`);
  const hpa = byKind(m, "HorizontalPodAutoscaler")[0];
  if (hpa) {
    const target = obj(get(hpa, "spec", "scaleTargetRef"));
    if (target.kind !== w.kind || target.name !== w.metadata.name || target.apiVersion !== w.apiVersion) problems.push(`the autoscaler targets ${JSON.stringify(target)}`);
    // With an autoscaler the workload must not pin a count that every apply would reset.
    if (get(w, "spec", "replicas") !== undefined) problems.push(`${w.kind} sets replicas beside an autoscaler`);
  }
  // Kubernetes expands $(VAR) only for variables defined earlier in the list.
  const env = envOf(w);
  env.forEach((v, i) => {
    for (const [, ref] of String(v.value ?? "").matchAll(/\$\(([A-Z_]+)\)/g)) {
      if (!env.slice(0, i).some((d) => d.name === ref)) problems.push(`${String(v.name)} refers to $(${ref}) before it is defined`);
    }
  });
  return problems;
}

/** The restrictive securityContext and the writable /tmp the release then needs. */
function securityCheck(m: Manifests): string[] {
  const problems: string[] = [];
  const w = workloadOf(m);
  const pod = obj(get(w, "spec", "template", "spec"));
  const container = containerOf(w);
  const expect = (what: string, actual: unknown, wanted: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(wanted)) problems.push(`${what} is ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`);
  };
  expect("runAsNonRoot", get(pod, "securityContext", "runAsNonRoot"), true);
  expect("runAsUser", get(pod, "securityContext", "runAsUser"), RUNTIME_USER.uid);
  expect("seccompProfile", get(pod, "securityContext", "seccompProfile", "type"), "RuntimeDefault");
  expect("automountServiceAccountToken", pod.automountServiceAccountToken, false);
  expect("allowPrivilegeEscalation", get(container, "securityContext", "allowPrivilegeEscalation"), false);
  expect("readOnlyRootFilesystem", get(container, "securityContext", "readOnlyRootFilesystem"), true);
  expect("capabilities", get(container, "securityContext", "capabilities"), { drop: ["ALL"] });
  const tmp = arr(container.volumeMounts).map(obj).find((v) => v.mountPath === "/tmp");
  const volume = arr(pod.volumes).map(obj).find((v) => v.name === tmp?.name);
  if (!volume || !("emptyDir" in volume)) problems.push("no emptyDir mounted on /tmp");
  const env = Object.fromEntries(envOf(w).map((v) => [v.name, v.value]));
  expect("RELEASE_TMP", env.RELEASE_TMP, "/tmp");
  expect("ERL_CRASH_DUMP", env.ERL_CRASH_DUMP, "/tmp/erl_crash.dump");
  return problems;
}

/** HTTP open to all; with a cluster, epmd and the distribution range only from the app's pods; nothing else. */
function networkPolicyCheck(m: Manifests, e: Expected): string[] {
  const np = one(m, "NetworkPolicy");
  const problems: string[] = [];
  if (JSON.stringify(get(np, "spec", "policyTypes")) !== JSON.stringify(["Ingress"])) problems.push("policyTypes is not [Ingress]");
  const rules = arr(get(np, "spec", "ingress")).map(obj);
  const http = { ports: [{ protocol: "TCP", port: e.httpPort }] };
  const distribution = {
    from: [{ podSelector: { matchLabels: { [NAME_LABEL]: e.name } } }],
    ports: [
      { protocol: "TCP", port: 4369 },
      { protocol: "TCP", port: 9100, endPort: 9155 },
    ],
  };
  const wanted = e.discovery ? [http, distribution] : [http];
  if (JSON.stringify(rules) !== JSON.stringify(wanted)) problems.push(`ingress ${JSON.stringify(rules)}, expected ${JSON.stringify(wanted)}`);
  return problems;
}

/** The manifest's values where they belong. */
function valuesCheck(m: Manifests, e: Expected): string[] {
  const problems: string[] = [];
  const w = workloadOf(m);
  const container = containerOf(w);
  const expect = (what: string, actual: unknown, wanted: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(wanted)) problems.push(`${what} is ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`);
  };
  const statefulSet = e.discovery === "static" || e.discovery === "epmd";
  expect("workload kind", w.kind, statefulSet ? "StatefulSet" : "Deployment");
  expect("workload name", w.metadata.name, e.name);
  expect("image", container.image, e.image);
  expect("description", get(w, "metadata", "annotations", "kubernetes.io/description"), e.description);
  expect("container ports", arr(container.ports), [
    { name: "http", containerPort: e.httpPort, protocol: "TCP" },
    ...(e.discovery ? [{ name: "epmd", containerPort: 4369, protocol: "TCP" }] : []),
  ]);
  expect("liveness", get(container, "livenessProbe", "httpGet"), { path: "/healthz", port: "http" });
  expect("startup", get(container, "startupProbe", "httpGet"), { path: "/healthz", port: "http" });
  expect("readiness", get(container, "readinessProbe", "httpGet"), { path: "/readyz", port: "http" });
  expect("resources", container.resources, { requests: { cpu: e.cpu, memory: e.memory }, limits: { cpu: e.cpu, memory: e.memory } });
  expect("Service ports", get(one(m, "Service", e.name), "spec", "ports"), [{ name: "http", port: e.httpPort, targetPort: "http", protocol: "TCP" }]);
  expect("PodDisruptionBudget", get(one(m, "PodDisruptionBudget"), "spec", "maxUnavailable"), 1);
  const hpa = byKind(m, "HorizontalPodAutoscaler")[0];
  if (statefulSet) {
    expect("StatefulSet replicas", get(w, "spec", "replicas"), e.replicas);
    if (hpa) problems.push("a StatefulSet with a fixed node list is autoscaled");
  } else {
    expect("autoscaler min", get(hpa, "spec", "minReplicas"), e.replicas);
    expect("autoscaler max", get(hpa, "spec", "maxReplicas"), 2 * e.replicas);
  }
  const data = obj(get(one(m, "ConfigMap"), "data"));
  const env = envOf(w);
  const envNames = env.map((v) => v.name);
  const headless = byKind(m, "Service").filter((s) => get(s, "spec", "clusterIP") === "None");
  const host = kubernetesHeadlessHost(e.app, e.namespace);
  const cluster: Json = {};
  if (e.discovery === "dns") Object.assign(cluster, { CLUSTER_DISCOVERY: "dns", CLUSTER_QUERY: host });
  if (statefulSet) Object.assign(cluster, { CLUSTER_DISCOVERY: e.discovery, CLUSTER_NODES: kubernetesStatefulNodes(e.app, e.namespace, e.replicas).join(",") });
  expect("ConfigMap data", data, { PORT: String(e.httpPort), BIND_ADDRESS: "0.0.0.0", ...cluster });
  if (!e.discovery) {
    if (headless.length > 0) problems.push("a headless Service without a cluster");
    if (envNames.includes("RELEASE_COOKIE")) problems.push("a cookie Secret without a cluster");
    return problems;
  }
  expect("headless Services", headless.map((s) => s.metadata.name), [`${e.name}-headless`]);
  expect("publishNotReadyAddresses", get(headless[0], "spec", "publishNotReadyAddresses"), true);
  expect("cookie", env.find((v) => v.name === "RELEASE_COOKIE")?.valueFrom, { secretKeyRef: { name: `${e.name}-cookie`, key: "cookie" } });
  expect("POD_IP", env.find((v) => v.name === "POD_IP")?.valueFrom, { fieldRef: { fieldPath: "status.podIP" } });
  if (statefulSet) {
    expect("serviceName", get(w, "spec", "serviceName"), `${e.name}-headless`);
    // Each pod's RELEASE_NODE, with $(POD_NAME) expanded as Kubernetes does, is the node CLUSTER_NODES lists.
    const template = String(env.find((v) => v.name === "RELEASE_NODE")?.value);
    const nodes = Array.from({ length: e.replicas }, (_, i) => template.replace("$(POD_NAME)", `${e.name}-${i}`));
    expect("RELEASE_NODE of each pod", nodes.join(","), data.CLUSTER_NODES);
  } else if (envNames.includes("RELEASE_NODE")) {
    problems.push("RELEASE_NODE set with dns discovery: nodes must be <app>@<pod IP>, the names DNS discovery builds");
  }
  return problems;
}

function allChecks(m: Manifests, e: Expected): string[] {
  return [...modelCheck(m), ...kustomizationCheck(m, e), ...wiringCheck(m, e), ...securityCheck(m), ...networkPolicyCheck(m, e), ...valuesCheck(m, e)];
}

// ---------------------------------------------------------------------------------------------------------------
// Manifests
// ---------------------------------------------------------------------------------------------------------------

const FIXTURE: Expected = {
  app: "ledger",
  name: "ledger",
  namespace: "ledger",
  version: "1.2.0",
  description: 'Double-entry ledger: "postings" & balances',
  image: "ghcr.io/acme/ledger:1.2.0",
  httpPort: 4000,
  replicas: 3,
  discovery: "dns",
  cpu: "500m",
  memory: "512Mi",
};

const ADVERSARIAL = 'Say "hi"\nto ${HOME} & \'$(whoami)\' # not a comment: {a: [b]}\n- item\n\ttab \\ end: yes';

function variant(opts: { app?: string; version?: string; description?: string; cluster?: string; http?: boolean; deploy?: string }): string {
  return [
    `[app]\nname = "${opts.app ?? "shop_front"}"\nversion = "${opts.version ?? "0.3.0"}"`,
    opts.description !== undefined ? `description = ${JSON.stringify(opts.description)}` : "",
    "\n[services.store]\n",
    opts.cluster ?? "",
    opts.http === false ? "" : "\n[http]\nport = 8080\n",
    `\n[deploy]\ntargets = ["kubernetes"]\n${opts.deploy ?? ""}`,
  ].join("\n");
}

const STATIC = `[cluster]
discovery = "static"
nodes = ["shop_front@shop-front-0.shop-front-headless.shop.svc.cluster.local"]
`;

describe("kubernetes target: the all-targets fixture", () => {
  const { files } = planFixture("deploy-targets");
  const m = manifestsOf(files);

  it("writes one object per file and a kustomization.yaml", () => {
    expect([...m.texts.keys()].sort()).toEqual(
      ["configmap.yaml", "deployment.yaml", "headless-service.yaml", "hpa.yaml", "kustomization.yaml", "networkpolicy.yaml", "pdb.yaml", "service.yaml"],
    );
    for (const [file, text] of m.texts) {
      expect(text.startsWith("# Generated by otpiser from otpiser.toml"), file).toBe(true);
      expect(parseAllDocuments(text)).toHaveLength(1);
    }
  });

  it("every object passes its published schema (kubernetes-models) with no unknown field", () => {
    expect(modelCheck(m)).toEqual([]);
    expect(new Set([...m.objects.values()].map((o) => `${o.apiVersion} ${o.kind}`))).toEqual(
      new Set(["v1 ConfigMap", "v1 Service", "apps/v1 Deployment", "policy/v1 PodDisruptionBudget", "autoscaling/v2 HorizontalPodAutoscaler", "networking.k8s.io/v1 NetworkPolicy"]),
    );
  });

  it("kustomization.yaml passes its schema and lists exactly the generated files", () => {
    expect(kustomizationCheck(m, FIXTURE)).toEqual([]);
  });

  it("the objects fit together: selectors, port names, ConfigMap, checksum, autoscaler target", () => {
    expect(wiringCheck(m, FIXTURE)).toEqual([]);
  });

  it("runs restricted: non-root, read-only root filesystem with a /tmp volume, no capabilities, RuntimeDefault seccomp", () => {
    expect(securityCheck(m)).toEqual([]);
  });

  it("the NetworkPolicy opens HTTP to all and Erlang distribution between the app's pods only", () => {
    expect(networkPolicyCheck(m, FIXTURE)).toEqual([]);
  });

  it("the fixture's values land where they belong (dns discovery: a Deployment under the autoscaler)", () => {
    expect(valuesCheck(m, FIXTURE)).toEqual([]);
    const w = workloadOf(m);
    // The shutdown budget of the supervision tree, not Kubernetes' default 30 s.
    expect(get(w, "spec", "template", "spec", "terminationGracePeriodSeconds")).toBeGreaterThanOrEqual(5);
  });

  const kubectl = (() => {
    try {
      execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it.skipIf(!kubectl)("kustomize (kubectl kustomize) builds the directory: every object, in the namespace", () => {
    const dir = mkdtempSync(join(tmpdir(), "otpiser-k8s-"));
    dirs.push(dir);
    mkdirSync(join(dir, "k"));
    for (const [file, text] of m.texts) writeFileSync(join(dir, "k", file), text);
    const out = execFileSync("kubectl", ["kustomize", join(dir, "k")], { encoding: "utf8" });
    const built = parseAllDocuments(out).map((d) => d.toJS() as K8sObject);
    expect(built.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([...m.objects.values()].map((o) => `${o.kind}/${o.metadata.name}`).sort());
    for (const o of built) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe("ledger");
    for (const o of built) expect(modelProblems(o)).toEqual([]);
  });
});

describe("kubernetes target: variants", () => {
  it("static discovery: a StatefulSet whose pods' node names are CLUSTER_NODES, not autoscaled", () => {
    const toml = variant({ cluster: STATIC, deploy: 'replicas = 3\nnamespace = "shop"\nimage = "registry.example.com/shop:0.3.0"\ncpu_millis = 250\nmemory_mb = 256\n' });
    const { files } = planToml(toml);
    const m = manifestsOf(files);
    const e: Expected = {
      app: "shop_front",
      name: "shop-front",
      namespace: "shop",
      version: "0.3.0",
      description: "ShopFront, generated by otpiser",
      image: "registry.example.com/shop:0.3.0",
      httpPort: 8080,
      replicas: 3,
      discovery: "static",
      cpu: "250m",
      memory: "256Mi",
    };
    expect(allChecks(m, e)).toEqual([]);
    expect([...m.objects.keys()]).toContain("statefulset.yaml");
    expect([...m.objects.keys()]).not.toContain("hpa.yaml");
    expect(obj(get(one(m, "ConfigMap"), "data")).CLUSTER_NODES).toBe(
      [0, 1, 2].map((i) => `shop_front@shop-front-${i}.shop-front-headless.shop.svc.cluster.local`).join(","),
    );
    expect(get(workloadOf(m), "spec", "podManagementPolicy")).toBe("Parallel");
    // The manifest lists one node; Kubernetes names three: W112, with the names to use.
    const w112 = check({ path: "otpiser.toml", text: toml }).diagnostics.filter((d) => d.code === "W112");
    expect(w112).toHaveLength(1);
    expect(w112[0]!.hint).toContain('"shop_front@shop-front-2.shop-front-headless.shop.svc.cluster.local"');
  });

  it("epmd discovery runs the same StatefulSet, with CLUSTER_DISCOVERY=epmd", () => {
    const { files } = planToml(variant({ cluster: '[cluster]\ndiscovery = "epmd"\nnodes = ["a@h"]\n' }));
    const m = manifestsOf(files);
    expect(allChecks(m, { ...base("shop_front"), discovery: "epmd" })).toEqual([]);
    expect(obj(get(one(m, "ConfigMap"), "data")).CLUSTER_DISCOVERY).toBe("epmd");
  });

  it("without a cluster: no headless Service, no cookie, HTTP only in the NetworkPolicy", () => {
    const { files } = planToml(variant({}));
    const m = manifestsOf(files);
    expect(allChecks(m, base("shop_front"))).toEqual([]);
    expect([...m.objects.keys()].sort()).toEqual(["configmap.yaml", "deployment.yaml", "hpa.yaml", "networkpolicy.yaml", "pdb.yaml", "service.yaml"]);
    expect(arr(get(one(m, "NetworkPolicy"), "spec", "ingress"))).toHaveLength(1);
    expect(fileOf(files, `${KUBERNETES_DIR}/kustomization.yaml`)).not.toContain("secret");
  });

  it("an adversarial description and a version with build metadata stay data", () => {
    const { files } = planToml(variant({ description: ADVERSARIAL, version: "1.0.0-rc.1+build.5", deploy: 'image = "shop-front:1.0.0-rc.1"\n' }));
    const m = manifestsOf(files);
    const e = { ...base("shop_front"), description: ADVERSARIAL, version: "1.0.0-rc.1+build.5", image: "shop-front:1.0.0-rc.1" };
    expect(allChecks(m, e)).toEqual([]);
    expect(obj(workloadOf(m).metadata.labels)[VERSION_LABEL]).toBe("1.0.0-rc.1_build.5");
  });

  it("dns discovery with another query: Kubernetes' headless name wins, W112 says so and names the namespace to set", () => {
    const toml = variant({ cluster: '[cluster]\ndiscovery = "dns"\nquery = "shop-front-headless.default.svc.cluster.local"\n' });
    const m = manifestsOf(planToml(toml).files);
    expect(allChecks(m, { ...base("shop_front"), discovery: "dns" })).toEqual([]);
    const w112 = check({ path: "otpiser.toml", text: toml }).diagnostics.filter((d) => d.code === "W112");
    expect(w112.map((d) => d.hint)).toEqual(['set `namespace = "default"` in [deploy] to use the same name everywhere']);
    // With that namespace, no warning.
    const fixed = variant({ cluster: '[cluster]\ndiscovery = "dns"\nquery = "shop-front-headless.default.svc.cluster.local"\n', deploy: 'namespace = "default"\n' });
    expect(check({ path: "otpiser.toml", text: fixed }).diagnostics).toEqual([]);
  });

  it("an app name too long for Kubernetes names is E029", () => {
    const long = `a${"b".repeat(52)}`;
    const result = check({ path: "otpiser.toml", text: variant({ app: long, cluster: STATIC }) });
    expect(result.diagnostics.map((d) => d.code)).toEqual(["E029"]);
    expect(check({ path: "otpiser.toml", text: variant({ app: long }) }).ok).toBe(true);
  });

  it("documents what it honours and ignores", () => {
    expect(kubernetesTarget.summary).not.toMatch(/not generated/);
    expect(kubernetesTarget.honours.length).toBeGreaterThan(5);
    expect(kubernetesTarget.ignores.join(" ")).toMatch(/\[cluster\] query/);
  });
});

function base(app: string): Expected {
  const name = app.replace(/_/g, "-");
  return {
    app,
    name,
    namespace: name,
    version: "0.3.0",
    description: "ShopFront, generated by otpiser",
    image: `${name}:0.3.0`,
    httpPort: 8080,
    replicas: 1,
    discovery: null,
    cpu: "500m",
    memory: "512Mi",
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Every check can fail
// ---------------------------------------------------------------------------------------------------------------

describe("kubernetes checks catch broken manifests", () => {
  const fresh = (): Manifests => manifestsOf(planFixture("deploy-targets").files);
  const edit = (m: Manifests, file: string, change: (o: Json) => void): Manifests => {
    change(m.objects.get(file) as Json);
    return m;
  };

  it("YAML: a duplicate key, a second document, or a value YAML 1.1 reads differently", () => {
    expect(() => parseOneYaml("a: 1\na: 2\n", "dup.yaml")).toThrow(/unique|duplicate/i);
    expect(() => parseOneYaml("a: 1\n---\nb: 2\n", "two.yaml")).toThrow(/2 YAML documents/);
    expect(() => parseOneYaml("enabled: on\n", "bool.yaml")).toThrow(/YAML 1.1/);
  });

  it("the model rejects a wrong type and a missing required field", () => {
    const m = edit(fresh(), "deployment.yaml", (o) => {
      obj(o.spec).minReadySeconds = "10";
    });
    expect(modelCheck(m).join()).toMatch(/deployment.yaml: schema: .*minReadySeconds/);
    const m2 = edit(fresh(), "service.yaml", (o) => {
      delete obj(arr(obj(o.spec).ports)[0]).port;
    });
    expect(modelCheck(m2).join()).toMatch(/service.yaml: schema: .*port/);
  });

  it("the strictness check rejects a typo'd field the model alone accepts", () => {
    const m = edit(fresh(), "deployment.yaml", (o) => {
      const c = obj(arr(get(o, "spec", "template", "spec", "containers"))[0]);
      c.readinesProbe = c.readinessProbe;
      delete c.readinessProbe;
    });
    expect(modelCheck(m)).toEqual(["deployment.yaml: unknown field /spec/template/spec/containers/0/readinesProbe"]);
    const m2 = edit(fresh(), "networkpolicy.yaml", (o) => {
      obj(o.spec).egres = [];
    });
    expect(modelCheck(m2)).toEqual(["networkpolicy.yaml: unknown field /spec/egres"]);
  });

  it("the kustomization schema and rules reject an unknown key, a wrong apiVersion, a missing or extra resource", () => {
    const m = fresh();
    m.kustomization.resource = m.kustomization.resources;
    expect(kustomizationCheck(m, FIXTURE).join()).toMatch(/additional properties/);
    const m2 = fresh();
    m2.kustomization.apiVersion = "kustomize.config.k8s.io/v1";
    expect(kustomizationCheck(m2, FIXTURE).join()).toMatch(/apiVersion/);
    const m3 = fresh();
    m3.kustomization.resources = arr(m3.kustomization.resources).filter((r) => r !== "pdb.yaml");
    expect(kustomizationCheck(m3, FIXTURE).join()).toMatch(/are not the files/);
    const m4 = fresh();
    m4.kustomization.resources = [...arr(m4.kustomization.resources), "secret.yaml"];
    expect(kustomizationCheck(m4, FIXTURE).join()).toMatch(/are not the files/);
    expect(kustomizationCheck(fresh(), { ...FIXTURE, namespace: "other" }).join()).toMatch(/namespace/);
  });

  it("the wiring check catches a selector with the version, a wrong port name, a stale checksum, replicas beside the autoscaler", () => {
    const version = edit(fresh(), "pdb.yaml", (o) => {
      obj(get(o, "spec", "selector", "matchLabels"))[VERSION_LABEL] = "1.2.0";
    });
    expect(wiringCheck(version, FIXTURE).join()).toMatch(/PodDisruptionBudget selects by/);
    const port = edit(fresh(), "service.yaml", (o) => {
      obj(arr(get(o, "spec", "ports"))[0]).targetPort = "web";
    });
    expect(wiringCheck(port, FIXTURE).join()).toMatch(/targets port web/);
    const stale = edit(fresh(), "configmap.yaml", () => undefined);
    stale.texts.set("configmap.yaml", `${stale.texts.get("configmap.yaml")}# edited\n`);
    expect(wiringCheck(stale, FIXTURE).join()).toMatch(/checksum/);
    const replicas = edit(fresh(), "deployment.yaml", (o) => {
      obj(o.spec).replicas = 3;
    });
    expect(wiringCheck(replicas, FIXTURE).join()).toMatch(/replicas beside an autoscaler/);
  });

  it("the security check catches a writable root filesystem and a kept capability", () => {
    const m = edit(fresh(), "deployment.yaml", (o) => {
      const c = obj(arr(get(o, "spec", "template", "spec", "containers"))[0]);
      obj(c.securityContext).readOnlyRootFilesystem = false;
      obj(c.securityContext).capabilities = { drop: ["ALL"], add: ["NET_ADMIN"] };
    });
    expect(securityCheck(m)).toHaveLength(2);
  });

  it("the NetworkPolicy check catches distribution open to all pods", () => {
    const m = edit(fresh(), "networkpolicy.yaml", (o) => {
      delete obj(arr(get(o, "spec", "ingress"))[1]).from;
    });
    expect(networkPolicyCheck(m, FIXTURE)).toHaveLength(1);
  });

  it("the values check catches another image, a cookie in plain text, the wrong query", () => {
    const m = edit(fresh(), "deployment.yaml", (o) => {
      const c = obj(arr(get(o, "spec", "template", "spec", "containers"))[0]);
      c.image = "ledger:latest";
      obj(arr(c.env).map(obj).find((v) => v.name === "RELEASE_COOKIE")).valueFrom = undefined;
    });
    expect(valuesCheck(m, FIXTURE).join()).toMatch(/image.*cookie/s);
    const q = edit(fresh(), "configmap.yaml", (o) => {
      obj(o.data).CLUSTER_QUERY = "ledger-headless.default.svc.cluster.local";
    });
    expect(valuesCheck(q, FIXTURE).join()).toMatch(/ConfigMap data/);
  });
});
