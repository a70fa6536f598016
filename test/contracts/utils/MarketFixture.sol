// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {TestBase} from "./Vm.sol";
import {MerkleBuilder} from "./MerkleBuilder.sol";
import {TesseraToken} from "../../../contracts/token/TesseraToken.sol";
import {Marketplace} from "../../../contracts/market/Marketplace.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Params} from "../../../contracts/types/Params.sol";
import {RequestId} from "../../../contracts/types/RequestId.sol";
import {RequestParams, Challenge} from "../../../contracts/types/Market.sol";

/// @dev Deploys the real token and Marketplace and offers helpers to drive deals.
abstract contract MarketFixture is TestBase {
    uint256 internal constant PERIOD = 20;
    uint256 internal constant TOKEN = 1e18;
    uint256 internal constant STAKE = 1_000 * TOKEN;
    uint256 internal constant PRICE = 10 * TOKEN;
    uint256 internal constant COLLATERAL = 100 * TOKEN;
    uint256 internal constant SHARD = 1000; // 16 leaves, depth 4

    address internal constant OWNER = address(0x0A11);
    address internal constant TREASURY = address(0x7EA5);
    address internal constant CLIENT = address(0xC11E);
    address internal constant REPORTER = address(0x5EE);
    address internal constant P1 = address(0x1001);
    address internal constant P2 = address(0x1002);
    address internal constant P3 = address(0x1003);
    address internal constant P4 = address(0x1004);
    address internal constant P5 = address(0x1005);

    TesseraToken internal token;
    Marketplace internal market;
    mapping(bytes32 id => mapping(uint256 slot => bytes)) internal shards;
    uint256 private _shardSalt;

    function defaultParams() internal pure returns (Params memory) {
        return
            Params({
                protocolFeeBps: 100,
                slashBps: 500,
                reporterRewardBps: 5000,
                repairBountyBps: 5000,
                maxMisses: 3,
                challengesPerPeriod: 4,
                missGracePeriods: 16,
                challengeWindowBlocks: 10,
                unbondingDelay: 7 days,
                maxShardSize: 1 << 28,
                maxDurationPeriods: 3650,
                targetedBond: uint128(TOKEN),
                minStake: uint128(100 * TOKEN)
            });
    }

    function setUp() public virtual {
        vm.roll(10_000);
        vm.warp(1_700_000_000);
        token = new TesseraToken(address(this));
        market = new Marketplace(IERC20(address(token)), OWNER, TREASURY, PERIOD, defaultParams());
        address[8] memory people = [CLIENT, REPORTER, P1, P2, P3, P4, P5, OWNER];
        for (uint256 i; i < people.length; ++i) {
            fund(people[i], 1_000_000 * TOKEN);
        }
    }

    function fund(address who, uint256 amount) internal {
        token.transfer(who, amount);
        vm.prank(who);
        token.approve(address(market), type(uint256).max);
    }

    function register(address p) internal {
        vm.prank(p);
        market.register(STAKE, 1 << 40, 1, "http://p", "/ip4/127.0.0.1/tcp/1");
    }

    function requestParams(
        uint8 k,
        uint8 m,
        uint64 shardSize,
        uint32 duration
    ) internal returns (RequestParams memory p) {
        uint256 n = uint256(k) + m;
        p.k = k;
        p.m = m;
        p.shardSize = shardSize;
        p.durationPeriods = duration;
        p.pricePerSlotPeriod = uint128(PRICE);
        p.collateralPerSlot = uint128(COLLATERAL);
        p.fillDeadline = uint64(block.timestamp + 1 days);
        p.roots = new bytes16[](n);
        p.cids = new string[](n);
        for (uint256 i; i < n; ++i) {
            bytes memory data = MerkleBuilder.shard(
                keccak256(abi.encode("shard", _shardSalt++)),
                shardSize
            );
            p.roots[i] = MerkleBuilder.root(data);
            p.cids[i] = "bafy";
            shards[bytes32(0)][i] = data; // staged; moved under the id by createRequest()
        }
    }

    function createRequest(RequestParams memory p) internal returns (RequestId id) {
        vm.prank(CLIENT);
        id = market.createRequest(p);
        uint256 n = uint256(p.k) + p.m;
        for (uint256 i; i < n; ++i) {
            shards[RequestId.unwrap(id)][i] = shards[bytes32(0)][i];
        }
    }

    function newRequest(uint8 k, uint8 m) internal returns (RequestId) {
        return createRequest(requestParams(k, m, uint64(SHARD), 10));
    }

    function fillProof(
        RequestId id,
        uint256 slot
    ) internal view returns (uint256 proofBlock, bytes memory proof) {
        proofBlock = block.number - 1;
        bytes memory data = shards[RequestId.unwrap(id)][slot];
        uint256 nLeaves = (data.length + 63) / 64;
        uint256 leaf = uint256(keccak256(abi.encode(blockhash(proofBlock), id, slot))) % nLeaves;
        proof = MerkleBuilder.proof(data, leaf);
    }

    function fill(RequestId id, uint256 slot, address p) internal {
        (uint256 pb, bytes memory proof) = fillProof(id, slot);
        vm.prank(p);
        market.fillSlot(id, slot, pb, proof);
    }

    /// @dev Creates a k-of-n request and fills slot i with providers[i]; returns the id.
    function startedRequest(
        uint8 k,
        uint8 m,
        address[] memory providers
    ) internal returns (RequestId id) {
        id = newRequest(k, m);
        for (uint256 i; i < providers.length; ++i) {
            fill(id, i, providers[i]);
        }
    }

    function proofsFor(address p) internal view returns (bytes memory out) {
        Challenge[] memory cs = market.challengesFor(p, market.currentPeriod());
        for (uint256 j; j < cs.length; ++j) {
            bytes memory data = shards[RequestId.unwrap(cs[j].id)][cs[j].slot];
            out = bytes.concat(out, MerkleBuilder.proof(data, cs[j].leaf));
        }
    }

    function prove(address p) internal {
        bytes memory proofs = proofsFor(p);
        uint256 period = market.currentPeriod();
        vm.prank(p);
        market.submitProofs(period, proofs);
    }

    /// @dev Moves to the first block of the next period.
    function nextPeriod() internal {
        vm.roll((block.number / PERIOD + 1) * PERIOD + 1);
    }

    function rollToPeriod(uint256 period) internal {
        vm.roll(period * PERIOD + 1);
    }

    function providers3() internal pure returns (address[] memory ps) {
        ps = new address[](3);
        ps[0] = P1;
        ps[1] = P2;
        ps[2] = P3;
    }
}
