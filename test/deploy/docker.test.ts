/**
 * The `docker` target: Dockerfile and .dockerignore. No Docker daemon runs here, so the Dockerfile is parsed with
 * dockerfile-ast (the parser of the Docker language server) and held to the rules of the issue and of Docker's
 * reference: two stages with the builder and runner of [deploy], a non-root numeric USER, ENV LANG, EXPOSE of the
 * HTTP (and distribution) ports, a HEALTHCHECK on /healthz, CMD in exec form, labels that survive the Dockerfile
 * lexer. .dockerignore is matched with Docker's own pattern rules. Every rule is shown to fail on a broken file.
 */
import { type Copy, DockerfileParser, type Instruction, type Label } from "dockerfile-ast";
import { describe, expect, it } from "vitest";
import { DEFAULT_IMAGE_VERSIONS } from "../../src/manifest/validate-deploy.js";
import { dockerfileString } from "../../src/plan/deploy/docker.js";
import { fileOf, planFixture, planToml } from "./helpers.js";

/** What a Dockerfile must say for one manifest. */
interface DockerExpectations {
  app: string;
  builder: string;
  runner: string;
  httpPort?: number;
  clustered: boolean;
  hasDeps: boolean;
  /** Paths of the planned project, to check that every COPY source exists. */
  projectPaths: string[];
}

const KNOWN_KEYWORDS = new Set(["FROM", "ENV", "WORKDIR", "COPY", "RUN", "LABEL", "USER", "EXPOSE", "HEALTHCHECK", "CMD", "ARG"]);

/** The instructions of each stage, in order. */
function stages(content: string): Instruction[][] {
  const out: Instruction[][] = [];
  for (const instruction of DockerfileParser.parse(content).getInstructions()) {
    if (instruction.getKeyword() === "FROM") out.push([]);
    out[out.length - 1]?.push(instruction);
  }
  return out;
}

const args = (i: Instruction): string[] => i.getArguments().map((a) => a.getValue());
const of = (stage: Instruction[], keyword: string): Instruction[] => stage.filter((i) => i.getKeyword() === keyword);

/** The packages of `apt-get install` lines in a stage. */
function aptPackages(stage: Instruction[]): string[] {
  return of(stage, "RUN").flatMap((run) => {
    const m = /apt-get install ([^&|;]*)/.exec(run.getArgumentsContent() ?? "");
    return m ? m[1]!.split(/\s+/).filter((w) => w !== "" && !w.startsWith("-") && w !== "\\") : [];
  });
}

