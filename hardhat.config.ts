import { createRequire } from "node:module";
import hardhatToolboxViem from "@nomicfoundation/hardhat-toolbox-viem";
import { configVariable, defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);

// solc is taken from the `solc` npm package (wasm) so no compiler is downloaded at build time.
const SOLC_VERSION = (require("solc/package.json") as { version: string }).version;

export default defineConfig({
  plugins: [hardhatToolboxViem],
  solidity: {
    profiles: {
      default: {
        compilers: [
          {
            version: SOLC_VERSION,
            path: require.resolve("solc/soljson.js"),
            settings: {
              evmVersion: "prague",
              optimizer: { enabled: true, runs: 10_000 },
            },
          },
        ],
        overrides: {
          // The Marketplace embeds the creation code of its extension (deployed by its constructor):
          // compiled with via-IR and 200 runs both stay under EIP-170 (24 KiB) and EIP-3860 (48 KiB).
          "contracts/market/Marketplace.sol": {
            version: SOLC_VERSION,
            path: require.resolve("solc/soljson.js"),
            settings: {
              evmVersion: "prague",
              viaIR: true,
              optimizer: { enabled: true, runs: 200 },
            },
          },
          "contracts/market/MarketplaceExtension.sol": {
            version: SOLC_VERSION,
            path: require.resolve("solc/soljson.js"),
            settings: {
              evmVersion: "prague",
              viaIR: true,
              optimizer: { enabled: true, runs: 200 },
            },
          },
        },
      },
    },
  },
  paths: {
    // test/system/ holds vitest end-to-end tests of the running stack; Hardhat runs only these.
    tests: { solidity: "test/contracts", nodejs: "test/contracts" },
  },
  test: {
    solidity: {
      fuzz: { runs: 256 },
    },
  },
  networks: {
    localhost: {
      type: "http",
      chainType: "l1",
      url: "http://127.0.0.1:8545",
    },
    baseSepolia: {
      type: "http",
      chainType: "op",
      url: configVariable("BASE_SEPOLIA_RPC_URL"),
      accounts: [configVariable("BASE_SEPOLIA_PRIVATE_KEY")],
    },
    base: {
      type: "http",
      chainType: "op",
      url: configVariable("BASE_RPC_URL"),
      accounts: [configVariable("BASE_PRIVATE_KEY")],
    },
  },
});
