// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {MarketFixture} from "../utils/MarketFixture.sol";
import {MerkleBuilder} from "../utils/MerkleBuilder.sol";
import {IMarketplaceEvents} from "../../../contracts/interfaces/IMarketplace.sol";
import {IProviderRegistry} from "../../../contracts/interfaces/IProviderRegistry.sol";
import {IProtocolParams} from "../../../contracts/interfaces/IProtocolParams.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {RequestId, RequestIdLib} from "../../../contracts/types/RequestId.sol";
import {
    RequestParams,
    RequestState,
    SlotState,
    RequestView,
    SlotView,
    Challenge,
    ProviderView
} from "../../../contracts/types/Market.sol";

contract MarketplaceRequestTest is MarketFixture {
    function test_createRequest_escrowsWholePrice() public {
        uint256 before = token.balanceOf(CLIENT);
        RequestId id = newRequest(2, 1);
        assertEq(token.balanceOf(CLIENT), before - 3 * PRICE * 10, "client paid n*price*duration");
        assertEq(token.balanceOf(address(market)), 3 * PRICE * 10, "market holds escrow");
        RequestView memory r = market.getRequest(id);
        assertEq(uint256(r.state), uint256(RequestState.Open), "open");
        assertEq(r.escrow, 3 * PRICE * 10, "escrow recorded");
        assertEq(r.nLeaves, 16, "nLeaves");
        assertEq(
            RequestId.unwrap(id),
            RequestId.unwrap(RequestIdLib.derive(CLIENT, 0)),
            "id = derive(client, 0)"
        );
        assertEq(market.clientNonce(CLIENT), 1, "nonce");
        assertEq(market.requestCount(), 1, "count");
    }

    function _expectCreateRevert(RequestParams memory p, bytes memory err) internal {
        uint256 clientBefore = token.balanceOf(CLIENT);
        uint256 marketBefore = token.balanceOf(address(market));
        vm.prank(CLIENT);
        vm.expectRevert(err);
        market.createRequest(p);
        assertEq(token.balanceOf(CLIENT), clientBefore, "client balance untouched");
        assertEq(token.balanceOf(address(market)), marketBefore, "market balance untouched");
    }

    function test_createRequest_revertsOnZeroK() public {
        RequestParams memory p = requestParams(1, 0, uint64(SHARD), 10);
        p.k = 0;
        _expectCreateRevert(
            p,
            abi.encodeWithSelector(IMarketplaceEvents.Marketplace__InvalidRedundancy.selector, 0, 0)
        );
    }

    function test_createRequest_revertsWhenMExceedsK() public {
        RequestParams memory p = requestParams(1, 2, uint64(SHARD), 10);
        _expectCreateRevert(
            p,
            abi.encodeWithSelector(IMarketplaceEvents.Marketplace__InvalidRedundancy.selector, 1, 2)
        );
    }

    function test_createRequest_revertsOnZeroShardSize() public {
        RequestParams memory p = requestParams(1, 1, uint64(SHARD), 10);
        p.shardSize = 0;
        _expectCreateRevert(
            p,
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__InvalidShardSize.selector,
                0,
                1 << 28
            )
        );
    }

    function test_createRequest_revertsOnOversizedShard() public {
        RequestParams memory p = requestParams(1, 1, uint64(SHARD), 10);
        p.shardSize = uint64(1 << 28) + 1;
        _expectCreateRevert(
            p,
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__InvalidShardSize.selector,
                (1 << 28) + 1,
                1 << 28
            )
        );
    }

    function test_createRequest_revertsOnZeroDuration() public {
        RequestParams memory p = requestParams(1, 1, uint64(SHARD), 10);
        p.durationPeriods = 0;
        _expectCreateRevert(
            p,
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__InvalidDuration.selector,
                0,
                3650
            )
        );
    }

    function test_createRequest_revertsOnOverflowingDuration() public {
        RequestParams memory p = requestParams(1, 1, uint64(SHARD), 10);
        p.durationPeriods = type(uint32).max;
        _expectCreateRevert(
            p,
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__InvalidDuration.selector,
                type(uint32).max,
                3650
            )
        );
    }

    function test_createRequest_revertsOnOverflowingEscrow() public {
        RequestParams memory p = requestParams(1, 1, uint64(SHARD), 10);
        p.pricePerSlotPeriod = type(uint128).max;
        _expectCreateRevert(
            p,
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__EscrowOverflow.selector,
                2,
                uint256(type(uint128).max),
                10
            )
        );
    }

    function test_createRequest_revertsOnZeroPrice() public {
        RequestParams memory p = requestParams(1, 1, uint64(SHARD), 10);
        p.pricePerSlotPeriod = 0;
        _expectCreateRevert(
            p,
            abi.encodeWithSelector(IMarketplaceEvents.Marketplace__ZeroPrice.selector)
        );
    }

    function test_createRequest_revertsOnWrongRootCount() public {
        RequestParams memory p = requestParams(1, 1, uint64(SHARD), 10);
        p.roots = new bytes16[](1);
        p.roots[0] = bytes16(uint128(1));
        _expectCreateRevert(
            p,
            abi.encodeWithSelector(IMarketplaceEvents.Marketplace__WrongShardCount.selector, 2, 1)
        );
    }

    function test_createRequest_revertsOnZeroRoot() public {
        RequestParams memory p = requestParams(1, 1, uint64(SHARD), 10);
        p.roots[1] = bytes16(0);
        _expectCreateRevert(
            p,
            abi.encodeWithSelector(IMarketplaceEvents.Marketplace__ZeroRoot.selector, 1)
        );
    }

    function test_createRequest_revertsOnPastDeadline() public {
        RequestParams memory p = requestParams(1, 1, uint64(SHARD), 10);
        p.fillDeadline = uint64(block.timestamp);
        _expectCreateRevert(
            p,
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__FillDeadlinePassed.selector,
                block.timestamp,
                block.timestamp
            )
        );
    }

    function test_createRequest_revertsOnTooLittleAllowance() public {
        RequestParams memory p = requestParams(1, 1, uint64(SHARD), 10);
        vm.prank(CLIENT);
        token.approve(address(market), 5);
        _expectCreateRevert(
            p,
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector,
                address(market),
                5,
                2 * PRICE * 10
            )
        );
    }

    function test_createRequest_revertsWhenPaused() public {
        vm.prank(OWNER);
        market.setGuardian(REPORTER);
        vm.prank(REPORTER);
        market.pause();
        RequestParams memory p = requestParams(1, 1, uint64(SHARD), 10);
        _expectCreateRevert(
            p,
            abi.encodeWithSelector(IProtocolParams.ProtocolParams__Paused.selector)
        );
        // The pause never blocks withdrawals.
        vm.prank(REPORTER);
        market.unpause();
        newRequest(1, 1);
    }

    function test_cancelRequest_refundsClientAndCollateral() public {
        register(P1);
        RequestId id = newRequest(1, 1);
        fill(id, 0, P1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__FillDeadlineNotReached.selector,
                block.timestamp + 1 days,
                block.timestamp
            )
        );
        market.cancelRequest(id);
        vm.warp(block.timestamp + 1 days + 1);
        market.cancelRequest(id);
        assertEq(market.balanceOf(CLIENT), 2 * PRICE * 10, "client refunded in full");
        market.claimSlot(id, 0);
        assertEq(market.balanceOf(P1), COLLATERAL, "filler gets collateral back");
        assertEq(market.getProvider(P1).usedBytes, 0, "capacity released");
        assertEq(market.getProvider(P1).units, 0, "units removed");
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__WrongRequestState.selector,
                id,
                RequestState.Cancelled
            )
        );
        market.cancelRequest(id);
        uint256 before = token.balanceOf(CLIENT);
        vm.prank(CLIENT);
        market.withdraw();
        assertEq(token.balanceOf(CLIENT), before + 2 * PRICE * 10, "withdrawn");
        vm.prank(CLIENT);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__NothingToWithdraw.selector,
                CLIENT
            )
        );
        market.withdraw();
    }

    function test_cancelRequest_revertsOnUnknownRequest() public {
        RequestId id = RequestId.wrap(bytes32(uint256(42)));
        vm.expectRevert(
            abi.encodeWithSelector(IMarketplaceEvents.Marketplace__UnknownRequest.selector, id)
        );
        market.cancelRequest(id);
    }
}

