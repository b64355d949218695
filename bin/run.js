#!/usr/bin/env node
// `otpiser --version` and plain `otpiser validate` lines run without loading oclif, which costs more than Node's own
// start-up (src/cli/fast-path.ts, bench/README.md); every other command line goes to oclif as before.
const fast = await import("../dist/cli/fast-path.js").catch((error) => {
  if (error?.code === "ERR_MODULE_NOT_FOUND") return undefined; // a dist/ built before the fast path existed
  throw error;
});

if (!(await fast?.runFastPath(process.argv.slice(2)))) {
  const { execute } = await import("@oclif/core");
  await execute({ dir: import.meta.url });
}