/** Every rule the Dockerfile breaks, as readable strings; [] when it follows them all. */
function dockerfileProblems(content: string, x: DockerExpectations): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(problem);
  };
  const dockerfile = DockerfileParser.parse(content);
  const directive = dockerfile.getDirectives().find((d) => d.getDirective() === "syntax");
  check(directive?.getValue() === "docker/dockerfile:1", "no `# syntax=docker/dockerfile:1` directive");
  for (const i of dockerfile.getInstructions()) check(KNOWN_KEYWORDS.has(i.getKeyword()), `unexpected instruction ${i.getKeyword()}`);

  const [build, runner, ...extra] = stages(content);
  check(build !== undefined && runner !== undefined && extra.length === 0, "not exactly two stages");
  if (!build || !runner) return problems;
  const fromBuild = dockerfile.getFROMs()[0]!;
  const fromRunner = dockerfile.getFROMs()[1]!;
  check(fromBuild.getImage() === x.builder, `builder is ${fromBuild.getImage()}, not ${x.builder}`);
  check(fromBuild.getBuildStage() === "build", "the builder stage is not named build");
  check(fromRunner.getImage() === x.runner, `runner is ${fromRunner.getImage()}, not ${x.runner}`);
  // Same Debian release in both stages: the ERTS built in one runs in the other.
  const builderDebian = /-debian-(.+)$/.exec(fromBuild.getImageTag() ?? "")?.[1];
  check(builderDebian !== undefined && builderDebian === fromRunner.getImageTag(), "builder and runner are different Debian releases");

  // Builder: MIX_ENV=prod, deps only with deps, then sources, then `mix release`.
  const buildEnv = build.flatMap((i) => (i.getKeyword() === "ENV" ? (i as Label).getProperties() : []));
  check(buildEnv.some((p) => p.getName() === "MIX_ENV" && p.getValue() === "prod"), "builder without ENV MIX_ENV=prod");
  const runs = of(build, "RUN").map((r) => r.getArgumentsContent() ?? "");
  const depsGet = runs.findIndex((r) => /mix deps\.get/.test(r));
  check((depsGet >= 0) === x.hasDeps, x.hasDeps ? "deps are never fetched" : "fetches deps the project does not have");
  check(runs.some((r) => /mix local\.hex/.test(r)) === x.hasDeps, x.hasDeps ? "no hex to fetch deps" : "installs hex without deps");
  const release = build.findIndex((i) => i.getKeyword() === "RUN" && /\bmix release\b/.test(i.getArgumentsContent() ?? ""));
  const copyLib = build.findIndex((i) => i.getKeyword() === "COPY" && args(i)[0] === "lib");
  check(release >= 0 && copyLib >= 0 && copyLib < release, "`mix release` does not run after the sources are copied");
  for (const copy of of(build, "COPY")) {
    for (const source of args(copy).slice(0, -1).filter((s) => !s.includes("*"))) {
      check(x.projectPaths.some((p) => p === source || p.startsWith(`${source}/`)), `COPY ${source}: not in the project`);
    }
  }

  // Runner: packages, locale, non-root user, the release from the builder.
  const packages = aptPackages(runner);
  for (const p of ["libstdc++6", "openssl", "libncurses6", "ca-certificates"]) check(packages.includes(p), `runner lacks ${p}`);
  check(packages.includes("curl") === (x.httpPort !== undefined), x.httpPort ? "no curl for the HEALTHCHECK" : "curl without a HEALTHCHECK to run it");
  for (const run of of(runner, "RUN").map((r) => r.getArgumentsContent() ?? "").filter((r) => r.includes("apt-get install"))) {
    check(run.includes("--no-install-recommends") && run.includes("rm -rf /var/lib/apt/lists/*"), "apt-get install keeps recommends or its lists");
  }
  const runnerEnv = runner.flatMap((i) => (i.getKeyword() === "ENV" ? (i as Label).getProperties() : []));
  check(runnerEnv.some((p) => p.getName() === "LANG" && /UTF-8$/.test(p.getValue() ?? "")), "runner without a UTF-8 LANG");
  const users = of(runner, "USER");
  const user = users.length > 0 ? args(users[users.length - 1]!)[0] ?? "" : "";
  const uid = user.split(":")[0] ?? "";
  check(/^\d+$/.test(uid) && uid !== "0", `the runner's USER is ${user || "not set"}: not a numeric non-root id`);
  check(of(runner, "RUN").some((r) => new RegExp(`useradd .*--uid ${uid}\\b`).test(r.getArgumentsContent() ?? "")), `no user created with uid ${uid}`);
  const flag = (i: Instruction, name: string) => (i as Copy).getFlags().find((f) => f.getName() === name)?.getValue();
  const fromBuildCopy = of(runner, "COPY").find((c) => flag(c, "from") === "build");
  check(fromBuildCopy !== undefined && args(fromBuildCopy).includes(`/app/_build/prod/rel/${x.app}`), "the release is not copied from the builder");

  // Ports, health check, command.
  const exposed = of(runner, "EXPOSE").flatMap(args);
  check((x.httpPort !== undefined) === exposed.includes(String(x.httpPort)), `EXPOSE ${exposed.join(" ")} vs HTTP port ${x.httpPort}`);
  check(x.clustered === (exposed.includes("4369") && exposed.includes("9100-9155")), "EXPOSE of the distribution ports does not follow [cluster]");
  const health = dockerfile.getHEALTHCHECKs();
  if (x.httpPort === undefined) {
    check(health.length === 0, "a HEALTHCHECK without [http]");
  } else {
    check(health.length === 1, "not exactly one HEALTHCHECK");
    const h = health[0];
    const command = h?.getArgumentsContent() ?? "";
    check(h?.getSubcommand()?.getValue() === "CMD", "HEALTHCHECK without CMD");
    check(command.includes(`http://127.0.0.1:\${PORT:-${x.httpPort}}/healthz`), `HEALTHCHECK does not ask /healthz on ${x.httpPort}: ${command}`);
    const flags = new Map(h?.getFlags().map((f) => [f.getName(), f.getValue()]) ?? []);
    for (const flag of ["interval", "timeout", "start-period"]) check(/^\d+s$/.test(flags.get(flag) ?? ""), `HEALTHCHECK --${flag} missing or not a duration`);
    check(/^\d+$/.test(flags.get("retries") ?? ""), "HEALTHCHECK --retries missing");
  }
  const cmds = dockerfile.getCMDs();
  check(cmds.length === 1, "not exactly one CMD");
  const json = cmds[0]?.getJSONStrings().map((s) => s.getJSONValue());
  check(JSON.stringify(json) === JSON.stringify([`/app/bin/${x.app}`, "start"]), `CMD is not ["/app/bin/${x.app}", "start"] in exec form`);
  check(dockerfile.getENTRYPOINTs().length === 0, "an ENTRYPOINT");
  return problems;
}