contract MarketplaceFillTest is MarketFixture {
    RequestId internal id;

    function setUp() public override {
        super.setUp();
        register(P1);
        register(P2);
        register(P3);
        id = newRequest(2, 1);
    }

    function test_fillSlot_locksCollateralAndStartsWhenFull() public {
        uint256 before = token.balanceOf(P1);
        fill(id, 0, P1);
        assertEq(token.balanceOf(P1), before - COLLATERAL, "collateral taken");
        SlotView memory s = market.getSlot(id, 0);
        assertEq(s.provider, P1, "holder");
        assertEq(uint256(s.state), uint256(SlotState.Filled), "filled");
        ProviderView memory pv = market.getProvider(P1);
        assertEq(pv.usedBytes, SHARD, "capacity used");
        assertEq(pv.units, 1, "one unit");
        assertEq(pv.slotsFilled, 1, "counter");
        fill(id, 1, P2);
        fill(id, 2, P3);
        RequestView memory r = market.getRequest(id);
        assertEq(uint256(r.state), uint256(RequestState.Started), "started");
        assertEq(r.startPeriod, market.currentPeriod() + 1, "starts next period");
        assertEq(r.endPeriod, r.startPeriod + 10, "end");
    }

    function test_fillSlot_revertsOnDoubleFill() public {
        fill(id, 0, P1);
        (uint256 pb, bytes memory proof) = fillProof(id, 0);
        vm.prank(P2);
        vm.expectRevert(
            abi.encodeWithSelector(IMarketplaceEvents.Marketplace__SlotNotFillable.selector, id, 0)
        );
        market.fillSlot(id, 0, pb, proof);
    }

    function test_fillSlot_revertsWhenProviderAlreadyHoldsASlot() public {
        fill(id, 0, P1);
        (uint256 pb, bytes memory proof) = fillProof(id, 1);
        vm.prank(P1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__AlreadyHoldsSlot.selector,
                id,
                P1
            )
        );
        market.fillSlot(id, 1, pb, proof);
    }

    function test_fillSlot_revertsAfterDeadline() public {
        vm.warp(block.timestamp + 1 days + 1);
        (uint256 pb, bytes memory proof) = fillProof(id, 0);
        uint256 before = token.balanceOf(P1);
        vm.prank(P1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__FillDeadlinePassed.selector,
                block.timestamp - 1,
                block.timestamp
            )
        );
        market.fillSlot(id, 0, pb, proof);
        assertEq(token.balanceOf(P1), before, "balance untouched");
    }

    function test_fillSlot_revertsOnWrongProof() public {
        (uint256 pb, bytes memory proof) = fillProof(id, 0);
        proof[70] ^= 0x01; // corrupt a sibling
        uint256 leaf = uint256(keccak256(abi.encode(blockhash(pb), id, 0))) % 16;
        vm.prank(P1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__InvalidProof.selector,
                id,
                0,
                leaf
            )
        );
        market.fillSlot(id, 0, pb, proof);
    }

    function test_fillSlot_revertsOnProofAgainstWrongRoot() public {
        // A valid proof of slot 1's shard does not open slot 0's root.
        (uint256 pb, ) = fillProof(id, 0);
        uint256 leaf = uint256(keccak256(abi.encode(blockhash(pb), id, 0))) % 16;
        bytes memory other = MerkleBuilder.proof(shards[RequestId.unwrap(id)][1], leaf);
        vm.prank(P1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__InvalidProof.selector,
                id,
                0,
                leaf
            )
        );
        market.fillSlot(id, 0, pb, other);
    }

    function test_fillSlot_revertsOnProofForOtherBlock() public {
        (uint256 pb, bytes memory proof) = fillProof(id, 0);
        uint256 leaf2 = uint256(keccak256(abi.encode(blockhash(pb - 1), id, 0))) % 16;
        uint256 leaf1 = uint256(keccak256(abi.encode(blockhash(pb), id, 0))) % 16;
        vm.assume(leaf1 != leaf2);
        vm.prank(P1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__InvalidProof.selector,
                id,
                0,
                leaf2
            )
        );
        market.fillSlot(id, 0, pb - 1, proof);
    }

    function test_fillSlot_revertsOnStaleOrFutureProofBlock() public {
        (, bytes memory proof) = fillProof(id, 0);
        vm.prank(P1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__ProofBlockOutOfRange.selector,
                block.number,
                block.number
            )
        );
        market.fillSlot(id, 0, block.number, proof);
        vm.prank(P1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__ProofBlockOutOfRange.selector,
                block.number - 257,
                block.number
            )
        );
        market.fillSlot(id, 0, block.number - 257, proof);
    }

    function test_fillSlot_revertsOnBadProofLength() public {
        (uint256 pb, bytes memory proof) = fillProof(id, 0);
        bytes memory longer = bytes.concat(proof, bytes1(0));
        vm.prank(P1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__InvalidProofLength.selector,
                128,
                129
            )
        );
        market.fillSlot(id, 0, pb, longer);
    }

    function test_fillSlot_revertsOnSlotOutOfRange() public {
        (uint256 pb, bytes memory proof) = fillProof(id, 0);
        vm.prank(P1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__SlotOutOfRange.selector,
                id,
                3,
                3
            )
        );
        market.fillSlot(id, 3, pb, proof);
    }

    function test_fillSlot_revertsForUnregisteredOrUnderpricedOrFullProvider() public {
        (uint256 pb, bytes memory proof) = fillProof(id, 0);
        vm.prank(P4);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.Registry__NotRegistered.selector, P4)
        );
        market.fillSlot(id, 0, pb, proof);

        vm.startPrank(P4);
        market.register(STAKE, uint64(SHARD - 1), 1, "", "");
        vm.expectRevert(
            abi.encodeWithSelector(
                IProviderRegistry.Registry__InsufficientCapacity.selector,
                P4,
                SHARD,
                SHARD - 1
            )
        );
        market.fillSlot(id, 0, pb, proof);
        uint128 ask = uint128(PRICE / SHARD + 1);
        market.updateProvider(uint64(SHARD), ask, "", "");
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__PriceBelowAsk.selector,
                PRICE,
                uint256(ask) * SHARD
            )
        );
        market.fillSlot(id, 0, pb, proof);
        vm.stopPrank();
    }
}

