// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {ITesseraTimelock} from "../interfaces/ITesseraTimelock.sol";

/// @title TesseraTimelock — owner of every protocol parameter and holder of the treasury.
/// @notice Deployed with the governor as sole proposer and canceller, the open role (anyone) as
/// executor, and no external admin (the deployer's bootstrap admin role is renounced in the same
/// deployment). Protocol fees are paid to this contract's address; spending them takes a proposal.
///
/// Defaults (see docs/deploy.md): `minDelay` 2 days and `gracePeriod` 14 days on public chains;
/// 60 s and 1 hour on the local chain (31337).
contract TesseraTimelock is TimelockController, ITesseraTimelock {
    uint256 private immutable _gracePeriod;

    /// @param minDelay seconds between queueing and execution.
    /// @param gracePeriod_ seconds an operation stays executable once ready; must be > 0.
    /// @param proposers, executors, admin as in {TimelockController}.
    constructor(
        uint256 minDelay,
        uint256 gracePeriod_,
        address[] memory proposers,
        address[] memory executors,
        address admin
    ) TimelockController(minDelay, proposers, executors, admin) {
        if (gracePeriod_ == 0) revert TesseraTimelock__ZeroGracePeriod();
        _gracePeriod = gracePeriod_;
    }

    /// @inheritdoc ITesseraTimelock
    function gracePeriod() external view returns (uint256) {
        return _gracePeriod;
    }

    /// @inheritdoc ITesseraTimelock
    function isOperationExpired(bytes32 id) public view returns (bool) {
        uint256 readyAt = getTimestamp(id);
        // 0 = unset, 1 = done (TimelockController's marker); neither can expire.
        return readyAt > 1 && block.timestamp > readyAt + _gracePeriod;
    }

    /// @inheritdoc TimelockController
    /// @dev Reverts with {TesseraTimelock__OperationExpired} after the grace period.
    function execute(
        address target,
        uint256 value,
        bytes calldata payload,
        bytes32 predecessor,
        bytes32 salt
    ) public payable override {
        _revertIfExpired(hashOperation(target, value, payload, predecessor, salt));
        super.execute(target, value, payload, predecessor, salt);
    }

    /// @inheritdoc TimelockController
    /// @dev Reverts with {TesseraTimelock__OperationExpired} after the grace period.
    function executeBatch(
        address[] calldata targets,
        uint256[] calldata values,
        bytes[] calldata payloads,
        bytes32 predecessor,
        bytes32 salt
    ) public payable override {
        _revertIfExpired(hashOperationBatch(targets, values, payloads, predecessor, salt));
        super.executeBatch(targets, values, payloads, predecessor, salt);
    }

    /// @inheritdoc TimelockController
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return
            interfaceId == type(ITesseraTimelock).interfaceId ||
            super.supportsInterface(interfaceId);
    }

    function _revertIfExpired(bytes32 id) private view {
        if (isOperationExpired(id))
            revert TesseraTimelock__OperationExpired(id, getTimestamp(id) + _gracePeriod);
    }
}