/**
 * A double-quoted Dockerfile word as BuildKit's lexer reads it (frontend/dockerfile/shell/lex.go,
 * processDoubleQuote): `\` escapes only `"`, `$` and itself, other backslashes stay; an unescaped `$` would
 * expand a variable and an unescaped `"` would end the word, so both are refused here.
 */
function buildkitDoubleQuoted(raw: string): string {
  if (!/^".*"$/s.test(raw)) throw new Error(`not one double-quoted word: ${raw}`);
  let out = "";
  for (let i = 1; i < raw.length - 1; i++) {
    const c = raw[i]!;
    const next = raw[i + 1];
    if (c === "\\" && (next === '"' || next === "$" || next === "\\") && i + 1 < raw.length - 1) {
      out += next;
      i++;
    } else if (c === "$" || c === '"') {
      throw new Error(`unescaped ${c} at ${i} in ${raw}`);
    } else {
      out += c;
    }
  }
  return out;
}

/** The labels of the Dockerfile, as the builder reads them (quotes and escapes removed). */
function labels(content: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const i of DockerfileParser.parse(content).getInstructions()) {
    if (i.getKeyword() !== "LABEL") continue;
    for (const p of (i as Label).getProperties()) out.set(p.getName(), buildkitDoubleQuoted(p.getUnescapedValue() ?? ""));
    // dockerfile-ast agrees: no variable reference in any label.
    expect(i.getVariables().map((v) => v.getName())).toEqual([]);
  }
  return out;
}

/**
 * Docker's .dockerignore matching (moby/patternmatcher): patterns are cleaned paths relative to the context,
 * `*` and `?` stop at `/`, `**` crosses directories, a pattern matching a directory excludes what it holds, and a
 * later `!pattern` re-includes.
 */
function dockerignored(patterns: string[], path: string): boolean {
  let excluded = false;
  for (const raw of patterns) {
    const negate = raw.startsWith("!");
    const pattern = (negate ? raw.slice(1) : raw).trim().replace(/^\/+|\/+$/g, "");
    const re = pattern
      .split("")
      .map((c, i, all) => (c === "*" ? (all[i + 1] === "*" ? "\u0000" : all[i - 1] === "*" ? "" : "[^/]*") : c === "?" ? "[^/]" : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
      .join("")
      .replace(/\u0000/g, ".*");
    if (new RegExp(`^${re}(/.*)?$`).test(path)) excluded = !negate;
  }
  return excluded;
}

const ignorePatterns = (content: string): string[] => content.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));

const FIXTURE_EXPECTATIONS: DockerExpectations = {
  app: "ledger",
  builder: `hexpm/elixir:${DEFAULT_IMAGE_VERSIONS.elixir}-erlang-${DEFAULT_IMAGE_VERSIONS.otp}-debian-${DEFAULT_IMAGE_VERSIONS.debian}`,
  runner: `debian:${DEFAULT_IMAGE_VERSIONS.debian}`,
  httpPort: 4000,
  clustered: true,
  hasDeps: false,
  projectPaths: [],
};

describe("docker: the all-targets fixture", () => {
  const { files } = planFixture("deploy-targets");
  const dockerfile = fileOf(files, "Dockerfile");
  const x = { ...FIXTURE_EXPECTATIONS, projectPaths: [...files.keys()] };

  it("parses and follows every rule: stages, images, packages, LANG, non-root USER, EXPOSE, HEALTHCHECK, exec CMD", () => {
    expect(dockerfileProblems(dockerfile, x)).toEqual([]);
  });

  it("labels the image with the app's version, description and repository, as the lexer reads them", () => {
    expect(Object.fromEntries(labels(dockerfile))).toEqual({
      "org.opencontainers.image.title": "ledger",
      "org.opencontainers.image.version": "1.2.0",
      "org.opencontainers.image.description": 'Double-entry ledger: "postings" & balances',
      "org.opencontainers.image.source": "https://github.com/acme/ledger.git",
    });
  });

  it("puts the image tag in the build command and the release's port in the HEALTHCHECK", () => {
    expect(dockerfile).toContain("#   docker build -t ghcr.io/acme/ledger:1.2.0 .");
    expect(dockerfile).toMatch(/CMD curl -fsS -o \/dev\/null "http:\/\/127\.0\.0\.1:\$\{PORT:-4000\}\/healthz" \|\| exit 1$/m);
  });

  it(".dockerignore keeps build output, deps, git and .env out, and every COPY source in", () => {
    const patterns = ignorePatterns(fileOf(files, ".dockerignore"));
    for (const out of ["_build/prod/rel/ledger/bin/ledger", "deps/telemetry/mix.exs", ".git/HEAD", ".env", "erl_crash.dump", "test/test_helper.exs"]) {
      expect(dockerignored(patterns, out), out).toBe(true);
    }
    for (const source of ["mix.exs", "mix.lock", "config/config.exs", "config/runtime.exs", "lib/ledger/application.ex", "rel/env.sh.eex", "rel/vm.args.eex"]) {
      expect(dockerignored(patterns, source), source).toBe(false);
    }
  });
});