contract MarketplaceProofTest is MarketFixture {
    RequestId internal id;

    function setUp() public override {
        super.setUp();
        register(P1);
        register(P2);
        register(P3);
        id = startedRequest(2, 1, providers3());
        nextPeriod();
    }

    function test_submitProofs_marksPeriodProven() public {
        uint256 period = market.currentPeriod();
        prove(P1);
        assertTrue(market.isProven(P1, period), "proven");
        assertTrue(market.seedOf(period) != bytes32(0), "seed recorded");
        assertEq(market.getProvider(P1).proofsSubmitted, 1, "counter");
    }

    function test_submitProofs_mixedDepths() public {
        // P4 holds shards of depth 3 (5 leaves, ZERO padding), 0 (one leaf) and 4 besides: the
        // batch walk handles odd, zero and even depths in one call, over several periods.
        register(P4);
        RequestId a = createRequest(requestParams(1, 1, 300, 10));
        RequestId b = createRequest(requestParams(1, 1, 64, 10));
        RequestId c = createRequest(requestParams(1, 1, 2000, 10));
        fill(a, 0, P4);
        fill(b, 1, P4);
        fill(c, 0, P4);
        for (uint256 i; i < 6; ++i) {
            nextPeriod();
            uint256 period = market.currentPeriod();
            prove(P4);
            assertTrue(market.isProven(P4, period), "proven");
        }
    }

    function test_submitProofs_revertsWhenAlreadyProven() public {
        uint256 period = market.currentPeriod();
        bytes memory proofs = proofsFor(P1);
        vm.startPrank(P1);
        market.submitProofs(period, proofs);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__AlreadyProven.selector,
                P1,
                period
            )
        );
        market.submitProofs(period, proofs);
        vm.stopPrank();
    }

    function test_submitProofs_revertsForWrongPeriod() public {
        uint256 period = market.currentPeriod();
        bytes memory proofs = proofsFor(P1);
        vm.prank(P1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__WrongPeriod.selector,
                period - 1,
                period
            )
        );
        market.submitProofs(period - 1, proofs);
        // Last period's proofs are not valid for this period.
        nextPeriod();
        vm.prank(P1);
        vm.expectRevert();
        market.submitProofs(period + 1, proofs);
    }

    function test_submitProofs_revertsOnWrongProof() public {
        uint256 period = market.currentPeriod();
        bytes memory proofs = proofsFor(P1);
        Challenge[] memory cs = market.challengesFor(P1, period);
        proofs[0] ^= 0x01; // corrupt the first segment
        vm.prank(P1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__InvalidProof.selector,
                cs[0].id,
                cs[0].slot,
                cs[0].leaf
            )
        );
        market.submitProofs(period, proofs);
    }

    function test_submitProofs_revertsOnWrongLength() public {
        uint256 period = market.currentPeriod();
        bytes memory proofs = proofsFor(P1);
        uint256 len = proofs.length;
        bytes memory longer = bytes.concat(proofs, bytes1(0));
        vm.prank(P1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__InvalidProofLength.selector,
                len,
                len + 1
            )
        );
        market.submitProofs(period, longer);
        bytes memory shorter = new bytes(len - 1);
        for (uint256 i; i < len - 1; ++i) shorter[i] = proofs[i];
        vm.prank(P1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__InvalidProofLength.selector,
                len,
                len - 1
            )
        );
        market.submitProofs(period, shorter);
    }

    function test_submitProofs_revertsWithNothingToProve() public {
        register(P4);
        uint256 period = market.currentPeriod();
        vm.prank(P4);
        vm.expectRevert(
            abi.encodeWithSelector(IMarketplaceEvents.Marketplace__NothingToProve.selector, P4)
        );
        market.submitProofs(period, "");
    }

    function test_submitProofs_revertsWhenSeedUnavailable() public {
        uint256 period = market.currentPeriod();
        bytes memory proofs = proofsFor(P1);
        rollToPeriod(period + 20);
        vm.prank(P1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__WrongPeriod.selector,
                period,
                period + 20
            )
        );
        market.submitProofs(period, proofs);
        // A long period whose seed block left the 256-block window cannot be proven.
        vm.expectRevert(
            abi.encodeWithSelector(IMarketplaceEvents.Marketplace__SeedUnavailable.selector, period)
        );
        market.recordSeed(period);
    }

    function test_markProofAsMissing_slashesAndRewardsReporter() public {
        uint256 period = market.currentPeriod();
        market.recordSeed(period);
        prove(P2);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__PeriodNotClosed.selector,
                period,
                period
            )
        );
        market.markProofAsMissing(P1, period);
        nextPeriod();
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__ProofNotMissing.selector,
                P2,
                period
            )
        );
        market.markProofAsMissing(P2, period);
        vm.prank(REPORTER);
        market.markProofAsMissing(P1, period);
        uint256 slashed = (STAKE * 500) / 10_000;
        assertEq(market.getProvider(P1).stake, STAKE - slashed, "stake slashed");
        assertEq(market.balanceOf(REPORTER), slashed / 2, "reporter reward");
        assertEq(market.balanceOf(TREASURY), slashed - slashed / 2, "treasury share");
        assertEq(market.getProvider(P1).consecutiveMisses, 1, "miss counted");
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__AlreadyReported.selector,
                P1,
                period
            )
        );
        market.markProofAsMissing(P1, period);
    }

    function test_markProofAsMissing_revertsForVoidOrLatePeriods() public {
        uint256 period = market.currentPeriod();
        nextPeriod();
        vm.expectRevert(
            abi.encodeWithSelector(IMarketplaceEvents.Marketplace__PeriodVoid.selector, period)
        );
        market.markProofAsMissing(P1, period);
        rollToPeriod(period + 17);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__ReportTooLate.selector,
                period,
                period + 17,
                16
            )
        );
        market.markProofAsMissing(P1, period);
    }

    function test_freeSlot_afterMaxMisses_thenRepairPaysBounty() public {
        RequestView memory r = market.getRequest(id);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__NotFreeable.selector,
                id,
                0,
                0,
                3
            )
        );
        market.freeSlot(id, 0);
        for (uint256 i; i < 3; ++i) {
            uint256 period = market.currentPeriod();
            market.recordSeed(period);
            prove(P2);
            prove(P3);
            nextPeriod();
            vm.prank(REPORTER);
            market.markProofAsMissing(P1, period);
        }
        uint256 clientBefore = market.balanceOf(CLIENT);
        market.freeSlot(id, 0);
        SlotView memory s = market.getSlot(id, 0);
        assertEq(uint256(s.state), uint256(SlotState.Freed), "freed");
        assertEq(s.bounty, COLLATERAL / 2, "half the collateral kept as bounty");
        // Client got the other half of the collateral and the three unproven periods.
        assertEq(
            market.balanceOf(CLIENT) - clientBefore,
            COLLATERAL / 2 + 3 * PRICE,
            "client refund"
        );
        assertEq(market.getProvider(P1).units, 0, "units removed");
        // Repair by P4.
        register(P4);
        fill(id, 0, P4);
        assertEq(market.balanceOf(P4), COLLATERAL / 2, "bounty paid to repairer");
        assertEq(market.getProvider(P4).repairs, 1, "repair counted");
        assertEq(
            uint256(market.getRequest(id).state),
            uint256(RequestState.Started),
            "still running"
        );
        r;
    }

    function test_fillSlot_revertsWhenFreedProviderRefillsOrIsDelinquent() public {
        for (uint256 i; i < 3; ++i) {
            uint256 period = market.currentPeriod();
            market.recordSeed(period);
            prove(P2);
            prove(P3);
            nextPeriod();
            market.markProofAsMissing(P1, period);
        }
        market.freeSlot(id, 0);
        uint256 clientBefore = market.balanceOf(CLIENT);
        uint256 p1Before = market.balanceOf(P1);

        // P1 may not take back its own freed slot (and with it the bounty from its collateral).
        (uint256 pb, bytes memory proof) = fillProof(id, 0);
        vm.prank(P1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__AlreadyHoldsSlot.selector,
                id,
                P1
            )
        );
        market.fillSlot(id, 0, pb, proof);

        // Nor may it take slots of a new request while its misses stand.
        RequestId other = newRequest(2, 1);
        (pb, proof) = fillProof(other, 0);
        vm.prank(P1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__ProviderDelinquent.selector,
                P1,
                3,
                3
            )
        );
        market.fillSlot(other, 0, pb, proof);
        assertEq(market.balanceOf(CLIENT), clientBefore, "client balance untouched");
        assertEq(market.balanceOf(P1), p1Before, "provider balance untouched");
        assertEq(uint256(market.getSlot(other, 0).state), uint256(SlotState.Empty), "still open");
    }

    function test_freeSlot_failsRequestWhenMoreThanMFree() public {
        // P1 and P2 both miss three periods: two free slots > m = 1.
        for (uint256 i; i < 3; ++i) {
            uint256 period = market.currentPeriod();
            market.recordSeed(period);
            prove(P3);
            nextPeriod();
            market.markProofAsMissing(P1, period);
            market.markProofAsMissing(P2, period);
        }
        market.freeSlot(id, 0);
        market.freeSlot(id, 1);
        RequestView memory r = market.getRequest(id);
        assertEq(uint256(r.state), uint256(RequestState.Failed), "failed");
        assertEq(r.endPeriod, market.currentPeriod(), "paid until the failure");
        // The survivor is paid for its three proven periods and gets its collateral back.
        market.claimSlot(id, 2);
        uint256 gross = 3 * PRICE;
        assertEq(
            market.balanceOf(P3),
            gross - gross / 100 + COLLATERAL,
            "survivor paid + collateral"
        );
        market.claimSlot(id, 0);
        market.claimSlot(id, 1);
        assertEq(market.getRequest(id).escrow, 0, "escrow fully settled");
    }

    function test_claimSlot_paysProvenPeriodsOnly() public {
        RequestView memory r = market.getRequest(id);
        // Prove every other period of the deal with P1; P2 and P3 prove all.
        for (uint256 p = r.startPeriod; p < r.endPeriod; ++p) {
            rollToPeriod(p);
            market.recordSeed(p);
            if (p % 2 == 0) prove(P1);
            prove(P2);
            prove(P3);
        }
        rollToPeriod(r.endPeriod);
        uint256 proven1;
        for (uint256 p = r.startPeriod; p < r.endPeriod; ++p) {
            if (p % 2 == 0) ++proven1;
        }
        market.claimSlot(id, 0);
        market.claimSlot(id, 1);
        market.claimSlot(id, 2);
        uint256 g1 = proven1 * PRICE;
        uint256 g = 10 * PRICE;
        assertEq(market.balanceOf(P1), g1 - g1 / 100 + COLLATERAL, "P1 paid proven periods");
        assertEq(market.balanceOf(P2), g - g / 100 + COLLATERAL, "P2 paid all");
        assertEq(market.balanceOf(CLIENT), (10 - proven1) * PRICE, "client gets unproven periods");
        assertEq(market.balanceOf(TREASURY), g1 / 100 + 2 * (g / 100), "fees");
        assertEq(market.getRequest(id).escrow, 0, "escrow settled");
        vm.expectRevert(
            abi.encodeWithSelector(IMarketplaceEvents.Marketplace__SlotClosed.selector, id, 0)
        );
        market.claimSlot(id, 0);
        assertEq(market.getProvider(P1).activeSlots, 0, "slot released");
        // withdraw all: market ends holding only stakes
        address[5] memory all = [P1, P2, P3, CLIENT, TREASURY];
        for (uint256 i; i < all.length; ++i) {
            vm.prank(all[i]);
            market.withdraw();
        }
        assertEq(token.balanceOf(address(market)), 3 * STAKE, "only stakes left");
    }

    function test_claimSlot_midDealSettlesClosedPeriods() public {
        uint256 start = market.getRequest(id).startPeriod;
        rollToPeriod(start);
        prove(P1);
        nextPeriod();
        market.claimSlot(id, 0);
        assertEq(market.balanceOf(P1), PRICE - PRICE / 100, "one period paid");
        assertEq(market.getSlot(id, 0).settledUntil, start + 1, "settled until");
    }
}

