// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Params} from "../types/Params.sol";

/// @title IProtocolParams — the one place every protocol parameter lives.
/// @notice Settable only by the owner (governance Timelock, two-step transfer); each value is
/// bounded by a hard limit in code. A guardian appointed by the owner may pause new requests.
interface IProtocolParams {
    /// @notice Parameter `name` was set to `value`, outside its hard limits [`min`, `max`].
    error ProtocolParams__OutOfRange(string name, uint256 value, uint256 min, uint256 max);
    /// @notice A zero address was given for `what` ("treasury").
    error ProtocolParams__ZeroAddress(string what);
    /// @notice `caller` is neither the guardian nor the owner.
    error ProtocolParams__NotGuardian(address caller);
    /// @notice New requests are paused by the guardian.
    error ProtocolParams__Paused();

    /// @notice The parameters changed (running deals keep their snapshot).
    event ParamsUpdated(Params params);
    /// @notice The treasury (fee recipient) changed.
    event TreasuryUpdated(address treasury);
    /// @notice The guardian changed.
    event GuardianUpdated(address guardian);
    /// @notice New requests were paused by `account`.
    event Paused(address account);
    /// @notice New requests were unpaused by `account`.
    event Unpaused(address account);

    /// @notice Replaces every parameter. Owner only. Reverts with {ProtocolParams__OutOfRange}.
    function setParams(Params calldata p) external;

    /// @notice Sets the fee recipient. Owner only.
    function setTreasury(address treasury_) external;

    /// @notice Appoints the guardian (zero to remove). Owner only.
    function setGuardian(address guardian_) external;

    /// @notice Pauses `createRequest*` (never fills, proofs, claims or withdrawals). Guardian or owner.
    function pause() external;

    /// @notice Lifts the pause. Guardian or owner.
    function unpause() external;

    /// @notice The current parameters.
    function params() external view returns (Params memory);

    /// @notice The fee recipient.
    function treasury() external view returns (address);

    /// @notice The guardian.
    function guardian() external view returns (address);

    /// @notice Whether new requests are paused.
    function paused() external view returns (bool);
}
