import { defineConfig } from "vitest/config";

const ALL = ["engine/**/*.test.ts", "models/**/*.test.ts", "bench/**/*.test.ts", "reports/**/*.test.ts", "scenarios/**/*.test.ts"];
/** Tests that spawn `bench`, run whole scenarios, or drive a real etcd, kernel firewall or browser: `npm run test:unit` skips them. */
const INTEGRATION = [
  "bench/cli.test.ts",
  "bench/sweep.test.ts",
  "bench/gate.test.ts",
  "bench/calibrate.test.ts",
  "bench/verify-algorithm.test.ts",
  "bench/resolve.test.ts",
  "models/etcd.real.test.ts",
  // whole scenarios through the runner
  "models/network/model.test.ts",
  "models/dns/traffic.test.ts",
  "reports/html.browser.test.ts",
  "scenarios/**/*.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // CLI tests spawn `bench`, which is CPU-bound: one file at a time per core keeps them from starving each other.
    maxWorkers: 2,
    projects: [
      // no isolation: the unit files share one module graph per worker (half the time); none depends on a fresh module state
      { extends: true, test: { name: "unit", include: ALL, exclude: INTEGRATION, isolate: false } },
      { extends: true, test: { name: "integration", include: INTEGRATION } },
    ],
  },
});
