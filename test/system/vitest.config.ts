import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// System tests start real processes (Hardhat node, provider daemons, the CLI): one stack per
// test file, files run one after another (the CI machine has 2 cores).
export default defineConfig({
  test: {
    root: resolve(dirname(fileURLToPath(import.meta.url)), "..", ".."),
    include: ["test/system/**/*.test.ts"],
    globalSetup: ["test/system/global-setup.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 300_000,
    teardownTimeout: 60_000,
  },
});
