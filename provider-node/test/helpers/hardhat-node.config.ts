// Minimal Hardhat config for the chain the provider tests spawn (`hardhat node`): no sources,
// contracts come from the repo's artifacts. Contract-size limits stay on, so these tests also
// show that the Marketplace as compiled (via-IR, see the root hardhat.config.ts) deploys.
import { defineConfig } from "hardhat/config";

export default defineConfig({
  networks: {
    local: { type: "edr-simulated", chainType: "l1" },
  },
});
