import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { DEFAULT_IMAGE_VERSIONS } from "../../src/manifest/validate-deploy.js";
import { check } from "../../src/pipeline.js";
import { GITHUB_RUNNER, GITHUB_WORKFLOW, githubWorkflow } from "../../src/plan/ci/github.js";
import { GITLAB_PIPELINE, gitlabPipeline } from "../../src/plan/ci/gitlab.js";
import { buildContext } from "../../src/plan/context.js";
import { buildDeployContext, type DeployContext } from "../../src/plan/deploy/context.js";
import { fileOf, planFixture, planToml, ROOT } from "./helpers.js";

// ---------------------------------------------------------------------------------------------------------------
// What a manifest should produce in CI, and the checks: each returns the list of what is wrong (empty when right),
// so that the negative cases below can prove every check fails on a broken file.
// ---------------------------------------------------------------------------------------------------------------

interface Expected {
  app: string;
  version: string;
  otp: string;
  elixir: string;
  debian: string;
  /** The image the docker job builds, when `docker` is a target. */
  dockerImage?: string;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * Parses YAML strictly (duplicate keys, tabs and any warning fail) and also as YAML 1.1, which GitLab's Ruby parser
 * (Psych) speaks: a scalar that reads differently there (`yes` as true, `1:30` as 90, `.` as NaN) is an error.
 */
function parseYaml(text: string, renameKeys1_1: Record<string, string> = {}): Json {
  const doc = parseDocument(text, { strict: true, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0 || doc.warnings.length > 0) throw new Error([...doc.errors, ...doc.warnings].map(String).join("\n"));
  const data = obj(doc.toJS());
  const as1_1 = obj(parseDocument(text, { version: "1.1" }).toJS());
  for (const [from, to] of Object.entries(renameKeys1_1)) {
    if (from in as1_1) {
      as1_1[to] = as1_1[from];
      delete as1_1[from];
    }
  }
  expect(as1_1, "the YAML reads the same as YAML 1.1").toEqual(data);
  return data;
}

/** YAML 1.1 reads the key `on` as true; GitHub, like YAML 1.2, reads `on`. */
const parseWorkflow = (text: string): Json => parseYaml(text, { true: "on" });

// --- GitHub Actions -------------------------------------------------------------------------------------------

/** Each action the workflow may use, at the major version it pins, with the inputs its action.yml declares. */
const ACTIONS: Record<string, { inputs: string[]; required: string[] }> = {
  "actions/checkout@v4": {
    inputs: ["repository", "ref", "token", "ssh-key", "ssh-known-hosts", "ssh-strict", "ssh-user", "persist-credentials", "path", "clean", "filter", "sparse-checkout", "sparse-checkout-cone-mode", "fetch-depth", "fetch-tags", "show-progress", "lfs", "submodules", "set-safe-directory", "github-server-url"],
    required: [],
  },
  "erlef/setup-beam@v1": {
    inputs: ["otp-version", "elixir-version", "gleam-version", "rebar3-version", "install-hex", "install-rebar", "version-type", "version-file", "disable_problem_matchers", "hexpm-mirrors", "github-token"],
    required: ["otp-version"],
  },
  "actions/cache@v4": {
    inputs: ["path", "key", "restore-keys", "upload-chunk-size", "enableCrossOsArchive", "fail-on-cache-miss", "lookup-only", "save-always"],
    required: ["path", "key"],
  },
  "actions/upload-artifact@v4": {
    inputs: ["name", "path", "if-no-files-found", "retention-days", "compression-level", "overwrite", "include-hidden-files"],
    required: ["path"],
  },
  "docker/setup-buildx-action@v3": {
    inputs: ["version", "driver", "driver-opts", "buildkitd-flags", "buildkitd-config", "buildkitd-config-inline", "install", "use", "name", "endpoint", "platforms", "append", "cache-binary", "cleanup", "keep-state"],
    required: [],
  },
  "docker/build-push-action@v6": {
    inputs: ["add-hosts", "allow", "annotations", "attests", "build-args", "build-contexts", "builder", "cache-from", "cache-to", "call", "cgroup-parent", "context", "file", "labels", "load", "network", "no-cache", "no-cache-filters", "outputs", "platforms", "provenance", "pull", "push", "sbom", "secrets", "secret-envs", "secret-files", "shm-size", "ssh", "tags", "target", "ulimit", "github-token"],
    required: [],
  },
};

const steps = (job: Json): Json[] => arr(job.steps).map(obj);
const runs = (job: Json): string[] => steps(job).flatMap((s) => (typeof s.run === "string" ? [s.run] : []));
const usesOf = (job: Json, action: string): Json[] => steps(job).filter((s) => s.uses === action);

/** The rule checks of the workflow, beyond its schema: commands, versions, cache keys, artifact, permissions. */
function githubRuleErrors(wf: Json, want: Expected): string[] {
  const errors: string[] = [];
  const fail = (cond: boolean, what: string) => {
    if (!cond) errors.push(what);
  };
  const jobs = obj(wf.jobs);
  fail(JSON.stringify(wf.permissions) === JSON.stringify({ contents: "read" }), "permissions must be exactly contents: read");
  fail(JSON.stringify(wf.on) === JSON.stringify(["push", "pull_request"]), "runs on push and pull_request");
  const concurrency = obj(wf.concurrency);
  fail(concurrency["cancel-in-progress"] === true && String(concurrency.group).includes("${{ github.ref }}"), "superseded runs of a ref are cancelled");
  const expectedJobs = want.dockerImage === undefined ? ["release", "test"] : ["docker", "release", "test"];
  fail(JSON.stringify(Object.keys(jobs).sort()) === JSON.stringify(expectedJobs), `jobs are ${expectedJobs.join(", ")}, found ${Object.keys(jobs).join(", ")}`);

  for (const [name, raw] of Object.entries(jobs)) {
    const job = obj(raw);
    fail(job["runs-on"] === GITHUB_RUNNER, `${name}: runs on ${GITHUB_RUNNER}`);
    fail(typeof job["timeout-minutes"] === "number", `${name}: has a timeout`);
    fail(steps(job)[0]?.uses === "actions/checkout@v4", `${name}: checks out first`);
    for (const step of steps(job)) {
      if (typeof step.uses !== "string") continue;
      const action = ACTIONS[step.uses];
      if (!action) {
        errors.push(`${name}: unknown or unpinned action ${step.uses}`);
        continue;
      }
      const inputs = Object.keys(obj(step.with));
      for (const input of inputs) fail(action.inputs.includes(input), `${name}: ${step.uses} has no input ${input}`);
      for (const input of action.required) fail(inputs.includes(input), `${name}: ${step.uses} needs ${input}`);
    }
    const mixEnv = obj(job.env).MIX_ENV;
    for (const beam of usesOf(job, "erlef/setup-beam@v1")) {
      const w = obj(beam.with);
      fail(w["otp-version"] === want.otp && w["elixir-version"] === want.elixir, `${name}: setup-beam installs OTP ${want.otp} and Elixir ${want.elixir}`);
      fail(w["version-type"] === "strict", `${name}: setup-beam versions are strict`);
    }
    for (const cache of usesOf(job, "actions/cache@v4")) {
      const w = obj(cache.with);
      const prefix = `mix-${String(mixEnv)}-${GITHUB_RUNNER}-otp-${want.otp}-elixir-${want.elixir}-`;
      fail(w.key === `${prefix}\${{ hashFiles('mix.lock') }}`, `${name}: cache key is ${prefix} + hashFiles('mix.lock'), found ${String(w.key)}`);
      fail(String(w["restore-keys"]).trim() === prefix, `${name}: restores from the same OS, OTP, Elixir and MIX_ENV only`);
      fail(JSON.stringify(String(w.path).trim().split("\n")) === JSON.stringify(["deps", "_build"]), `${name}: caches deps and _build`);
    }
  }

  const test = obj(jobs.test);
  fail(obj(test.env).MIX_ENV === "test", "test: MIX_ENV=test");
  fail(usesOf(test, "erlef/setup-beam@v1").length === 1 && usesOf(test, "actions/cache@v4").length === 1, "test: sets up BEAM and the cache");
  fail(
    JSON.stringify(runs(test)) === JSON.stringify(["mix deps.get", "mix format --check-formatted", "mix compile --force --warnings-as-errors", "mix test"]),
    `test: runs deps.get, format --check-formatted, compile --force --warnings-as-errors, test; found ${JSON.stringify(runs(test))}`,
  );

  const release = obj(jobs.release);
  const tarball = `${want.app}-${want.version}.tar.gz`;
  fail(release.needs === "test", "release: needs test");
  fail(obj(release.env).MIX_ENV === "prod", "release: MIX_ENV=prod");
  fail(
    JSON.stringify(runs(release)) === JSON.stringify(["mix deps.get --only prod", "mix release --overwrite", `tar -czf ${tarball} -C _build/prod/rel ${want.app}`]),
    `release: fetches prod deps, builds the release and archives _build/prod/rel/${want.app}; found ${JSON.stringify(runs(release))}`,
  );
  const upload = obj(usesOf(release, "actions/upload-artifact@v4")[0]?.with);
  fail(upload.path === tarball && upload.name === `${want.app}-${want.version}` && upload["if-no-files-found"] === "error", "release: uploads the tarball it made");

  if (want.dockerImage !== undefined) {
    const docker = obj(jobs.docker);
    fail(docker.needs === "test", "docker: needs test");
    fail(usesOf(docker, "docker/setup-buildx-action@v3").length === 1, "docker: sets up Buildx (the gha cache needs it)");
    const build = obj(usesOf(docker, "docker/build-push-action@v6")[0]?.with);
    fail(build.tags === want.dockerImage && build.push === false && build.context === ".", `docker: builds the checkout tagged ${want.dockerImage}, without pushing`);
  }
  return errors;
}

// --- GitLab CI ------------------------------------------------------------------------------------------------

const gitlabSchema = JSON.parse(readFileSync(join(ROOT, "test", "deploy", "schemas", "gitlab-ci.schema.json"), "utf8")) as object;
// Strict, but for `required` inside `anyOf` ("one of these keywords"), which strictRequired cannot see through.
const validateGitlab = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(gitlabSchema);
const GITLAB_KEYWORDS = new Set(["stages", "variables", "default", "workflow", "include", "image", "services", "cache", "before_script", "after_script", "types"]);

/** GitLab's `extends`: hashes merge deeply, anything else (arrays, scalars) is replaced by the extending job's. */
function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = b && typeof b === "object" && !Array.isArray(b) && v && typeof v === "object" && !Array.isArray(v) ? deepMerge(b as Json, v as Json) : v;
  }
  return out;
}