contract MarketplaceTargetedTest is MarketFixture {
    RequestId internal id;

    function setUp() public override {
        super.setUp();
        register(P1);
        register(P2);
        register(P3);
        id = startedRequest(2, 1, providers3());
    }

    function test_answerChallenge_paysBondToProvider() public {
        vm.prank(REPORTER);
        uint256 cid = market.challengeSlot(id, 1, 7);
        bytes memory proof = MerkleBuilder.proof(shards[RequestId.unwrap(id)][1], 7);
        bytes memory bad = MerkleBuilder.proof(shards[RequestId.unwrap(id)][1], 6);
        vm.expectRevert(
            abi.encodeWithSelector(IMarketplaceEvents.Marketplace__InvalidProof.selector, id, 1, 7)
        );
        market.answerChallenge(cid, bad);
        vm.prank(P2);
        market.answerChallenge(cid, proof);
        assertEq(market.balanceOf(P2), TOKEN, "bond to provider");
        vm.expectRevert(
            abi.encodeWithSelector(IMarketplaceEvents.Marketplace__ChallengeNotOpen.selector, cid)
        );
        market.answerChallenge(cid, proof);
    }

    function test_markChallengeFailed_slashesCollateral() public {
        vm.expectRevert(
            abi.encodeWithSelector(IMarketplaceEvents.Marketplace__LeafOutOfRange.selector, 16, 16)
        );
        market.challengeSlot(id, 1, 16);
        vm.prank(REPORTER);
        uint256 cid = market.challengeSlot(id, 1, 3);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__ChallengeNotExpired.selector,
                cid,
                block.number + 10
            )
        );
        market.markChallengeFailed(cid);
        vm.roll(block.number + 11);
        bytes memory proof = MerkleBuilder.proof(shards[RequestId.unwrap(id)][1], 3);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__ChallengeExpired.selector,
                cid,
                block.number - 1
            )
        );
        market.answerChallenge(cid, proof);
        market.markChallengeFailed(cid);
        uint256 slashed = (COLLATERAL * 500) / 10_000;
        assertEq(market.getSlot(id, 1).collateral, COLLATERAL - slashed, "collateral slashed");
        assertEq(market.getSlot(id, 1).misses, 1, "slot miss");
        assertEq(market.balanceOf(REPORTER), TOKEN + slashed / 2, "bond back + reward");
        assertEq(market.balanceOf(TREASURY), slashed - slashed / 2, "treasury share");
    }

    function test_markChallengeFailed_freesSlotAtMaxMisses() public {
        for (uint256 i; i < 3; ++i) {
            vm.prank(REPORTER);
            uint256 cid = market.challengeSlot(id, 2, i);
            vm.roll(block.number + 11);
            market.markChallengeFailed(cid);
        }
        assertEq(
            uint256(market.getSlot(id, 2).state),
            uint256(SlotState.Freed),
            "freed at maxMisses"
        );
        assertEq(market.getRequest(id).freed, 1, "one free");
    }
}

