// Preloaded (`node --require`) into a timed Node process: at exit, writes the process's CPU time (user + system,
// all threads, microseconds) to $BENCH_CPU_FILE. The cost is one tiny CommonJS file, the same for every contender.
"use strict";
const file = process.env.BENCH_CPU_FILE;
if (file) {
  delete process.env.BENCH_CPU_FILE;
  process.on("exit", () => {
    const { user, system } = process.cpuUsage();
    require("node:fs").writeFileSync(file, String(user + system));
  });
}
