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
    function verify(
        bytes calldata proof,
        uint256 offset,
        uint256 leaf,
        uint256 depth,
        bytes16 root
    ) internal view returns (bool ok) {
        // Bounds: `offset` and `depth` come from the contract (≤ calldata size, ≤ 32), so the sum
        // cannot overflow; a short proof makes verification fail instead of reading zero padding.
        if (offset + SEGMENT_BYTES + NODE_BYTES * depth > proof.length) return false;
        assembly ("memory-safe") {
            // Scratch space only: 0x00–0x3f is the 64-byte hash input, 0x00–0x1f the output.
            let p := add(proof.offset, offset)
            // Leaf: SHA256(segment) — copy the 64-byte segment from calldata into scratch space.
            calldatacopy(0x00, p, 0x40)
            ok := staticcall(gas(), 0x02, 0x00, 0x40, 0x00, 0x20)
            // h holds the running hash in its high 16 bytes; its low 16 bytes are junk that each
            // level below overwrites or shifts out, so it is never masked inside the loop.
            // Second half of every node message: the tag 0x01 followed by 31 zero bytes.
            mstore(0x20, shl(248, 1))
            // high: mask of a word's high 16 bytes; tag: 0x01 in byte 16 of a word (see below).
            let high := not(0xffffffffffffffffffffffffffffffff)
            let tag := shl(120, 1)
            let end := add(p, add(0x40, shl(4, depth)))
            for {
                p := add(p, 0x40)
            } lt(p, end) {
                p := add(p, 0x10)
            } {
                // Bit d of the leaf index (leaf shifts right once per level): 0 = the running hash
                // is the left child, 1 = the right child. Branch-free:
                // 1. write the word (hash ‖ 0x01 ‖ 0^15) at 0x00 (left) or 0x10 (right). At 0x10 its
                //    low half lands on 0x20–0x2f and rewrites the tag byte in place, so the message's
                //    second half stays 0x01 ‖ 0^31 (0x30–0x3f are never written after the leaf).
                // 2. copy the 16-byte sibling from calldata into the other half, 0x10 or 0x00.
                let b := and(leaf, 1)
                mstore(shl(4, b), or(and(mload(0x00), high), tag))
                calldatacopy(shl(4, xor(b, 1)), p, 0x10)
                ok := and(ok, staticcall(gas(), 0x02, 0x00, 0x40, 0x00, 0x20))
                leaf := shr(1, leaf)
            }
            // Truncate to 16 bytes; mask the root too in case the caller left dirty low bits.
            ok := and(ok, eq(and(mload(0x00), high), and(root, high)))
        }
    }
}