contract MarketplaceFuzzTest is MarketFixture {
    /// Settlement never creates or destroys tokens: provider net + fee + client refund == escrow,
    /// for any pattern of proven periods, fee and price.
    function testFuzz_settlement_conservesEscrow(
        uint256 pattern,
        uint128 price,
        uint8 duration
    ) public {
        uint256 d = bound(duration, 1, 12);
        uint256 pr = bound(price, 200, 4e22); // ask: 1 wei per byte × 200 bytes
        register(P1);
        register(P2);
        RequestParams memory p = requestParams(1, 1, 200, uint32(d));
        p.pricePerSlotPeriod = uint128(pr);
        RequestId rid = createRequest(p);
        fill(rid, 0, P1);
        fill(rid, 1, P2);
        RequestView memory r = market.getRequest(rid);
        uint256 proven;
        for (uint256 q = r.startPeriod; q < r.endPeriod; ++q) {
            rollToPeriod(q);
            if ((pattern >> (q - r.startPeriod)) & 1 == 1) {
                prove(P1);
                ++proven;
            }
        }
        rollToPeriod(r.endPeriod);
        market.claimSlot(rid, 0);
        market.claimSlot(rid, 1);
        uint256 total =
            market.balanceOf(P1) +
                market.balanceOf(P2) +
                market.balanceOf(CLIENT) +
                market.balanceOf(TREASURY) -
                2 * COLLATERAL;
        assertEq(total, 2 * pr * d, "escrow conserved");
        uint256 gross = proven * pr;
        assertEq(market.balanceOf(P1), gross - (gross * 100) / 10_000 + COLLATERAL, "P1 net");
        assertEq(market.balanceOf(CLIENT), (2 * d - proven) * pr, "client refund");
    }

    /// A slash never exceeds slashBps of the stake and the reporter + treasury split is exact.
    function testFuzz_markProofAsMissing_slashSplit(uint96 stakeExtra) public {
        register(P1);
        register(P2);
        vm.prank(P1);
        market.addStake(bound(stakeExtra, 1, 1e23));
        RequestId rid = newRequest(1, 1);
        fill(rid, 0, P1);
        fill(rid, 1, P2);
        nextPeriod();
        uint256 period = market.currentPeriod();
        market.recordSeed(period);
        nextPeriod();
        uint256 stake = market.getProvider(P1).stake;
        vm.prank(REPORTER);
        market.markProofAsMissing(P1, period);
        uint256 slashed = stake - market.getProvider(P1).stake;
        assertEq(slashed, (stake * 500) / 10_000, "slash = bps of stake");
        assertEq(market.balanceOf(REPORTER) + market.balanceOf(TREASURY), slashed, "split exact");
    }
}