function resolveJob(ci: Json, name: string, seen: string[] = []): Json {
  const job = obj(ci[name]);
  if (seen.includes(name)) throw new Error(`extends cycle: ${[...seen, name].join(" → ")}`);
  const parents = job.extends === undefined ? [] : [job.extends].flat().map(String);
  const base = parents.reduce<Json>((acc, parent) => deepMerge(acc, resolveJob(ci, parent, [...seen, name])), {});
  const { extends: _extends, ...own } = job;
  return deepMerge(base, own);
}

const script = (job: Json): string[] => arr(job.script).map(String);

/** The rule checks of the pipeline, beyond its schema: stages, extends, image, commands, cache keys, artifact. */
function gitlabRuleErrors(ci: Json, want: Expected): string[] {
  const errors: string[] = [];
  const fail = (cond: boolean, what: string) => {
    if (!cond) errors.push(what);
  };
  const stages = arr(ci.stages).map(String);
  fail(JSON.stringify(stages) === JSON.stringify(["test", "release"]), "stages are test, release");
  fail(obj(ci.default).interruptible === true, "jobs are interruptible (auto-cancel of redundant pipelines)");
  const jobNames = Object.keys(ci).filter((k) => !GITLAB_KEYWORDS.has(k) && !k.startsWith("."));
  const expectedJobs = want.dockerImage === undefined ? ["release", "test"] : ["docker", "release", "test"];
  fail(JSON.stringify([...jobNames].sort()) === JSON.stringify(expectedJobs), `jobs are ${expectedJobs.join(", ")}, found ${jobNames.join(", ")}`);
  for (const name of Object.keys(ci).filter((k) => !GITLAB_KEYWORDS.has(k))) {
    for (const parent of [obj(ci[name]).extends ?? []].flat().map(String)) {
      fail(parent.startsWith(".") && parent in ci, `${name}: extends ${parent}, which must be a hidden job of this file`);
    }
  }
  const resolved = new Map(jobNames.filter((n) => expectedJobs.includes(n)).map((n) => [n, resolveJob(ci, n)]));
  for (const [name, job] of resolved) {
    fail(stages.includes(String(job.stage)), `${name}: stage ${String(job.stage)} is one of the declared stages`);
    fail(script(job).length > 0 && typeof job.image === "string", `${name}: has an image and a script`);
  }

  const builderImage = `hexpm/elixir:${want.elixir}-erlang-${want.otp}-debian-${want.debian}`;
  const tag = builderImage.slice(builderImage.indexOf(":") + 1);
  for (const [name, env] of [["test", "test"], ["release", "prod"]] as const) {
    const job = resolved.get(name) ?? {};
    fail(job.image === builderImage, `${name}: runs in ${builderImage}`);
    fail(obj(job.variables).MIX_ENV === env && obj(job.variables).LANG === "C.UTF-8", `${name}: MIX_ENV=${env}, UTF-8 locale`);
    fail(
      JSON.stringify(arr(job.before_script)) === JSON.stringify(["mix local.hex --force", "mix local.rebar --force", 'mix deps.get --only "$MIX_ENV"']),
      `${name}: installs Hex and rebar, fetches the deps of its MIX_ENV`,
    );
    const cache = obj(job.cache);
    const key = obj(cache.key);
    fail(key.prefix === `mix-${env}-${tag}` && JSON.stringify(key.files) === JSON.stringify(["mix.lock"]), `${name}: cache keyed on mix-${env}-${tag} and mix.lock, found ${JSON.stringify(key)}`);
    fail(JSON.stringify(cache.paths) === JSON.stringify(["deps/", "_build/"]), `${name}: caches deps and _build`);
  }
  const test = resolved.get("test") ?? {};
  fail(test.stage === "test", "test: in stage test");
  fail(
    JSON.stringify(script(test)) === JSON.stringify(["mix format --check-formatted", "mix compile --force --warnings-as-errors", "mix test"]),
    `test: format --check-formatted, compile --force --warnings-as-errors, test; found ${JSON.stringify(script(test))}`,
  );
  const release = resolved.get("release") ?? {};
  const tarball = `${want.app}-${want.version}.tar.gz`;
  fail(release.stage === "release", "release: in stage release");
  fail(
    JSON.stringify(script(release)) === JSON.stringify(["mix release --overwrite", `tar -czf ${tarball} -C _build/prod/rel ${want.app}`]),
    `release: builds the release and archives _build/prod/rel/${want.app}; found ${JSON.stringify(script(release))}`,
  );
  const artifacts = obj(release.artifacts);
  fail(JSON.stringify(artifacts.paths) === JSON.stringify([tarball]) && artifacts.name === `${want.app}-${want.version}`, "release: keeps the tarball it made");

  if (want.dockerImage !== undefined) {
    const docker = resolved.get("docker") ?? {};
    const cli = /^docker:(\d+)-cli$/.exec(String(docker.image));
    fail(docker.stage === "release", "docker: in stage release");
    fail(cli !== null && JSON.stringify(docker.services) === JSON.stringify([`docker:${cli[1]}-dind`]), "docker: the CLI image with a dind service of the same major version");
    fail(obj(docker.variables).DOCKER_TLS_CERTDIR === "/certs", "docker: TLS between the CLI and the dind daemon");
    fail(script(docker).length === 1 && JSON.stringify(shellWords(script(docker)[0] ?? "")) === JSON.stringify(["build", "--tag", want.dockerImage, "."]), `docker: builds . tagged ${want.dockerImage}`);
  }
  return errors;
}

