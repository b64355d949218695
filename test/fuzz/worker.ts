import { readFileSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { checkInvariant } from "./properties.js";

/** Runs the fuzz invariant on each text it is sent (see isolated.ts, which kills it when an input never returns). */

// Warm up first (templates compiled, modules loaded), so the first input is not charged for it by the time bound.
checkInvariant(readFileSync(new URL("../../fixtures/valid/all-kinds.toml", import.meta.url), "utf8"), { timeLimitMs: Infinity });

parentPort!.on("message", (message: { id: number; text: string }) => {
  let failure: string | undefined;
  try {
    failure = checkInvariant(message.text);
  } catch (error) {
    failure = `the invariant itself threw: ${error instanceof Error ? error.stack : String(error)}`;
  }
  parentPort!.postMessage({ id: message.id, failure });
});