contract MarketplaceMoreTest is MarketFixture {
    bytes32 internal constant PERMIT_TYPEHASH = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
    );

    function test_createRequestWithPermit_escrowsWithoutApproval() public {
        uint256 key = 0xA11CE;
        address signer = vm.addr(key);
        token.transfer(signer, 1_000 * TOKEN);
        RequestParams memory p = requestParams(1, 1, uint64(SHARD), 10);
        uint256 value = 2 * PRICE * 10;
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 digest = keccak256(
            abi.encodePacked(
                "\x19\x01",
                token.DOMAIN_SEPARATOR(),
                keccak256(abi.encode(PERMIT_TYPEHASH, signer, address(market), value, 0, deadline))
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        vm.prank(signer);
        RequestId id = market.createRequestWithPermit(p, deadline, v, r, s);
        assertEq(token.balanceOf(address(market)), value, "escrowed via permit");
        assertEq(market.getRequest(id).client, signer, "client");
        // A used (front-run) permit is ignored; without allowance the transfer reverts with a named error.
        vm.prank(signer);
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector,
                address(market),
                0,
                value
            )
        );
        market.createRequestWithPermit(p, deadline, v, r, s);
    }

    function test_recordSeed_idempotentAndNotForFuturePeriods() public {
        uint256 period = market.currentPeriod();
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__SeedUnavailable.selector,
                period + 1
            )
        );
        market.recordSeed(period + 1);
        market.recordSeed(period);
        bytes32 seed = market.seedOf(period);
        assertEq(seed, keccak256(abi.encode(blockhash(period * PERIOD - 1), period)), "seed rule");
        market.recordSeed(period);
        assertEq(market.seedOf(period), seed, "unchanged");
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__SeedUnavailable.selector,
                period + 1
            )
        );
        market.challengesFor(P1, period + 1);
        assertEq(market.challengesFor(P1, period).length, 0, "no units, no challenges");
    }

    function test_slotCalls_revertOnWrongStates() public {
        register(P1);
        register(P2);
        RequestId id = newRequest(1, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IMarketplaceEvents.Marketplace__SlotNotFilled.selector, id, 0)
        );
        market.freeSlot(id, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IMarketplaceEvents.Marketplace__SlotNotFilled.selector, id, 0)
        );
        market.challengeSlot(id, 0, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__WrongRequestState.selector,
                id,
                RequestState.Open
            )
        );
        market.claimSlot(id, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__SlotOutOfRange.selector,
                id,
                2,
                2
            )
        );
        market.claimSlot(id, 2);
        RequestId unknown = RequestId.wrap(bytes32(uint256(7)));
        (uint256 pb, bytes memory proof) = fillProof(id, 0);
        vm.prank(P1);
        vm.expectRevert(
            abi.encodeWithSelector(IMarketplaceEvents.Marketplace__UnknownRequest.selector, unknown)
        );
        market.fillSlot(unknown, 0, pb, proof);

        fill(id, 0, P1);
        fill(id, 1, P2);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__WrongRequestState.selector,
                id,
                RequestState.Started
            )
        );
        market.cancelRequest(id);
        RequestView memory r = market.getRequest(id);
        rollToPeriod(r.endPeriod);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__RequestEnded.selector,
                id,
                r.endPeriod
            )
        );
        market.freeSlot(id, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__RequestEnded.selector,
                id,
                r.endPeriod
            )
        );
        market.challengeSlot(id, 0, 0);
        (pb, proof) = fillProof(id, 0);
        vm.prank(P3);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__RequestEnded.selector,
                id,
                r.endPeriod
            )
        );
        market.fillSlot(id, 0, pb, proof);
        // Nothing proven: everything back to the client, collateral back to the providers.
        market.claimSlot(id, 0);
        market.claimSlot(id, 1);
        assertEq(market.balanceOf(CLIENT), 2 * PRICE * 10, "client refunded");
        assertEq(market.balanceOf(P1), COLLATERAL, "collateral back");
    }

    function test_challenge_onReassignedSlotReturnsBondWithoutSlash() public {
        register(P1);
        register(P2);
        register(P3);
        RequestId id = startedRequest(2, 1, providers3());
        nextPeriod();
        // P1 misses three periods and is freed while a targeted challenge on its slot is open.
        vm.prank(REPORTER);
        uint256 cid = market.challengeSlot(id, 0, 1);
        for (uint256 i; i < 3; ++i) {
            uint256 period = market.currentPeriod();
            market.recordSeed(period);
            nextPeriod();
            market.markProofAsMissing(P1, period);
        }
        market.freeSlot(id, 0);
        uint256 collateralBefore = market.getSlot(id, 0).collateral;
        uint256 reporterBefore = market.balanceOf(REPORTER);
        market.markChallengeFailed(cid);
        assertEq(market.balanceOf(REPORTER), reporterBefore + TOKEN, "bond back, no reward");
        assertEq(market.getSlot(id, 0).collateral, collateralBefore, "nothing slashed");
        vm.expectRevert(
            abi.encodeWithSelector(IMarketplaceEvents.Marketplace__ChallengeNotOpen.selector, cid)
        );
        market.markChallengeFailed(cid);
        vm.expectRevert(
            abi.encodeWithSelector(IMarketplaceEvents.Marketplace__ChallengeNotOpen.selector, 99)
        );
        market.answerChallenge(99, "");
    }

    function test_answerChallenge_revertsOnWrongLength() public {
        register(P1);
        register(P2);
        RequestId id = newRequest(1, 1);
        fill(id, 0, P1);
        token.approve(address(market), TOKEN);
        uint256 cid = market.challengeSlot(id, 0, 2);
        assertEq(market.getChallenge(cid).provider, P1, "challenged holder");
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketplaceEvents.Marketplace__InvalidProofLength.selector,
                128,
                64
            )
        );
        market.answerChallenge(cid, new bytes(64));
    }

    function test_failureBeforeStart_refundsWholeEscrow() public {
        // P1 and P2 hold a started deal (so they keep proving); P3 fills one slot of a k = 2, m = 0
        // request that never fills up, misses three periods and is freed: 1 free slot > m = 0.
        register(P1);
        register(P2);
        RequestId id = newRequest(1, 1);
        fill(id, 0, P1);
        fill(id, 1, P2);
        RequestParams memory p = requestParams(2, 0, uint64(SHARD), 10);
        p.fillDeadline = uint64(block.timestamp + 30 days);
        RequestId open = createRequest(p);
        register(P3);
        fill(open, 0, P3);
        for (uint256 i; i < 3; ++i) {
            nextPeriod();
            uint256 period = market.currentPeriod();
            market.recordSeed(period);
            prove(P1);
            prove(P2);
            nextPeriod();
            market.markProofAsMissing(P3, period);
        }
        uint256 clientBefore = market.balanceOf(CLIENT);
        market.freeSlot(open, 0);
        RequestView memory r = market.getRequest(open);
        assertEq(uint256(r.state), uint256(RequestState.Failed), "failed before start");
        assertEq(r.escrow, 0, "escrow refunded");
        assertEq(
            market.balanceOf(CLIENT) - clientBefore,
            2 * PRICE * 10 + COLLATERAL / 2,
            "escrow + half collateral"
        );
        market.claimSlot(open, 0);
        assertEq(
            market.balanceOf(CLIENT) - clientBefore,
            2 * PRICE * 10 + COLLATERAL,
            "bounty back to client"
        );
        id;
    }
}
