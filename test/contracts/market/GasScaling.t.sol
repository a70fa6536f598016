// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {TestBase} from "../utils/Vm.sol";
import {MerkleBuilder} from "../utils/MerkleBuilder.sol";
import {MarketplaceHarness} from "../utils/MarketplaceHarness.sol";
import {TesseraToken} from "../../../contracts/token/TesseraToken.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Params} from "../../../contracts/types/Params.sol";
import {RequestId} from "../../../contracts/types/RequestId.sol";
import {RequestParams} from "../../../contracts/types/Market.sol";

/// @dev A provider account that measures the gas of the calls it makes in a fresh call frame, so
/// the caller's memory growth does not leak into the measurement.
contract GasProbe {
    function exec(address target, bytes calldata data) external returns (uint256 used) {
        uint256 g = gasleft();
        (bool ok, bytes memory ret) = target.call(data);
        used = g - gasleft();
        if (!ok) {
            assembly {
                revert(add(ret, 0x20), mload(ret))
            }
        }
    }
}

/// @dev Fails if fillSlot or submitProofs gas grows with the number of existing requests
/// (1 vs 5,000) or with the number of slots a provider holds (10 vs 5,000). Depth-18 shards
/// (16 MiB, 4 units each); proofs of uniform shards (every leaf has the same path) keep setup cheap.
contract GasScalingTest is TestBase {
    uint256 internal constant PERIOD = 20;
    uint64 internal constant SHARD = uint64(64) << 18; // 2^18 leaves, depth 18
    address internal constant CLIENT = address(0xC11E);

    TesseraToken internal token;
    MarketplaceHarness internal market;
    bytes16 internal root;
    bytes internal proof;

    function setUp() public {
        vm.roll(10_000);
        vm.warp(1_700_000_000);
        token = new TesseraToken(address(this));
        Params memory p = Params({
            protocolFeeBps: 100,
            slashBps: 500,
            reporterRewardBps: 5000,
            repairBountyBps: 5000,
            maxMisses: 3,
            challengesPerPeriod: 50,
            missGracePeriods: 16,
            challengeWindowBlocks: 10,
            unbondingDelay: 0,
            maxShardSize: 1 << 28,
            maxDurationPeriods: 3650,
            targetedBond: 1e18,
            minStake: 1e18
        });
        market = new MarketplaceHarness(
            IERC20(address(token)),
            address(this),
            address(0x7EA5),
            PERIOD,
            p
        );
        token.approve(address(market), type(uint256).max);
        (root, proof) = MerkleBuilder.uniform(bytes.concat(keccak256("a"), keccak256("b")), 18);
    }

    function _provider() internal returns (address p) {
        GasProbe probe = new GasProbe();
        p = address(probe);
        token.transfer(p, 1_000e18);
        probe.exec(
            address(token),
            abi.encodeCall(token.approve, (address(market), type(uint256).max))
        );
        probe.exec(
            address(market),
            abi.encodeCall(market.register, (10e18, type(uint64).max, 0, "", ""))
        );
    }

    function _request() internal returns (RequestId id) {
        RequestParams memory rp;
        rp.k = 1;
        rp.m = 1;
        rp.shardSize = SHARD;
        rp.durationPeriods = 10;
        rp.pricePerSlotPeriod = 1e18;
        rp.collateralPerSlot = 1e18;
        rp.fillDeadline = uint64(block.timestamp + 1 days);
        rp.roots = new bytes16[](2);
        rp.roots[0] = root;
        rp.roots[1] = root;
        id = market.createRequest(rp);
    }

    function _fillGas(RequestId id, address p) internal returns (uint256 used) {
        bytes memory prf = proof;
        uint256 pb = block.number - 1;
        used = GasProbe(p).exec(address(market), abi.encodeCall(market.fillSlot, (id, 0, pb, prf)));
    }

    function _proveGas(address p) internal returns (uint256 used) {
        bytes memory proofs;
        for (uint256 j; j < 50; ++j) proofs = bytes.concat(proofs, proof);
        uint256 period = market.currentPeriod();
        market.recordSeed(period);
        used = GasProbe(p).exec(
            address(market),
            abi.encodeCall(market.submitProofs, (period, proofs))
        );
    }

    function test_fillSlotGas_independentOfRequestCount() public {
        RequestId a = _request();
        uint256 gasOne = _fillGas(a, _provider());
        market.harness_addRequests(5_000);
        RequestId b = _request();
        uint256 gasMany = _fillGas(b, _provider());
        assertEq(market.requestCount(), 5_002, "requests exist");
        assertLe(gasMany, gasOne + 200, "fillSlot gas with 5,000 requests");
    }

    function test_fillSlotGas_independentOfProviderSlots() public {
        address few = _provider();
        address many = _provider();
        market.harness_addUnits(few, 10 * 4, root, 1 << 18);
        market.harness_addUnits(many, 5_000 * 4, root, 1 << 18);
        uint256 gasFew = _fillGas(_request(), few);
        uint256 gasMany = _fillGas(_request(), many);
        assertLe(gasMany, gasFew + 200, "fillSlot gas with 5,000 slots");
    }

    function test_submitProofsGas_independentOfSlotsAndRequests() public {
        address few = _provider();
        address mid = _provider();
        address many = _provider();
        market.harness_addUnits(few, 10 * 4, root, 1 << 18);
        market.harness_addUnits(mid, 500 * 4, root, 1 << 18);
        market.harness_addUnits(many, 5_000 * 4, root, 1 << 18);
        market.harness_addRequests(5_000);
        vm.roll((block.number / PERIOD + 2) * PERIOD + 1);
        uint256 gFew = _proveGas(few);
        uint256 gMid = _proveGas(mid);
        uint256 gMany = _proveGas(many);
        // 500 vs 5,000 slots: both read 50 (nearly all) distinct cold entries, so equal gas.
        assertLe(gMany, gMid + 2_100, "submitProofs gas, 5,000 vs 500 slots");
        // 10 vs 5,000 slots: the only difference allowed is warm vs cold reads of the c = 50
        // drawn entries (≤ 2,000 gas each), a bound set by the batch, not by the slot count.
        assertLe(gMany, gFew + 50 * 2_000, "submitProofs gas, 5,000 vs 10 slots");
    }
}