// --- Shell -----------------------------------------------------------------------------------------------------

/** `sh -n`: each command line parses as POSIX shell (dash). */
function shellSyntaxErrors(lines: string[]): string[] {
  return lines.flatMap((line) => {
    try {
      execFileSync("sh", ["-n", "-c", line], { stdio: "pipe" });
      return [];
    } catch (e) {
      return [`${line}: ${String((e as { stderr?: Buffer }).stderr ?? e)}`];
    }
  });
}

/** The arguments a `docker …` line passes, as the shell splits and unquotes them (docker is a stub printing them). */
function shellWords(line: string): string[] {
  const out = execFileSync("sh", ["-c", `docker() { for a in "$@"; do printf '%s\\0' "$a"; done; }\n${line}`], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: "/nonexistent" } });
  return out.split("\0").slice(0, -1);
}

// --- Whole files ----------------------------------------------------------------------------------------------

function checkGithub(text: string, want: Expected): Json {
  expect(validateWorkflow(text).errors, "action-validator (SchemaStore workflow schema)").toEqual([]);
  const wf = parseWorkflow(text);
  expect(githubRuleErrors(wf, want)).toEqual([]);
  expect(shellSyntaxErrors(Object.values(obj(wf.jobs)).flatMap((j) => runs(obj(j))))).toEqual([]);
  return wf;
}

