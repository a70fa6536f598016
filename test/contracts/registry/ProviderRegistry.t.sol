// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {MarketFixture} from "../utils/MarketFixture.sol";
import {IProviderRegistry} from "../../../contracts/interfaces/IProviderRegistry.sol";
import {IProtocolParams} from "../../../contracts/interfaces/IProtocolParams.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Params} from "../../../contracts/types/Params.sol";
import {ProviderView} from "../../../contracts/types/Market.sol";
import {RequestId} from "../../../contracts/types/RequestId.sol";

contract ProviderRegistryTest is MarketFixture {
    function test_register_storesProviderAndStake() public {
        uint256 before = token.balanceOf(P1);
        register(P1);
        ProviderView memory v = market.getProvider(P1);
        assertTrue(v.registered, "registered");
        assertEq(v.stake, STAKE, "stake");
        assertEq(v.capacityBytes, 1 << 40, "capacity");
        assertEq(v.pricePerBytePeriod, 1, "price");
        assertEq(keccak256(bytes(v.httpEndpoint)), keccak256("http://p"), "endpoint");
        assertEq(token.balanceOf(P1), before - STAKE, "stake transferred");
        assertEq(market.providerCount(), 1, "count");
        assertEq(market.providerAt(0), P1, "listed");
    }

    function test_register_reverts() public {
        vm.prank(P1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProviderRegistry.Registry__StakeBelowMinimum.selector,
                1,
                100 * TOKEN
            )
        );
        market.register(1, 1, 1, "", "");
        register(P1);
        vm.prank(P1);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.Registry__AlreadyRegistered.selector, P1)
        );
        market.register(STAKE, 1, 1, "", "");
    }

    function test_updateProvider_andCapacityBelowUsed() public {
        register(P1);
        register(P2);
        RequestId id = newRequest(1, 1);
        fill(id, 0, P1);
        vm.prank(P1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProviderRegistry.Registry__CapacityBelowUsed.selector,
                10,
                SHARD
            )
        );
        market.updateProvider(10, 1, "", "");
        vm.prank(P1);
        market.updateProvider(uint64(SHARD), 2, "http://q", "/dns/q");
        assertEq(market.getProvider(P1).pricePerBytePeriod, 2, "updated");
        vm.prank(P3);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.Registry__NotRegistered.selector, P3)
        );
        market.updateProvider(1, 1, "", "");
    }

    function test_unstake_withUnbondingDelay() public {
        register(P1);
        vm.startPrank(P1);
        market.addStake(5 * TOKEN);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.Registry__ZeroAmount.selector));
        market.addStake(0);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.Registry__NothingUnbonding.selector, P1)
        );
        market.withdrawStake();
        vm.expectRevert(
            abi.encodeWithSelector(
                IProviderRegistry.Registry__InsufficientStake.selector,
                STAKE + 6 * TOKEN,
                STAKE + 5 * TOKEN
            )
        );
        market.requestUnstake(STAKE + 6 * TOKEN);
        market.requestUnstake(STAKE + 5 * TOKEN);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProviderRegistry.Registry__UnbondingNotElapsed.selector,
                block.timestamp + 7 days,
                block.timestamp
            )
        );
        market.withdrawStake();
        vm.warp(block.timestamp + 7 days);
        uint256 before = token.balanceOf(P1);
        market.withdrawStake();
        assertEq(token.balanceOf(P1), before + STAKE + 5 * TOKEN, "stake returned");
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.Registry__NothingUnbonding.selector, P1)
        );
        market.withdrawStake();
        vm.stopPrank();
    }

    function test_requestUnstake_keepsMinStakeWhileHoldingSlots() public {
        register(P1);
        register(P2);
        RequestId id = newRequest(1, 1);
        fill(id, 0, P1);
        vm.prank(P1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProviderRegistry.Registry__StakeBelowMinimum.selector,
                100 * TOKEN - 1,
                100 * TOKEN
            )
        );
        market.requestUnstake(STAKE - 100 * TOKEN + 1);
        vm.prank(P1);
        market.requestUnstake(STAKE - 100 * TOKEN);
        assertEq(market.getProvider(P1).stake, 100 * TOKEN, "min stake kept");
    }
}

contract ProtocolParamsTest is MarketFixture {
    function test_setParams_onlyOwnerWithinHardLimits() public {
        Params memory p = defaultParams();
        p.slashBps = 5001;
        vm.prank(OWNER);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProtocolParams.ProtocolParams__OutOfRange.selector,
                "slashBps",
                5001,
                0,
                5000
            )
        );
        market.setParams(p);
        p = defaultParams();
        p.protocolFeeBps = 1001;
        vm.prank(OWNER);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProtocolParams.ProtocolParams__OutOfRange.selector,
                "protocolFeeBps",
                1001,
                0,
                1000
            )
        );
        market.setParams(p);
        p = defaultParams();
        p.maxMisses = 0;
        vm.prank(OWNER);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProtocolParams.ProtocolParams__OutOfRange.selector,
                "maxMisses",
                0,
                1,
                32
            )
        );
        market.setParams(p);
        p = defaultParams();
        p.challengesPerPeriod = 129;
        vm.prank(OWNER);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProtocolParams.ProtocolParams__OutOfRange.selector,
                "challengesPerPeriod",
                129,
                1,
                128
            )
        );
        market.setParams(p);

        p = defaultParams();
        p.challengesPerPeriod = 9;
        vm.expectRevert(
            abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this))
        );
        market.setParams(p);
        vm.prank(OWNER);
        market.setParams(p);
        assertEq(market.params().challengesPerPeriod, 9, "set");
    }

    function test_runningDealsKeepTheirSnapshot() public {
        register(P1);
        register(P2);
        RequestId id = newRequest(1, 1);
        Params memory p = defaultParams();
        p.protocolFeeBps = 1000;
        p.slashBps = 5000;
        vm.prank(OWNER);
        market.setParams(p);
        assertEq(market.getRequest(id).protocolFeeBps, 100, "fee snapshot");
        assertEq(market.getRequest(id).slashBps, 500, "slash snapshot");
    }

    function test_treasuryGuardianAndOwnership() public {
        vm.prank(OWNER);
        vm.expectRevert(
            abi.encodeWithSelector(IProtocolParams.ProtocolParams__ZeroAddress.selector, "treasury")
        );
        market.setTreasury(address(0));
        vm.prank(OWNER);
        market.setTreasury(P5);
        assertEq(market.treasury(), P5, "treasury");
        vm.prank(P4);
        vm.expectRevert(
            abi.encodeWithSelector(IProtocolParams.ProtocolParams__NotGuardian.selector, P4)
        );
        market.pause();
        vm.prank(OWNER);
        market.setGuardian(P4);
        vm.prank(P4);
        market.pause();
        assertTrue(market.paused(), "paused");
        // Withdrawals, fills and proofs are never paused.
        vm.prank(P4);
        market.unpause();
        vm.prank(OWNER);
        market.transferOwnership(P3);
        assertEq(market.owner(), OWNER, "two-step");
        vm.prank(P3);
        market.acceptOwnership();
        assertEq(market.owner(), P3, "new owner");
    }
}
