// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {TestBase, Vm} from "../utils/Vm.sol";
import {MerkleBuilder} from "../utils/MerkleBuilder.sol";
import {TesseraToken} from "../../../contracts/token/TesseraToken.sol";
import {Marketplace} from "../../../contracts/market/Marketplace.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Params} from "../../../contracts/types/Params.sol";
import {RequestId} from "../../../contracts/types/RequestId.sol";
import {
    RequestParams,
    RequestView,
    SlotView,
    Challenge,
    TargetedChallenge,
    ChallengeStatus,
    ProviderView
} from "../../../contracts/types/Market.sol";

/// @dev Drives the real Marketplace with bounded random actions from a fixed set of actors.
/// Every action is attempted with try/catch: a revert is a legitimate outcome, never a failure.
contract MarketHandler is TestBase {
    uint256 internal constant PERIOD = 10;
    uint64 internal constant SHARD = 200; // 4 leaves

    TesseraToken public token;
    Marketplace public market;
    address public treasury;
    address[] public actors; // [client, client2, reporter, p1..p4]
    address[] public providers;
    RequestId[] public requests;
    uint256 public challenges;
    mapping(bytes32 => mapping(uint256 => bytes)) internal shardOf;
    uint256 internal salt;

    /// Ghosts: per actor, what the market credited just before each withdraw, and what was paid.
    mapping(address => uint256) public withdrawn;
    uint256 public overpaid; // > 0 if any withdraw paid more than the pull balance

    constructor(
        TesseraToken token_,
        Marketplace market_,
        address treasury_,
        address[] memory actors_
    ) {
        token = token_;
        market = market_;
        treasury = treasury_;
        actors = actors_;
        for (uint256 i = 3; i < actors_.length; ++i) providers.push(actors_[i]);
    }

    function requestCount() external view returns (uint256) {
        return requests.length;
    }

    function providerCount() external view returns (uint256) {
        return providers.length;
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    // ------------------------------------------------------------------ actions

    function roll(uint8 blocks) external {
        vm.roll(block.number + 1 + (blocks % 25));
    }

    function warp(uint32 secs) external {
        vm.warp(block.timestamp + (secs % 2 days));
    }

    function createRequest(uint8 kSeed, uint8 mSeed, uint8 durSeed, uint8 who) external {
        uint8 k = uint8(1 + (kSeed % 2));
        uint8 m = mSeed % (k + 1);
        uint256 n = uint256(k) + m;
        RequestParams memory p;
        p.k = k;
        p.m = m;
        p.shardSize = SHARD;
        p.durationPeriods = uint32(1 + (durSeed % 5));
        p.pricePerSlotPeriod = uint128(1e18 + uint256(durSeed) * 1e15);
        p.collateralPerSlot = uint128(5e18);
        p.fillDeadline = uint64(block.timestamp + 1 hours);
        p.roots = new bytes16[](n);
        bytes[] memory data = new bytes[](n);
        for (uint256 i; i < n; ++i) {
            data[i] = MerkleBuilder.shard(keccak256(abi.encode(salt++)), SHARD);
            p.roots[i] = MerkleBuilder.root(data[i]);
        }
        address client = actors[who % 2];
        vm.prank(client);
        try market.createRequest(p) returns (RequestId id) {
            requests.push(id);
            for (uint256 i; i < n; ++i) shardOf[RequestId.unwrap(id)][i] = data[i];
        } catch {}
    }

    function _req(uint256 seed) internal view returns (RequestId id, bool ok) {
        if (requests.length == 0) return (id, false);
        return (requests[seed % requests.length], true);
    }

    function fillSlot(uint256 reqSeed, uint8 slotSeed, uint8 provSeed) external {
        (RequestId id, bool ok) = _req(reqSeed);
        if (!ok) return;
        RequestView memory r = market.getRequest(id);
        uint256 slot = slotSeed % (uint256(r.k) + r.m);
        address p = providers[provSeed % providers.length];
        uint256 pb = block.number - 1;
        uint256 leaf = uint256(keccak256(abi.encode(blockhash(pb), id, slot))) % r.nLeaves;
        bytes memory proof = MerkleBuilder.proof(shardOf[RequestId.unwrap(id)][slot], leaf);
        vm.prank(p);
        try market.fillSlot(id, slot, pb, proof) {} catch {}
    }

    function prove(uint8 provSeed, bool corrupt) external {
        address p = providers[provSeed % providers.length];
        uint256 period = market.currentPeriod();
        try market.challengesFor(p, period) returns (Challenge[] memory cs) {
            bytes memory proofs;
            for (uint256 j; j < cs.length; ++j) {
                proofs = bytes.concat(
                    proofs,
                    MerkleBuilder.proof(shardOf[RequestId.unwrap(cs[j].id)][cs[j].slot], cs[j].leaf)
                );
            }
            if (corrupt && proofs.length != 0) proofs[0] ^= 0x01;
            vm.prank(p);
            try market.submitProofs(period, proofs) {} catch {}
        } catch {}
    }

    function recordSeed() external {
        try market.recordSeed(market.currentPeriod()) {} catch {}
    }

    function markMissing(uint8 provSeed, uint8 back, uint8 who) external {
        address p = providers[provSeed % providers.length];
        uint256 current = market.currentPeriod();
        uint256 period = current - 1 - (back % 4);
        vm.prank(actors[who % actors.length]);
        try market.markProofAsMissing(p, period) {} catch {}
    }

    function freeSlot(uint256 reqSeed, uint8 slotSeed) external {
        (RequestId id, bool ok) = _req(reqSeed);
        if (!ok) return;
        try market.freeSlot(id, slotSeed % 4) {} catch {}
    }

    function claimSlot(uint256 reqSeed, uint8 slotSeed) external {
        (RequestId id, bool ok) = _req(reqSeed);
        if (!ok) return;
        try market.claimSlot(id, slotSeed % 4) {} catch {}
    }

    function cancel(uint256 reqSeed) external {
        (RequestId id, bool ok) = _req(reqSeed);
        if (!ok) return;
        try market.cancelRequest(id) {} catch {}
    }

    function challenge(uint256 reqSeed, uint8 slotSeed, uint8 leaf, uint8 who) external {
        (RequestId id, bool ok) = _req(reqSeed);
        if (!ok) return;
        vm.prank(actors[who % 3]);
        try market.challengeSlot(id, slotSeed % 4, leaf % 4) returns (uint256 cid) {
            challenges = cid;
        } catch {}
    }

    function answer(uint256 cidSeed, bool corrupt) external {
        if (challenges == 0) return;
        uint256 cid = 1 + (cidSeed % challenges);
        TargetedChallenge memory c = market.getChallenge(cid);
        bytes memory proof = MerkleBuilder.proof(shardOf[RequestId.unwrap(c.id)][c.slot], c.leaf);
        if (corrupt) proof[1] ^= 0x01;
        try market.answerChallenge(cid, proof) {} catch {}
    }

    function failChallenge(uint256 cidSeed) external {
        if (challenges == 0) return;
        try market.markChallengeFailed(1 + (cidSeed % challenges)) {} catch {}
    }

    function stake(uint8 provSeed, uint64 amount, uint8 action) external {
        address p = providers[provSeed % providers.length];
        vm.prank(p);
        if (action % 3 == 0) {
            try market.addStake(uint256(amount) + 1) {} catch {}
        } else if (action % 3 == 1) {
            try market.requestUnstake(uint256(amount) + 1) {} catch {}
        } else {
            try market.withdrawStake() {} catch {}
        }
    }

    function withdraw(uint8 who) external {
        address a = who % 8 == 7 ? treasury : actors[who % actors.length];
        uint256 owed = market.balanceOf(a);
        uint256 before = token.balanceOf(a);
        vm.prank(a);
        try market.withdraw() {
            uint256 paid = token.balanceOf(a) - before;
            if (paid > owed) overpaid += paid - owed;
            withdrawn[a] += paid;
            if (market.balanceOf(a) != 0) overpaid += 1; // balance must be zeroed
        } catch {}
    }
}

contract MarketplaceInvariantTest is TestBase {
    TesseraToken internal token;
    Marketplace internal market;
    MarketHandler internal handler;
    address internal constant TREASURY = address(0x7EA5);
    uint256 internal supplyOutside;

    function setUp() public {
        vm.roll(10_000);
        vm.warp(1_700_000_000);
        token = new TesseraToken(address(this));
        Params memory p = Params({
            protocolFeeBps: 250,
            slashBps: 1000,
            reporterRewardBps: 3000,
            repairBountyBps: 4000,
            maxMisses: 2,
            challengesPerPeriod: 3,
            missGracePeriods: 8,
            challengeWindowBlocks: 5,
            unbondingDelay: 1 hours,
            maxShardSize: 1 << 20,
            maxDurationPeriods: 100,
            targetedBond: 1e17,
            minStake: 10e18
        });
        market = new Marketplace(IERC20(address(token)), address(this), TREASURY, 10, p);
        address[] memory actors = new address[](7);
        for (uint256 i; i < 7; ++i) {
            actors[i] = address(uint160(0xA000 + i));
            token.transfer(actors[i], 10_000e18);
            vm.prank(actors[i]);
            token.approve(address(market), type(uint256).max);
        }
        for (uint256 i = 3; i < 7; ++i) {
            vm.prank(actors[i]);
            market.register(100e18, 1 << 30, 0, "", "");
        }
        handler = new MarketHandler(token, market, TREASURY, actors);
    }

    function targetContracts() public view returns (address[] memory t) {
        t = new address[](1);
        t[0] = address(handler);
    }

    /// Tokens held by the marketplace == stakes + unbonding + escrow + slot collateral + repair
    /// bounties + open challenge bonds + every pull balance (actors and treasury).
    function invariant_tokensHeldEqualLiabilities() public view {
        uint256 liabilities;
        for (uint256 i; i < handler.providerCount(); ++i) {
            ProviderView memory v = market.getProvider(handler.providers(i));
            liabilities += uint256(v.stake) + v.unbonding;
        }
        for (uint256 i; i < handler.requestCount(); ++i) {
            RequestId id = handler.requests(i);
            RequestView memory r = market.getRequest(id);
            liabilities += r.escrow;
            for (uint256 s; s < uint256(r.k) + r.m; ++s) {
                SlotView memory sv = market.getSlot(id, s);
                liabilities += uint256(sv.collateral) + sv.bounty;
            }
        }
        for (uint256 c = 1; c <= handler.challenges(); ++c) {
            TargetedChallenge memory t = market.getChallenge(c);
            if (t.status == ChallengeStatus.Open) liabilities += t.bond;
        }
        for (uint256 i; i < handler.actorCount(); ++i) {
            liabilities += market.balanceOf(handler.actors(i));
        }
        liabilities += market.balanceOf(TREASURY);
        assertEq(
            token.balanceOf(address(market)),
            liabilities,
            "marketplace tokens == liabilities"
        );
    }

    /// No withdrawal ever paid more than the caller's pull balance, and the balance is zeroed.
    function invariant_nobodyWithdrawsMoreThanOwed() public view {
        assertEq(handler.overpaid(), 0, "overpaid");
    }

    /// Tokens are never created or lost: actors + treasury + marketplace hold what was handed out.
    function invariant_tokenConservation() public view {
        uint256 total = token.balanceOf(address(market)) + token.balanceOf(TREASURY);
        for (uint256 i; i < handler.actorCount(); ++i) {
            total += token.balanceOf(handler.actors(i));
        }
        assertEq(total, 7 * 10_000e18, "conservation");
    }
}
