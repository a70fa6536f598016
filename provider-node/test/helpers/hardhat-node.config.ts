// Minimal Hardhat config for the chain the provider tests spawn (`hardhat node`): no sources,
// contracts come from the repo's artifacts. allowUnlimitedContractSize keeps the tests independent
// of the Marketplace's current bytecode size (EIP-170 is the contracts' concern, tested there).
import { defineConfig } from "hardhat/config";

export default defineConfig({
  networks: {
    unlimited: { type: "edr-simulated", chainType: "l1", allowUnlimitedContractSize: true },
  },
});
