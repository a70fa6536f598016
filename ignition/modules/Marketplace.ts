/**
 * TesseraMarketplace — the Marketplace (provider registry + deals + proofs + payouts), owned by
 * the governance Timelock from its constructor (no ownership transfer, so no EOA ever owns it),
 * with the Timelock as treasury (protocol fees and the treasury share of slashes).
 * Constructor: docs/contracts-api.md.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { MARKETPLACE_DEFAULTS } from "../defaults.ts";
import GovernanceModule from "./Governance.ts";

export default buildModule("TesseraMarketplace", (m) => {
  const { token, timelock } = m.useModule(GovernanceModule);
  const marketplace = m.contract("Marketplace", [
    token,
    timelock, // initialOwner: every parameter is governed
    timelock, // treasury
    m.getParameter("periodBlocks", MARKETPLACE_DEFAULTS.periodBlocks),
    m.getParameter("params", MARKETPLACE_DEFAULTS.params),
  ]);
  return { marketplace };
});
