// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @notice Identifier of a storage request: keccak256(abi.encode(client, clientNonce)).
type RequestId is bytes32;

using RequestIdLib for RequestId global;
using {eqRequestId as ==, neqRequestId as !=} for RequestId global;

function eqRequestId(RequestId a, RequestId b) pure returns (bool) {
    return RequestId.unwrap(a) == RequestId.unwrap(b);
}

function neqRequestId(RequestId a, RequestId b) pure returns (bool) {
    return RequestId.unwrap(a) != RequestId.unwrap(b);
}

/// @title RequestIdLib — derivation and helpers for {RequestId}.
library RequestIdLib {
    /// @notice The id of the `nonce`-th request of `client`.
    function derive(address client, uint256 nonce) internal pure returns (RequestId) {
        return RequestId.wrap(keccak256(abi.encode(client, nonce)));
    }

    /// @notice The raw bytes32 value.
    function raw(RequestId id) internal pure returns (bytes32) {
        return RequestId.unwrap(id);
    }

    /// @notice True for the zero id (never a valid request).
    function isZero(RequestId id) internal pure returns (bool) {
        return RequestId.unwrap(id) == bytes32(0);
    }
}
