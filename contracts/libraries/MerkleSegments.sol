// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title MerkleSegments — verification of Tessera shard proofs (docs/protocol.md §1).
/// @notice Leaves are 64-byte segments, hashes are SHA-256 (precompile 0x02) truncated to
/// 16 bytes; `leaf = SHA256(segment)[0:16]`, `node(a, b) = SHA256(a ‖ b ‖ 0x01 ‖ 0^31)[0:16]`.
/// A proof is the segment followed by `depth` sibling nodes, tightly packed (64 + 16·depth bytes).
library MerkleSegments {
    /// @notice Bytes per leaf segment.
    uint256 internal constant SEGMENT_BYTES = 64;
    /// @notice Bytes per tree node (SHA-256 truncated to 128 bits).
    uint256 internal constant NODE_BYTES = 16;
    /// @notice Second half of every node message: 0x01 followed by 31 zero bytes.
    bytes32 internal constant NODE_PAD = bytes32(uint256(1) << 248);

    /// @notice Number of leaves of a shard of `shardSize` bytes: ceil(shardSize / 64).
    function leavesOf(uint256 shardSize) internal pure returns (uint256) {
        return Math.ceilDiv(shardSize, SEGMENT_BYTES);
    }

    /// @notice Tree depth for `nLeaves` leaves: ceil(log2(nLeaves)), 0 for a single leaf.
    function depthOf(uint256 nLeaves) internal pure returns (uint256) {
        return nLeaves <= 1 ? 0 : Math.log2(nLeaves - 1) + 1;
    }

    /// @notice Length in bytes of a proof for a tree of `depth`.
    function proofLength(uint256 depth) internal pure returns (uint256) {
        return SEGMENT_BYTES + NODE_BYTES * depth;
    }

    /// @notice Leaf hash of a 64-byte segment (memory version, for tests and off-chain parity).
    function leafHash(bytes memory segment) internal pure returns (bytes16) {
        return bytes16(sha256(segment));
    }

    /// @notice Parent of two nodes (memory version, for tests and off-chain parity).
    function nodeHash(bytes16 left, bytes16 right) internal pure returns (bytes16) {
        return bytes16(sha256(abi.encodePacked(left, right, NODE_PAD)));
    }

    /// @notice Verifies the proof found at `proof[offset : offset + 64 + 16·depth]` for leaf
    /// index `leaf` against `root`. Returns false (never reverts) on a wrong proof or when the
    /// proof does not fit in `proof`.
    /// @dev Walks the path in assembly, hashing in the scratch space (0x00–0x3f) with the SHA-256
    /// precompile: no memory is allocated, so the cost is flat ≈ 200 gas per level.
    function verify(bytes calldata proof, uint256 offset, uint256 leaf, uint256 depth, bytes16 root)
        internal
        view
        returns (bool ok)
    {
        // Bounds: `offset` and `depth` come from the contract (≤ calldata size, ≤ 32), so the sum
        // cannot overflow; a short proof makes verification fail instead of reading zero padding.
        if (offset + SEGMENT_BYTES + NODE_BYTES * depth > proof.length) return false;
        assembly ("memory-safe") {
            // Scratch space only: 0x00–0x3f is the 64-byte hash input, 0x00–0x1f the output.
            // High-16-byte mask (a left-aligned bytes16) and the node tag word 0x01 ‖ 0^31.
            let high := not(0xffffffffffffffffffffffffffffffff)
            let pad := shl(248, 1)
            let p := add(proof.offset, offset)
            // Leaf: SHA256(segment) — copy the 64-byte segment from calldata into scratch space.
            calldatacopy(0x00, p, 0x40)
            ok := staticcall(gas(), 0x02, 0x00, 0x40, 0x00, 0x20)
            // Keep the high 16 bytes (truncation to 128 bits).
            let h := and(mload(0x00), high)
            p := add(p, 0x40)
            for { let d := 0 } lt(d, depth) { d := add(d, 1) } {
                // Sibling: the next 16 calldata bytes (calldataload reads 32; keep the high 16).
                let s := and(calldataload(p), high)
                // Bit d of the leaf index says whether the running hash is the left or right child;
                // the first word of the message is left ‖ right (16 + 16 bytes).
                switch and(shr(d, leaf), 1)
                case 0 { mstore(0x00, or(h, shr(128, s))) }
                default { mstore(0x00, or(s, shr(128, h))) }
                // Second word: the node tag 0x01 ‖ 31 zero bytes (rewritten each level because the
                // precompile output overwrote only 0x00–0x1f; this keeps the block self-contained).
                mstore(0x20, pad)
                ok := and(ok, staticcall(gas(), 0x02, 0x00, 0x40, 0x00, 0x20))
                h := and(mload(0x00), high)
                p := add(p, 0x10)
            }
            // The root is a left-aligned bytes16; mask it in case the caller left dirty low bits.
            ok := and(ok, eq(h, and(root, high)))
        }
    }
}
