// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Marketplace} from "../../../contracts/market/Marketplace.sol";
import {MerkleSegments} from "../../../contracts/libraries/MerkleSegments.sol";
import {Params} from "../../../contracts/types/Params.sol";
import {RequestId} from "../../../contracts/types/RequestId.sol";
import {RequestState} from "../../../contracts/types/Market.sol";

/// @dev The real Marketplace plus two setters that build large states cheaply for the gas-scaling
/// test: many existing requests, and a provider holding thousands of slots' unit entries.
contract MarketplaceHarness is Marketplace {
    constructor(
        IERC20 token_,
        address owner_,
        address treasury_,
        uint256 periodBlocks_,
        Params memory p
    ) Marketplace(token_, owner_, treasury_, periodBlocks_, p) {}

    /// @dev Records `count` open requests (client, state, index) without escrow.
    function harness_addRequests(uint256 count) external {
        for (uint256 i; i < count; ++i) {
            uint64 index = _requestCount++;
            RequestId id = RequestId.wrap(keccak256(abi.encode("harness", index)));
            _requestIds[index] = id;
            Request storage r = _requests[id];
            r.client = msg.sender;
            r.state = RequestState.Open;
            r.index = index;
        }
    }

    /// @dev Appends `count` unit entries of a shard with `root`/`nLeaves` to `provider`'s list, as
    /// `count` fills of distinct fake requests would.
    function harness_addUnits(
        address provider,
        uint256 count,
        bytes16 root,
        uint256 nLeaves
    ) external {
        uint256[] storage units = _units[provider];
        uint256 len = units.length;
        if (len == 0) {
            Provider storage pr = _provider(provider);
            pr.dueFrom = uint32(_currentPeriod() + 1);
            pr.dueUntil = type(uint32).max;
        }
        for (uint256 i; i < count; ++i) {
            uint256 entry =
                (uint256(uint128(root)) << 128) |
                    (nLeaves << 96) |
                    (((uint256(1) << 63) | (len + i)) << 16) |
                    MerkleSegments.depthOf(nLeaves);
            units.push(entry);
            _unitPos[provider][entry & KEY_MASK] = len + i + 1;
        }
    }
}