function checkGitlab(text: string, want: Expected): Json {
  const ci = parseYaml(text);
  expect(validateGitlab(ci) ? [] : validateGitlab.errors, "the .gitlab-ci.yml schema").toEqual([]);
  expect(gitlabRuleErrors(ci, want)).toEqual([]);
  const lines = Object.keys(ci).filter((k) => !GITLAB_KEYWORDS.has(k)).flatMap((k) => [...arr(obj(ci[k]).before_script), ...script(obj(ci[k]))].map(String));
  expect(shellSyntaxErrors(lines)).toEqual([]);
  return ci;
}

const LEDGER: Expected = { app: "ledger", version: "1.2.0", otp: "25.3.1", elixir: "1.14.4", debian: "bullseye-20230227-slim", dockerImage: "ghcr.io/acme/ledger:1.2.0" };

function deployContextOf(toml: string): DeployContext {
  const result = check({ path: "otpiser.toml", text: toml });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return buildDeployContext(buildContext(result.manifest!, result.topology!, "0.0.0-test"));
}

/** The smallest manifest: one gen_server, no [deploy] and no [ci] until a test appends them. */
const minimal = (app = "shop") => `[app]
name = "${app}"
module = "${app.split("_").map((w) => w[0]!.toUpperCase() + w.slice(1)).join("")}"
version = "0.3.0"

[services.cart]
`;

