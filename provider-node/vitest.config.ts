import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // the chain test spawns a hardhat node and a provider process; keep files sequential on 2 cores
    fileParallelism: false,
  },
});
