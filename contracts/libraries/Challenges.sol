// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {RequestId} from "../types/RequestId.sol";

/// @title Challenges — seeds and challenge derivation (docs/protocol.md §2, §3, §5).
library Challenges {
    /// @notice Leaves per weighting unit (2^16 leaves = 4 MiB of shard).
    uint256 internal constant UNIT_LEAVES = 1 << 16;

    /// @notice Seed of `period`: keccak256(abi.encode(blockhash(start(period) - 1), period)).
    function seed(bytes32 blockHash, uint256 period) internal pure returns (bytes32) {
        return keccak256(abi.encode(blockHash, period));
    }

    /// @notice Randomness of challenge `j` of `provider`: uint256(keccak256(abi.encode(seed, provider, j))).
    function draw(bytes32 seed_, address provider, uint256 j) internal pure returns (uint256 r) {
        assembly ("memory-safe") {
            // Hash abi.encode(seed, provider, j) in the free memory area without allocating it
            // (the free memory pointer is not moved: nothing else uses this memory afterwards).
            let m := mload(0x40)
            mstore(m, seed_)
            mstore(add(m, 0x20), and(provider, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(m, 0x40), j)
            r := keccak256(m, 0x60)
        }
    }

    /// @notice Number of units of a shard of `nLeaves` leaves: ceil(nLeaves / UNIT_LEAVES).
    function unitsOf(uint256 nLeaves) internal pure returns (uint256) {
        // nLeaves ≤ 2^24 (maxShardSize ≤ 2^30), the sum cannot overflow.
        unchecked {
            return (nLeaves + UNIT_LEAVES - 1) / UNIT_LEAVES;
        }
    }

    /// @notice The challenged leaf inside `unit` of a shard of `nLeaves` leaves, for randomness `r`.
    function leafInUnit(uint256 r, uint256 unit, uint256 nLeaves) internal pure returns (uint256) {
        // unit < unitsOf(nLeaves), so first < nLeaves and span ≥ 1; values ≤ 2^24, no overflow.
        unchecked {
            uint256 first = unit * UNIT_LEAVES;
            uint256 rest = nLeaves - first;
            uint256 span = rest < UNIT_LEAVES ? rest : UNIT_LEAVES;
            return first + ((r >> 128) % span);
        }
    }

    /// @notice The leaf a filler must prove: uint256(keccak256(abi.encode(blockHash, id, slot))) % nLeaves.
    function fillLeaf(
        bytes32 blockHash,
        RequestId id,
        uint256 slot,
        uint256 nLeaves
    ) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(blockHash, id, slot))) % nLeaves;
    }
}