describe("docker: the rule checks fail on broken Dockerfiles", () => {
  const { files } = planFixture("deploy-targets");
  const good = fileOf(files, "Dockerfile");
  const x = { ...FIXTURE_EXPECTATIONS, projectPaths: [...files.keys()] };
  const broken: Array<[string, (s: string) => string, RegExp]> = [
    ["runs as root", (s) => s.replace(/^USER .*$/m, "USER root"), /not a numeric non-root id/],
    ["has no USER", (s) => s.replace(/^USER .*$/m, ""), /USER is not set/],
    ["uses a shell-form CMD", (s) => s.replace(/^CMD .*$/m, "CMD /app/bin/ledger start"), /exec form/],
    ["checks the wrong path", (s) => s.replace('/healthz" || exit 1', '/readyz" || exit 1'), /does not ask \/healthz/],
    ["exposes the wrong port", (s) => s.replace("EXPOSE 4000", "EXPOSE 8080"), /EXPOSE 8080/],
    ["has a third stage", (s) => `${s}\nFROM busybox\n`, /two stages/],
    ["mixes Debian releases", (s) => s.replace(/^FROM debian:\S+/m, "FROM debian:bookworm-20240110-slim"), /different Debian releases/],
    ["lacks a runtime library", (s) => s.replace(" libncurses6 ca-certificates", " ca-certificates"), /lacks libncurses6/],
    ["copies a missing directory", (s) => s.replace("COPY rel rel", "COPY priv priv"), /COPY priv: not in the project/],
    ["releases before copying the code", (s) => s.replace("COPY lib lib\n", "").replace("RUN mix release", "RUN mix release\nCOPY lib lib"), /after the sources/],
    ["fetches deps it does not have", (s) => s.replace("COPY mix.exs ./", "COPY mix.exs ./\nRUN mix deps.get"), /fetches deps/],
    ["drops LANG", (s) => s.replace(/^ENV LANG=.*$/m, ""), /UTF-8 LANG/],
  ];
  for (const [what, mutate, problem] of broken) {
    it(`a Dockerfile that ${what}`, () => {
      const mutated = mutate(good);
      expect(mutated).not.toBe(good);
      expect(dockerfileProblems(mutated, x).join("\n")).toMatch(problem);
    });
  }

  it("an unescaped `$` or quote in a label is seen by the lexer", () => {
    expect(() => labels(good.replace(/description=".*"/, 'description="costs ${PRICE}"'))).toThrow();
    expect(() => labels(good.replace(/description=".*"/, 'description="costs \\$PRICE"'))).not.toThrow();
    expect(() => labels(good.replace(/description=".*"/, 'description="a "quoted" word"'))).toThrow();
  });

  it(".dockerignore matching excludes what a pattern names and nothing else", () => {
    expect(dockerignored(["_build/"], "_build/x")).toBe(true);
    expect(dockerignored(["_build/"], "lib/_build.ex")).toBe(false);
    expect(dockerignored(["*.ez"], "a.ez")).toBe(true);
    expect(dockerignored(["*.ez"], "deps/a.ez")).toBe(false);
    expect(dockerignored(["**/*.ez"], "deps/a.ez")).toBe(true);
    expect(dockerignored(["test/", "!test/keep"], "test/keep")).toBe(false);
  });
});