// ---------------------------------------------------------------------------------------------------------------

/** The deploy-targets fixture's files, planned once on first use (inside a test, so a failure stays there). */
let fixtureFiles: Map<string, string> | undefined;
const ledgerFiles = (): Map<string, string> => (fixtureFiles ??= planFixture("deploy-targets").files);

describe("CI: the deploy-targets fixture (clustered, docker target, both providers)", () => {
  it("GitHub Actions: action-validator finds no error; commands, versions, cache keys, artifact and docker job hold", () => {
    const wf = checkGithub(fileOf(ledgerFiles(), GITHUB_WORKFLOW), LEDGER);
    expect(obj(obj(wf.jobs).docker)).not.toEqual({});
  });

  it("GitLab CI: the schema and the rule checks hold; the jobs run in the Dockerfile's builder image", () => {
    const ci = checkGitlab(fileOf(ledgerFiles(), GITLAB_PIPELINE), LEDGER);
    expect(obj(ci[".mix"]).image).toBe("hexpm/elixir:1.14.4-erlang-25.3.1-debian-bullseye-20230227-slim");
  });

  it("says why the cluster test needs nothing more, only when [cluster] is set", () => {
    expect(fileOf(ledgerFiles(), GITHUB_WORKFLOW)).toMatch(/three-node cluster test/);
    expect(fileOf(ledgerFiles(), GITLAB_PIPELINE)).toMatch(/three-node cluster test/);
  });

  it("the docker jobs build the Dockerfile of the docker target", () => {
    expect(ledgerFiles().has("Dockerfile"), "the docker target writes ./Dockerfile, the file both jobs build").toBe(true);
  });
});

