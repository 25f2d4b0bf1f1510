import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["engine/**/*.test.ts", "models/**/*.test.ts", "bench/**/*.test.ts", "reports/**/*.test.ts", "scenarios/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // CLI tests spawn `bench`, which is CPU-bound: one file at a time per core keeps them from starving each other.
    maxWorkers: 2,
  },
});
