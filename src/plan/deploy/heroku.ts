import { owned } from "../context.js";
import type { PlannedFile } from "../types.js";
import type { DeployContext } from "./context.js";
import { renderDeploy } from "./templates.js";
import type { DeployTarget } from "./target.js";

/** Heroku's dyno sizes that can run more than one dyno, smallest first, with the memory each has (Heroku's table). */
export const HEROKU_DYNO_SIZES: readonly { size: string; memoryMb: number }[] = [
  { size: "standard-1x", memoryMb: 512 },
  { size: "standard-2x", memoryMb: 1024 },
  { size: "performance-m", memoryMb: 2560 },
  { size: "performance-l", memoryMb: 14336 },
  { size: "performance-l-ram", memoryMb: 30720 },
  { size: "performance-xl", memoryMb: 63488 },
  { size: "performance-2xl", memoryMb: 129024 },
];

/** The smallest dyno with at least `memoryMb` (the largest when none has that much). */
export function herokuDynoSize(memoryMb: number): string {
  const fits = HEROKU_DYNO_SIZES.find((d) => d.memoryMb >= memoryMb) ?? HEROKU_DYNO_SIZES[HEROKU_DYNO_SIZES.length - 1]!;
  return fits.size;
}

/** app.json's `name` is at most 30 characters. */
const APP_JSON_NAME_MAX = 30;

/** `Procfile`, `heroku.yml` (Docker build on Heroku's container stack) and `app.json` (formation, the cookie secret). */
export function herokuFiles(ctx: DeployContext): PlannedFile[] {
  const view = {
    app: ctx.app,
    bin: ctx.release.bin,
    name: ctx.name.slice(0, APP_JSON_NAME_MAX).replace(/-+$/, ""),
    description: ctx.description,
    replicas: ctx.deploy.replicas,
    size: herokuDynoSize(ctx.deploy.memoryMb),
    hop3: ctx.deploy.targets.includes("hop3"),
  };
  return [
    owned("Procfile", renderDeploy("heroku", "Procfile", view)),
    owned("heroku.yml", renderDeploy("heroku", "heroku.yml", view)),
    owned("app.json", renderDeploy("heroku", "app.json", view)),
  ];
}

export const herokuTarget: DeployTarget = {
  name: "heroku",
  summary:
    "`heroku.yml` (the docker target's Dockerfile, built by Heroku on the container stack), `app.json` (formation and a generated cookie) and a `Procfile`, all running `/app/bin/<app> start`",
  honours: [
    "`[app] name` / `description`: app.json `name` (at most 30 characters) and `description`",
    "`[deploy] replicas`: app.json `formation.web.quantity`",
    "`[deploy] memory_mb`: app.json `formation.web.size`, the smallest dyno with that much memory (standard-1x for 512 MB, up to performance-2xl)",
    "`[deploy] targets` with `docker`: heroku.yml builds its `Dockerfile` (E029 without it); the release cookie is app.json's generated secret `RELEASE_COOKIE`",
  ],
  ignores: [
    "`[http] port`: Heroku gives each dyno its own `PORT`, which the release reads at boot; Heroku has no health check to point at `/healthz` (its router only needs the port bound within 60 seconds)",
    "`[cluster]`: dynos cannot reach each other's Erlang distribution, so each runs on its own (W112)",
    "`[deploy] cpu_millis`: CPU comes with the dyno size",
    "`[deploy] image`, `namespace`, `region`, `repo_url`: Heroku builds and names its own image from the Dockerfile, in the app's region",
  ],
  emit: herokuFiles,
};
