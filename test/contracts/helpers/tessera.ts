/**
 * Deploy the whole protocol on the in-process chain through the real Ignition module
 * (ignition/modules/Tessera.ts) with the local-chain parameters, and bind contracts to accounts.
 * (No tests in this file.)
 */
import type { Address } from "viem";
import { LOCAL_PARAMETERS, MARKETPLACE_DEFAULTS } from "../../../ignition/defaults.ts";
import TesseraModule from "../../../ignition/modules/Tessera.ts";
import type { Connection } from "./governance.ts";

export type MarketParams = { -readonly [K in keyof typeof MARKETPLACE_DEFAULTS.params]: bigint };

export type DeployOptions = {
  /** Overrides of the Marketplace params (defaults: MARKETPLACE_DEFAULTS.params). */
  params?: Partial<MarketParams>;
  periodBlocks?: bigint;
  /** Overrides of the governance module parameters (defaults: LOCAL_PARAMETERS). */
  governance?: Record<string, unknown>;
};

export async function deployTessera(connection: Connection, options: DeployOptions = {}) {
  const params = { ...MARKETPLACE_DEFAULTS.params, ...options.params };
  const deployed = await connection.ignition.deploy(TesseraModule, {
    parameters: {
      TesseraGovernance: { ...LOCAL_PARAMETERS.TesseraGovernance, ...options.governance },
      TesseraMarketplace: {
        periodBlocks: options.periodBlocks ?? LOCAL_PARAMETERS.TesseraMarketplace.periodBlocks,
        params,
      },
    } as never,
  });
  return { ...deployed, params };
}

export type Tessera = Awaited<ReturnType<typeof deployTessera>>;

/** The protocol's contracts with `account`'s wallet. */
export async function bind(connection: Connection, t: Tessera, account: Address) {
  const client = { wallet: await connection.viem.getWalletClient(account) };
  return {
    token: await connection.viem.getContractAt("TesseraToken", t.token.address, { client }),
    marketplace: await connection.viem.getContractAt("Marketplace", t.marketplace.address, {
      client,
    }),
    governor: await connection.viem.getContractAt("TesseraGovernor", t.governor.address, {
      client,
    }),
    fileIndex: await connection.viem.getContractAt("FileIndex", t.fileIndex.address, { client }),
  };
}
