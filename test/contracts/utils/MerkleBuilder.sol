// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @dev Builds Tessera shard trees in memory (docs/protocol.md §1), independently of the
/// contract's assembly verifier: plain `sha256` over abi.encodePacked messages.
library MerkleBuilder {
    bytes32 internal constant NODE_PAD = bytes32(uint256(1) << 248);

    /// @dev A deterministic pseudo-random shard of `size` bytes.
    function shard(bytes32 seed, uint256 size) internal pure returns (bytes memory out) {
        out = new bytes(size);
        for (uint256 i; i < size; i += 32) {
            bytes32 w = keccak256(abi.encode(seed, i));
            for (uint256 b; b < 32 && i + b < size; ++b) {
                out[i + b] = w[b];
            }
        }
    }

    function segment(bytes memory data, uint256 i) internal pure returns (bytes memory seg) {
        seg = new bytes(64);
        for (uint256 b; b < 64; ++b) {
            uint256 at = i * 64 + b;
            if (at < data.length) seg[b] = data[at];
        }
    }

    function node(bytes16 a, bytes16 b) internal pure returns (bytes16) {
        return bytes16(sha256(abi.encodePacked(a, b, NODE_PAD)));
    }

    function leaves(bytes memory data) internal pure returns (bytes16[] memory layer) {
        uint256 n = (data.length + 63) / 64;
        layer = new bytes16[](n);
        for (uint256 i; i < n; ++i) {
            layer[i] = bytes16(sha256(segment(data, i)));
        }
    }

    function up(bytes16[] memory layer) internal pure returns (bytes16[] memory next) {
        uint256 n = (layer.length + 1) / 2;
        next = new bytes16[](n);
        for (uint256 i; i < n; ++i) {
            bytes16 right = 2 * i + 1 < layer.length ? layer[2 * i + 1] : bytes16(0);
            next[i] = node(layer[2 * i], right);
        }
    }

    function root(bytes memory data) internal pure returns (bytes16) {
        bytes16[] memory layer = leaves(data);
        while (layer.length > 1) layer = up(layer);
        return layer[0];
    }

    /// @dev segment ‖ siblings for leaf `index`.
    function proof(bytes memory data, uint256 index) internal pure returns (bytes memory out) {
        out = segment(data, index);
        bytes16[] memory layer = leaves(data);
        uint256 i = index;
        while (layer.length > 1) {
            uint256 sib = i ^ 1;
            bytes16 s = sib < layer.length ? layer[sib] : bytes16(0);
            out = abi.encodePacked(out, s);
            layer = up(layer);
            i >>= 1;
        }
    }

    /// @dev Root and per-level sibling of a tree of 2^depth identical segments `seg`: every leaf
    /// has the same proof, so deep trees (e.g. depth 18) cost `depth` hashes to build.
    function uniform(
        bytes memory seg,
        uint256 depth
    ) internal pure returns (bytes16 r, bytes memory prf) {
        bytes16 h = bytes16(sha256(seg));
        prf = seg;
        for (uint256 d; d < depth; ++d) {
            prf = abi.encodePacked(prf, h);
            h = node(h, h);
        }
        r = h;
    }
}
