import { Application } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Service } from "kubernetes-models/v1/Service";
import { parseAllDocuments } from "yaml";

/**
 * Kubernetes and Argo CD objects checked against the published schemas of `kubernetes-models` /
 * `@kubernetes-models/argo-cd` (the OpenAPI of the API server and the Argo CD CRDs, compiled to validators), plus
 * the strictness those packages lack: the API server rejects unknown fields (`kubectl apply` is
 * `--validate=strict` by default), the packages' validators accept them.
 *
 * Strictness without a second copy of the schemas: the compiled validator reads every property its schema
 * declares by name (`data.replicas`), and enumerates the keys of free-form maps (labels, ConfigMap data). The object
 * is validated through proxies that record both; a key the validator neither read nor enumerated is not in the
 * schema, i.e. a typo or an invented field.
 */

interface Validator {
  prototype: { validate(this: unknown): void };
}

/** The models for every `apiVersion` + `kind` the kubernetes and argocd targets write. */
export const MODELS: Record<string, Validator> = {
  "apps/v1 Deployment": Deployment,
  "apps/v1 StatefulSet": StatefulSet,
  "v1 Service": Service,
  "v1 ConfigMap": ConfigMap,
  "policy/v1 PodDisruptionBudget": PodDisruptionBudget,
  "autoscaling/v2 HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "networking.k8s.io/v1 NetworkPolicy": NetworkPolicy,
  "argoproj.io/v1alpha1 Application": Application,
};

export type K8sObject = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string } & Record<string, unknown> };

/**
 * One YAML document, parsed with duplicate keys and any warning an error, as YAML 1.2 and as YAML 1.1 — the
 * dialect of go-yaml, which kubectl, kustomize and Argo CD read with (`on` is true there, `1.10` a float): a file
 * that reads differently in the two is an error.
 */
export function parseOneYaml(text: string, path: string): unknown {
  const read = (version: "1.1" | "1.2"): unknown => {
    const docs = parseAllDocuments(text, { version, uniqueKeys: true, strict: true, prettyErrors: true });
    if (!Array.isArray(docs)) throw new Error(`${path}: no YAML document`);
    if (docs.length !== 1) throw new Error(`${path}: ${docs.length} YAML documents, expected exactly one`);
    const doc = docs[0]!;
    const problems = [...doc.errors, ...doc.warnings].map((e) => e.message);
    if (problems.length > 0) throw new Error(`${path}: ${problems.join("; ")}`);
    return doc.toJS();
  };
  const value = read("1.2");
  if (JSON.stringify(read("1.1")) !== JSON.stringify(value)) throw new Error(`${path}: reads differently as YAML 1.1 (go-yaml)`);
  return value;
}

/** Why `obj` is not a valid object of its kind: schema errors, then unknown fields; [] when it is valid. */
export function modelProblems(obj: unknown): string[] {
  if (obj === null || typeof obj !== "object") return ["not an object"];
  const { apiVersion, kind } = obj as { apiVersion?: unknown; kind?: unknown };
  const model = MODELS[`${String(apiVersion)} ${String(kind)}`];
  if (!model) return [`no model for apiVersion ${String(apiVersion)} kind ${String(kind)}`];
  const unread = new Map<string, Set<string>>();
  const enumerated = new Set<string>();
  const problems: string[] = [];
  try {
    model.prototype.validate.call(tracked(obj, "", unread, enumerated));
  } catch (e) {
    problems.push(`schema: ${(e as Error).message}`);
  }
  const unknown: string[] = [];
  for (const [path, keys] of unread) {
    if (enumerated.has(path)) continue;
    for (const key of keys) unknown.push(`${path}/${key}`);
  }
  // Below an unknown field nothing is read: report the field, not each of its keys.
  for (const path of unknown) if (!unknown.some((u) => path.startsWith(`${u}/`))) problems.push(`unknown field ${path}`);
  return problems;
}

/** A proxy of `value` (deeply) that removes each key from `unread` when read, and records enumerated objects. */
function tracked(value: unknown, path: string, unread: Map<string, Set<string>>, enumerated: Set<string>): unknown {
  if (value === null || typeof value !== "object") return value;
  const source = value as Record<string, unknown>;
  const keys = new Set(Object.keys(source));
  if (!Array.isArray(value)) unread.set(path, keys);
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
  for (const key of Object.keys(source)) (copy as Record<string, unknown>)[key] = tracked(source[key], `${path}/${key}`, unread, enumerated);
  return new Proxy(copy, {
    get(target, key, receiver) {
      if (typeof key === "string") keys.delete(key);
      return Reflect.get(target, key, receiver) as unknown;
    },
    has(target, key) {
      if (typeof key === "string") keys.delete(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      enumerated.add(path);
      return Reflect.ownKeys(target);
    },
  });
}
