// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title Bits — popcount and range masks for 256-bit period bitmaps.
library Bits {
    /// @notice Number of set bits of `x` (SWAR, constant gas).
    function popcount(uint256 x) internal pure returns (uint256) {
        // Lane arithmetic never carries out of a lane: 2-bit lanes hold ≤ 2, 4-bit ≤ 4, 8-bit ≤ 8,
        // 16-bit ≤ 256; the final multiply sums the 16-bit lanes into the top lane (≤ 256 < 2^16)
        // and any wrap-around above bit 255 is intended.
        unchecked {
            x = x - ((x >> 1) & 0x5555555555555555555555555555555555555555555555555555555555555555);
            x =
                (x & 0x3333333333333333333333333333333333333333333333333333333333333333) +
                ((x >> 2) & 0x3333333333333333333333333333333333333333333333333333333333333333);
            x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f;
            x = (x + (x >> 8)) & 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff;
            return (x * 0x0001000100010001000100010001000100010001000100010001000100010001) >> 240;
        }
    }

    /// @notice Mask of bits [from, to) with 0 ≤ from ≤ to ≤ 256.
    function rangeMask(uint256 from, uint256 to) internal pure returns (uint256) {
        if (from >= to) return 0;
        // to ≤ 256: (1 << to) would overflow for to = 256, so build from the high side.
        uint256 high = to == 256 ? type(uint256).max : (uint256(1) << to) - 1;
        return high & ~((uint256(1) << from) - 1);
    }
}
