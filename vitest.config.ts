import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // End-to-end tests run real `mix` builds; they get generous per-test limits (never timing assertions).
    testTimeout: 30_000,
    hookTimeout: 240_000,
    pool: "forks",
    // Two cores: mix builds in parallel files would only fight each other.
    maxWorkers: 2,
  },
});