describe("CI: manifest variants", () => {
  it("[ci] without [deploy]: the default versions, no docker job, no release configuration files", () => {
    const { files } = planToml(`${minimal()}\n[ci]\nproviders = ["github", "gitlab"]\n`);
    const want: Expected = { app: "shop", version: "0.3.0", otp: DEFAULT_IMAGE_VERSIONS.otp, elixir: DEFAULT_IMAGE_VERSIONS.elixir, debian: DEFAULT_IMAGE_VERSIONS.debian };
    checkGithub(fileOf(files, GITHUB_WORKFLOW), want);
    checkGitlab(fileOf(files, GITLAB_PIPELINE), want);
    expect(fileOf(files, GITHUB_WORKFLOW)).not.toMatch(/docker|cluster/i);
    expect(fileOf(files, GITLAB_PIPELINE)).not.toMatch(/dind|cluster/i);
    expect(files.has("rel/env.sh.eex")).toBe(false);
  });

  it("one provider writes only its own file", () => {
    const gitlabOnly = planToml(`${minimal()}\n[ci]\nproviders = ["gitlab"]\n`).files;
    expect(gitlabOnly.has(GITLAB_PIPELINE)).toBe(true);
    expect(gitlabOnly.has(GITHUB_WORKFLOW)).toBe(false);
    const none = planToml(minimal()).files;
    expect([...none.keys()].filter((p) => p.startsWith(".github") || p === GITLAB_PIPELINE)).toEqual([]);
  });

  it("[deploy] versions, an underscored app name, a pre-release version and an image by digest land where they should", () => {
    const image = `registry.example.com:5000/acme/payments-gateway@sha256:${"ab12".repeat(16)}`;
    const { files } = planToml(`${minimal("payments_gateway").replace('"0.3.0"', '"0.3.0-rc.1+build.7"')}
[deploy]
targets = ["docker"]
image = "${image}"
elixir_version = "1.15.8"
otp_version = "26.2.5.3"
debian_version = "bookworm-20240612-slim"

[ci]
providers = ["github", "gitlab"]
`);
    const want: Expected = { app: "payments_gateway", version: "0.3.0-rc.1+build.7", otp: "26.2.5.3", elixir: "1.15.8", debian: "bookworm-20240612-slim", dockerImage: image };
    checkGithub(fileOf(files, GITHUB_WORKFLOW), want);
    checkGitlab(fileOf(files, GITLAB_PIPELINE), want);
  });

  it("an adversarial description (quotes, newlines, `${{`, `${`) reaches neither file and breaks neither", () => {
    const description = 'Shop "cart" \'n\' ${{ secrets.TOKEN }} ${HOME} `id` \\n: # {x}';
    const { files } = planToml(minimal().replace('version = "0.3.0"', `version = "0.3.0"\ndescription = ${JSON.stringify(description)}`) + '\n[deploy]\ntargets = ["docker"]\n\n[ci]\nproviders = ["github", "gitlab"]\n');
    const want: Expected = { app: "shop", version: "0.3.0", otp: DEFAULT_IMAGE_VERSIONS.otp, elixir: DEFAULT_IMAGE_VERSIONS.elixir, debian: DEFAULT_IMAGE_VERSIONS.debian, dockerImage: "shop:0.3.0" };
    for (const path of [GITHUB_WORKFLOW, GITLAB_PIPELINE]) expect(fileOf(files, path)).not.toContain("secrets.TOKEN");
    checkGithub(fileOf(files, GITHUB_WORKFLOW), want);
    checkGitlab(fileOf(files, GITLAB_PIPELINE), want);
  });

  it("an image no manifest can hold (quotes, newline, $, backquotes) still round-trips through YAML and the shell", () => {
    const ctx = deployContextOf(`${minimal()}\n[deploy]\ntargets = ["docker"]\n\n[ci]\nproviders = ["github", "gitlab"]\n`);
    const image = "evil \"image\" 'x' $HOME `id` ; rm -rf / #\nnext: line";
    const hostile: DeployContext = { ...ctx, deploy: { ...ctx.deploy, image } };
    const ci = parseYaml(gitlabPipeline(hostile)[0]!.content);
    const line = script(obj(ci.docker))[0] ?? "";
    expect(shellWords(line)).toEqual(["build", "--tag", image, "."]);
    const wf = parseWorkflow(githubWorkflow(hostile)[0]!.content);
    expect(obj(usesOf(obj(obj(wf.jobs).docker), "docker/build-push-action@v6")[0]?.with).tags).toBe(image);
  });

  it("refuses to write a GitHub expression (`${{ … }}`), which GitHub would evaluate even inside quotes", () => {
    const ctx = deployContextOf(`${minimal()}\n[deploy]\ntargets = ["docker"]\n\n[ci]\nproviders = ["github"]\n`);
    expect(() => githubWorkflow({ ...ctx, deploy: { ...ctx.deploy, image: "x${{ secrets.TOKEN }}" } })).toThrow(/expression/);
  });
});

