// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title ITesseraTimelock — the protocol's TimelockController extension: queued operations expire.
/// @notice OpenZeppelin's TimelockController keeps a ready operation executable forever. Tessera's
/// timelock adds a grace period: an operation not executed within `gracePeriod()` seconds after it
/// became ready is expired and can never run (a stale decision must be proposed and voted again).
interface ITesseraTimelock {
    /// @notice The operation `id` was ready until `expiredAt` (unix seconds) and was not executed in
    /// time: propose it again.
    error TesseraTimelock__OperationExpired(bytes32 id, uint256 expiredAt);

    /// @notice A zero grace period would expire every operation the moment it becomes ready.
    error TesseraTimelock__ZeroGracePeriod();

    /// @notice Seconds an operation stays executable after it becomes ready (fixed at deployment).
    function gracePeriod() external view returns (uint256);

    /// @notice True if `id` is scheduled, not executed, and its grace period has passed.
    function isOperationExpired(bytes32 id) external view returns (bool);
}
