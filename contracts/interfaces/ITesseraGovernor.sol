// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title ITesseraGovernor — Tessera-specific additions to the OpenZeppelin Governor.
interface ITesseraGovernor {
    /// @notice `timelock` does not implement {ITesseraTimelock} (expiring operations): the governor
    /// only works with a TesseraTimelock.
    error TesseraGovernor__NotATesseraTimelock(address timelock);

    /// @notice Unix time after which a queued proposal can no longer be executed (0 if not queued).
    /// After it, `state(proposalId)` is `Expired`.
    function proposalExpiry(uint256 proposalId) external view returns (uint256);
}
