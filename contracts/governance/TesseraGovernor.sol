// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {GovernorVotesQuorumFraction} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {ERC165Checker} from "@openzeppelin/contracts/utils/introspection/ERC165Checker.sol";
import {ITesseraGovernor} from "../interfaces/ITesseraGovernor.sol";
import {ITesseraTimelock} from "../interfaces/ITesseraTimelock.sol";

/// @title TesseraGovernor — token-holder governance of the Tessera protocol.
/// @notice OpenZeppelin 5 Governor: settings, simple counting (against / for / abstain), votes from
/// {TesseraToken} (ERC20Votes, timestamp clock: every duration below is in seconds), a quorum that
/// is a fraction of the total supply at the proposal snapshot, and execution through a
/// {TesseraTimelock}. A queued proposal expires when the timelock's grace period has passed after
/// its ETA: `state()` then reports `Expired` and `execute()` reverts.
///
/// Defaults (public chains; see docs/deploy.md): voting delay 1 day, voting period 1 week,
/// proposal threshold 0.1 % of the supply (1,000,000 TSR), quorum 4 % of the supply, timelock
/// delay 2 days, grace period 14 days. Local chain (31337): delay 1 s, period 300 s, timelock 60 s,
/// grace 1 hour. Voting delay, period and threshold can be changed by governance
/// ({GovernorSettings}), the quorum by {GovernorVotesQuorumFraction-updateQuorumNumerator}.
contract TesseraGovernor is
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorTimelockControl,
    ITesseraGovernor
{
    /// @param token the ERC20Votes token (TesseraToken).
    /// @param timelock_ the TesseraTimelock that executes proposals and owns the protocol.
    /// @param initialVotingDelay seconds from proposal to the vote snapshot / start.
    /// @param initialVotingPeriod seconds the vote stays open.
    /// @param initialProposalThreshold votes (token units) needed to propose.
    /// @param quorumPercent quorum as a percentage of the total supply at the snapshot.
    constructor(
        IVotes token,
        TimelockController timelock_,
        uint48 initialVotingDelay,
        uint32 initialVotingPeriod,
        uint256 initialProposalThreshold,
        uint256 quorumPercent
    )
        Governor("TesseraGovernor")
        GovernorSettings(initialVotingDelay, initialVotingPeriod, initialProposalThreshold)
        GovernorVotes(token)
        GovernorVotesQuorumFraction(quorumPercent)
        GovernorTimelockControl(timelock_)
    {
        _requireTesseraTimelock(address(timelock_));
    }

    /// @inheritdoc ITesseraGovernor
    function proposalExpiry(uint256 proposalId) public view returns (uint256) {
        uint256 eta = proposalEta(proposalId);
        if (eta == 0) return 0;
        return eta + ITesseraTimelock(timelock()).gracePeriod();
    }

    /// @notice Proposal state; a queued proposal past {proposalExpiry} is `Expired`.
    function state(
        uint256 proposalId
    ) public view override(Governor, GovernorTimelockControl) returns (ProposalState) {
        ProposalState current = super.state(proposalId);
        if (current == ProposalState.Queued && block.timestamp > proposalExpiry(proposalId)) {
            return ProposalState.Expired;
        }
        return current;
    }

    /// @notice Move execution to another timelock (governance only); it must be a TesseraTimelock.
    function updateTimelock(TimelockController newTimelock) public override onlyGovernance {
        _requireTesseraTimelock(address(newTimelock));
        super.updateTimelock(newTimelock);
    }

    /// @inheritdoc Governor
    function votingDelay() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingDelay();
    }

    /// @inheritdoc Governor
    function votingPeriod() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingPeriod();
    }

    /// @inheritdoc Governor
    function proposalThreshold()
        public
        view
        override(Governor, GovernorSettings)
        returns (uint256)
    {
        return super.proposalThreshold();
    }

    /// @inheritdoc Governor
    function proposalNeedsQueuing(
        uint256 proposalId
    ) public view override(Governor, GovernorTimelockControl) returns (bool) {
        return super.proposalNeedsQueuing(proposalId);
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor()
        internal
        view
        override(Governor, GovernorTimelockControl)
        returns (address)
    {
        return super._executor();
    }

    function _requireTesseraTimelock(address candidate) private view {
        if (!ERC165Checker.supportsInterface(candidate, type(ITesseraTimelock).interfaceId)) {
            revert TesseraGovernor__NotATesseraTimelock(candidate);
        }
    }
}
