/**
 * TesseraGovernance — the token, the Timelock (protocol owner + treasury) and the Governor.
 *
 * Deploys TesseraToken → TesseraTimelock → TesseraGovernor, then wires the roles:
 *   - Timelock proposer + canceller: the Governor only;
 *   - Timelock executor: anyone (the open role, address(0)) — execution is still gated by the
 *     vote and the delay, and anyone may pay the gas to run a passed proposal;
 *   - Timelock admin: the Timelock itself; the deployer's bootstrap admin role is renounced last,
 *     so after this module no externally owned account holds any role.
 *
 * Every duration is in seconds (the token's ERC-6372 clock is the block timestamp). Defaults are
 * the public-chain values documented in docs/deploy.md; the local chain uses
 * ignition/parameters/local.json.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { keccak256, toBytes, zeroAddress, zeroHash } from "viem";
import { GOVERNANCE_DEFAULTS } from "../defaults.ts";

export const PROPOSER_ROLE = keccak256(toBytes("PROPOSER_ROLE"));
export const CANCELLER_ROLE = keccak256(toBytes("CANCELLER_ROLE"));
export const EXECUTOR_ROLE = keccak256(toBytes("EXECUTOR_ROLE"));
export const DEFAULT_ADMIN_ROLE = zeroHash;

export default buildModule("TesseraGovernance", (m) => {
  const deployer = m.getAccount(0);

  // Who receives the whole fixed supply: the deployer by default (local chain); on public chains
  // set it to the distribution multisig / vesting contract.
  const tokenRecipient = m.getParameter("tokenRecipient", deployer);
  const token = m.contract("TesseraToken", [tokenRecipient]);

  const timelock = m.contract("TesseraTimelock", [
    m.getParameter("timelockDelay", GOVERNANCE_DEFAULTS.timelockDelay),
    m.getParameter("gracePeriod", GOVERNANCE_DEFAULTS.gracePeriod),
    [], // proposers: granted to the governor below (it does not exist yet)
    [zeroAddress], // executors: anyone
    deployer, // bootstrap admin, renounced below
  ]);

  const governor = m.contract("TesseraGovernor", [
    token,
    timelock,
    m.getParameter("votingDelay", GOVERNANCE_DEFAULTS.votingDelay),
    m.getParameter("votingPeriod", GOVERNANCE_DEFAULTS.votingPeriod),
    m.getParameter("proposalThreshold", GOVERNANCE_DEFAULTS.proposalThreshold),
    m.getParameter("quorumPercent", GOVERNANCE_DEFAULTS.quorumPercent),
  ]);

  const grantProposer = m.call(timelock, "grantRole", [PROPOSER_ROLE, governor], {
    id: "grantProposerToGovernor",
  });
  const grantCanceller = m.call(timelock, "grantRole", [CANCELLER_ROLE, governor], {
    id: "grantCancellerToGovernor",
  });
  m.call(timelock, "renounceRole", [DEFAULT_ADMIN_ROLE, deployer], {
    id: "renounceDeployerAdmin",
    after: [grantProposer, grantCanceller],
  });

  return { token, timelock, governor };
});