describe("docker: manifest variants", () => {
  it("without [http] and [cluster] (W112): no HEALTHCHECK, no EXPOSE, no curl", () => {
    const { files } = planToml(`[app]\nname = "shop"\n\n[services.store]\n\n[deploy]\ntargets = ["docker"]\n`);
    const dockerfile = fileOf(files, "Dockerfile");
    const x: DockerExpectations = { ...FIXTURE_EXPECTATIONS, app: "shop", httpPort: undefined, clustered: false, projectPaths: [...files.keys()] };
    expect(dockerfileProblems(dockerfile, x)).toEqual([]);
    expect(DockerfileParser.parse(dockerfile).getInstructions().filter((i) => ["EXPOSE", "HEALTHCHECK"].includes(i.getKeyword()))).toEqual([]);
    expect(dockerfile).not.toMatch(/\bcurl\b/);
  });

  it("with dependencies: hex and rebar, the lock file when there is one, deps fetched and compiled before the sources", () => {
    const { files } = planToml(
      `[app]\nname = "shop"\n\n[features]\ntelemetry = "telemetry"\n\n[services.store]\n\n[http]\nport = 8080\n\n[deploy]\ntargets = ["docker"]\n`,
    );
    const dockerfile = fileOf(files, "Dockerfile");
    const x: DockerExpectations = { ...FIXTURE_EXPECTATIONS, app: "shop", httpPort: 8080, clustered: false, hasDeps: true, projectPaths: [...files.keys()] };
    expect(dockerfileProblems(dockerfile, x)).toEqual([]);
    const build = stages(dockerfile)[0]!;
    const copies = of(build, "COPY").map((c) => args(c).join(" "));
    expect(copies.slice(0, 2)).toEqual(["mix.exs mix.lock* ./", "config/config.exs config/"]);
    // Fetched before the sources (cached across code changes), compiled with the compile-time config.
    const at = (needle: string): number => dockerfile.indexOf(needle);
    expect(at("RUN mix deps.get --only prod")).toBeLessThan(at("COPY config/config.exs config/"));
    expect(at("COPY config/config.exs config/")).toBeLessThan(at("RUN mix deps.compile"));
    expect(at("RUN mix deps.compile")).toBeLessThan(at("COPY lib lib"));
  });

  it("follows elixir_version, otp_version and debian_version into both stages", () => {
    const { files } = planToml(
      `[app]\nname = "shop"\n\n[services.store]\n\n[http]\nport = 4000\n\n[deploy]\ntargets = ["docker"]\nelixir_version = "1.16.2"\notp_version = "26.2.5"\ndebian_version = "bookworm-20240513-slim"\n`,
    );
    const x: DockerExpectations = {
      ...FIXTURE_EXPECTATIONS,
      app: "shop",
      builder: "hexpm/elixir:1.16.2-erlang-26.2.5-debian-bookworm-20240513-slim",
      runner: "debian:bookworm-20240513-slim",
      clustered: false,
      projectPaths: [...files.keys()],
    };
    expect(dockerfileProblems(fileOf(files, "Dockerfile"), x)).toEqual([]);
  });

  it("an adversarial description and repository URL stay inert labels: quotes, `${`, backslashes, newlines", () => {
    const description = 'say "hi" \\ ${HOME} $PATH `id`\nsecond line';
    const repo = 'https://example.com/a"${X}\\b.git';
    const toml = `[app]\nname = "shop"\ndescription = ${JSON.stringify(description)}\n\n[services.store]\n\n[http]\nport = 4000\n\n[deploy]\ntargets = ["docker"]\nrepo_url = ${JSON.stringify(repo)}\n`;
    const { files } = planToml(toml);
    const dockerfile = fileOf(files, "Dockerfile");
    const x: DockerExpectations = { ...FIXTURE_EXPECTATIONS, app: "shop", clustered: false, projectPaths: [...files.keys()] };
    expect(dockerfileProblems(dockerfile, x)).toEqual([]);
    const read = labels(dockerfile);
    expect(read.get("org.opencontainers.image.description")).toBe('say "hi" \\ ${HOME} $PATH `id` second line');
    expect(read.get("org.opencontainers.image.source")).toBe(repo);
    // No instruction but the LABEL changed: the newline did not start one.
    expect(DockerfileParser.parse(dockerfile).getInstructions().map((i) => i.getKeyword())).toEqual(
      DockerfileParser.parse(fileOf(planToml(toml.replace(/description = .*\n/, "")).files, "Dockerfile")).getInstructions().map((i) => i.getKeyword()),
    );
  });

  it("dockerfileString escapes exactly the lexer's specials", () => {
    expect(dockerfileString('a"b\\c$d')).toBe('"a\\"b\\\\c\\$d"');
    expect(dockerfileString("one\r\ntwo\tthree")).toBe('"one two three"');
  });
});
