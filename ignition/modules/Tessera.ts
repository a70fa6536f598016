/**
 * Tessera — the whole protocol: TesseraToken → TesseraTimelock → TesseraGovernor (roles wired,
 * deployer admin renounced) → Marketplace (owned by the Timelock) → FileIndex.
 *
 *   npx hardhat ignition deploy ignition/modules/Tessera.ts --network localhost \
 *     --parameters ignition/parameters/local.json
 * or, writing deployments/<chainId>/ as well: npx hardhat run scripts/deploy/deploy.ts --network …
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import FileIndexModule from "./FileIndex.ts";
import GovernanceModule from "./Governance.ts";
import MarketplaceModule from "./Marketplace.ts";

export default buildModule("Tessera", (m) => {
  const { token, timelock, governor } = m.useModule(GovernanceModule);
  const { marketplace } = m.useModule(MarketplaceModule);
  const { fileIndex } = m.useModule(FileIndexModule);
  return { token, timelock, governor, marketplace, fileIndex };
});