describe("CI: the checks fail on broken files", () => {
  const workflowOf = () => fileOf(ledgerFiles(), GITHUB_WORKFLOW);
  const pipelineOf = () => fileOf(ledgerFiles(), GITLAB_PIPELINE);

  it("action-validator rejects an unknown step key, a job without runs-on and a need on a missing job", () => {
    const workflow = workflowOf();
    const broken = [
      workflow.replace("      - run: mix test\n", "      - run: mix test\n        bogus: true\n"),
      workflow.replace("    runs-on: ubuntu-24.04\n    timeout-minutes: 20\n    env:\n      MIX_ENV: test\n", "    timeout-minutes: 20\n    env:\n      MIX_ENV: test\n"),
      workflow.replace("    needs: test\n", "    needs: tests\n"),
    ];
    for (const text of broken) {
      expect(text).not.toBe(workflow);
      expect(validateWorkflow(text).errors.length, text).toBeGreaterThan(0);
    }
  });

  it("the workflow rule checks catch a wrong version, a missing flag, an unknown input and a loose cache key", () => {
    const workflow = workflowOf();
    const cases: [string, string, RegExp][] = [
      ['otp-version: "25.3.1"', 'otp-version: "25.3"', /setup-beam installs OTP/],
      ["mix compile --force --warnings-as-errors", "mix compile", /compile --force --warnings-as-errors/],
      ["if-no-files-found: error", "if-no-files-found: error\n          retention: 3", /has no input retention/],
      ["-${{ hashFiles('mix.lock') }}", "-${{ github.sha }}", /cache key/],
      ["  contents: read", "  contents: write", /permissions/],
      ["          push: false", "          push: true", /without pushing/],
    ];
    for (const [from, to, message] of cases) {
      const text = workflow.replace(from, to);
      expect(text, from).not.toBe(workflow);
      expect(githubRuleErrors(parseWorkflow(text), LEDGER).join("\n"), from).toMatch(message);
    }
    expect(githubRuleErrors(parseWorkflow(workflow), { ...LEDGER, dockerImage: undefined }).join("\n")).toMatch(/jobs are release, test/);
  });

  it("the GitLab schema rejects a misspelt keyword, a third cache-key file, a global image and a bad timeout", () => {
    const ci = parseYaml(pipelineOf());
    const broken: Json[] = [
      { ...ci, test: { ...obj(ci.test), scripts: ["mix test"] } },
      { ...ci, release: { ...obj(ci.release), cache: { ...obj(obj(ci.release).cache), key: { files: ["a", "b", "c"] } } } },
      { ...ci, image: "elixir:latest" },
      { ...ci, default: { ...obj(ci.default), timeout: "20 minuets" } },
      { ...ci, docker: { ...obj(ci.docker), script: [] } },
      { ...ci, test: { stage: "test" } },
    ];
    for (const doc of broken) expect(validateGitlab(doc), JSON.stringify(doc).slice(0, 200)).toBe(false);
  });

  it("the pipeline rule checks catch an undeclared stage, a missing template, a wrong image and an artifact never made", () => {
    const pipeline = pipelineOf();
    const cases: [string, string, RegExp][] = [
      ["  stage: release\n  variables:\n    MIX_ENV: prod", "  stage: build\n  variables:\n    MIX_ENV: prod", /stage build is one of the declared stages/],
      ["test:\n  extends: .mix", "test:\n  extends: .elixir", /extends \.elixir/],
      ["debian-bullseye-20230227-slim\"", "debian-bookworm-20230227-slim\"", /runs in hexpm/],
      ['      - "ledger-1.2.0.tar.gz"', '      - "_build/prod/rel/ledger"', /keeps the tarball/],
      ["    - mix test\n", "", /format --check-formatted, compile/],
      ["docker build --tag ghcr.io/acme/ledger:1.2.0 .", "docker build --tag ghcr.io/acme/other:1.2.0 .", /builds \. tagged/],
    ];
    for (const [from, to, message] of cases) {
      const text = pipeline.replace(from, to);
      expect(text, from).not.toBe(pipeline);
      expect(gitlabRuleErrors(parseYaml(text), LEDGER).join("\n"), from).toMatch(message);
    }
  });

  it("the YAML check catches a scalar YAML 1.1 reads differently; the shell checks catch bad syntax and lost quoting", () => {
    expect(() => parseYaml("variables:\n  VERBOSE: yes\n")).toThrow(/YAML 1.1/);
    expect(() => parseYaml("default:\n  timeout: 1:30\n")).toThrow(/YAML 1.1/);
    expect(() => parseYaml("a: 1\na: 2\n")).toThrow();
    expect(shellSyntaxErrors(["tar -czf x.tar.gz -C _build/prod/rel 'ledger"])).toHaveLength(1);
    expect(shellWords("docker build --tag my image .")).not.toEqual(["build", "--tag", "my image", "."]);
  });
});
