// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Marketplace} from "../../../contracts/market/Marketplace.sol";
import {TesseraTimelock} from "../../../contracts/governance/TesseraTimelock.sol";
import {TesseraToken} from "../../../contracts/token/TesseraToken.sol";
import {IProtocolParams} from "../../../contracts/interfaces/IProtocolParams.sol";
import {Params} from "../../../contracts/types/Params.sol";
import {TestBase} from "../utils/Vm.sol";

/// @notice Issue 7: "no parameter value outside its bounds can be set by any path". The only paths
/// are the constructor and `setParams` by the owner — the Timelock, i.e. an executed proposal.
/// The bounds below are the documented ones (docs/contracts-api.md), written independently of the
/// contract, so a drift between code and documentation fails here.
contract ParamsBoundsTest is TestBase {
    uint256 internal constant FIELDS = 13;
    uint256 internal constant DELAY = 2 days;

    TesseraToken internal token;
    TesseraTimelock internal timelock;
    Marketplace internal market;
    uint256 internal salt;

    function setUp() public {
        vm.warp(1_700_000_000);
        token = new TesseraToken(address(this));
        address[] memory proposers = new address[](1);
        proposers[0] = address(this); // stands in for the Governor
        address[] memory executors = new address[](1); // anyone
        timelock = new TesseraTimelock(DELAY, 14 days, proposers, executors, address(0));
        market = new Marketplace(
            IERC20(address(token)),
            address(timelock),
            address(timelock),
            20,
            _defaults()
        );
    }

    // ------------------------------------------------------------------ documented bounds

    function _min(uint256 field) internal pure returns (uint256) {
        if (field <= 3 || field == 8) return 0; // bps fields, unbondingDelay
        if (field == 9) return 64; // maxShardSize
        return 1;
    }

    function _max(uint256 field) internal pure returns (uint256) {
        if (field == 0) return 1_000; // protocolFeeBps
        if (field == 1) return 5_000; // slashBps: a captured governance can never take more than half
        if (field == 2 || field == 3) return 10_000;
        if (field == 4) return 32; // maxMisses
        if (field == 5) return 128; // challengesPerPeriod
        if (field == 6) return 1_024; // missGracePeriods
        if (field == 7) return 1_000_000; // challengeWindowBlocks
        if (field == 8) return 365 days; // unbondingDelay
        if (field == 9) return 1 << 30; // maxShardSize
        if (field == 10) return 65_536; // maxDurationPeriods
        return type(uint128).max; // targetedBond, minStake
    }

    /// @dev Largest value the field's Solidity type can hold.
    function _typeMax(uint256 field) internal pure returns (uint256) {
        if (field <= 3 || field == 5) return type(uint16).max;
        if (field == 4) return type(uint8).max;
        if (field == 6 || field == 7 || field == 10) return type(uint32).max;
        if (field == 8 || field == 9) return type(uint64).max;
        return type(uint128).max;
    }

    string[13] internal NAMES = [
        "protocolFeeBps",
        "slashBps",
        "reporterRewardBps",
        "repairBountyBps",
        "maxMisses",
        "challengesPerPeriod",
        "missGracePeriods",
        "challengeWindowBlocks",
        "unbondingDelay",
        "maxShardSize",
        "maxDurationPeriods",
        "targetedBond",
        "minStake"
    ];

    // ------------------------------------------------------------------ helpers

    function _defaults() internal pure returns (Params memory p) {
        p = Params(100, 500, 5000, 5000, 3, 8, 16, 100, 604_800, 268_435_456, 3650, 1e17, 1e20);
    }

    function _get(Params memory p, uint256 f) internal pure returns (uint256) {
        if (f == 0) return p.protocolFeeBps;
        if (f == 1) return p.slashBps;
        if (f == 2) return p.reporterRewardBps;
        if (f == 3) return p.repairBountyBps;
        if (f == 4) return p.maxMisses;
        if (f == 5) return p.challengesPerPeriod;
        if (f == 6) return p.missGracePeriods;
        if (f == 7) return p.challengeWindowBlocks;
        if (f == 8) return p.unbondingDelay;
        if (f == 9) return p.maxShardSize;
        if (f == 10) return p.maxDurationPeriods;
        if (f == 11) return p.targetedBond;
        return p.minStake;
    }

    function _set(Params memory p, uint256 f, uint256 v) internal pure {
        if (f == 0) p.protocolFeeBps = uint16(v);
        else if (f == 1) p.slashBps = uint16(v);
        else if (f == 2) p.reporterRewardBps = uint16(v);
        else if (f == 3) p.repairBountyBps = uint16(v);
        else if (f == 4) p.maxMisses = uint8(v);
        else if (f == 5) p.challengesPerPeriod = uint16(v);
        else if (f == 6) p.missGracePeriods = uint32(v);
        else if (f == 7) p.challengeWindowBlocks = uint32(v);
        else if (f == 8) p.unbondingDelay = uint64(v);
        else if (f == 9) p.maxShardSize = uint64(v);
        else if (f == 10) p.maxDurationPeriods = uint32(v);
        else if (f == 11) p.targetedBond = uint128(v);
        else p.minStake = uint128(v);
    }

    /// @dev Every field drawn inside its documented bounds from `seed`.
    function _inBounds(uint256 seed) internal pure returns (Params memory p) {
        for (uint256 f; f < FIELDS; ++f) {
            uint256 r = uint256(keccak256(abi.encode(seed, f)));
            uint256 lo = _min(f);
            uint256 span = _max(f) - lo; // < 2^128
            _set(p, f, lo + (r % (span + 1)));
        }
    }

    /// @dev A value of field `f`'s type outside its bounds, from `r` (false if there is none).
    function _outOfBounds(uint256 f, uint256 r) internal pure returns (bool ok, uint256 v) {
        uint256 lo = _min(f);
        uint256 hi = _max(f);
        uint256 above = _typeMax(f) - hi; // values hi+1 .. typeMax
        uint256 below = lo; // values 0 .. lo-1
        if (above + below == 0) return (false, 0);
        uint256 pick = r % (above + below);
        v = pick < below ? pick : hi + 1 + (pick - below);
        ok = true;
    }

    /// @dev Schedules `setParams(p)` on the Timelock, waits the delay and executes it (anyone may).
    function _executeThroughTimelock(
        Params memory p,
        bool expectOk,
        bytes memory expectedRevert
    ) internal {
        bytes memory data = abi.encodeCall(market.setParams, (p));
        bytes32 s = bytes32(++salt);
        timelock.schedule(address(market), 0, data, bytes32(0), s, DELAY);
        vm.warp(block.timestamp + DELAY);
        if (!expectOk) vm.expectRevert(expectedRevert);
        vm.prank(address(0xE0E));
        timelock.execute(address(market), 0, data, bytes32(0), s);
    }

    function _assertParams(Params memory expected) internal view {
        Params memory got = market.params();
        for (uint256 f; f < FIELDS; ++f) assertEq(_get(got, f), _get(expected, f), NAMES[f]);
    }

    // ------------------------------------------------------------------ tests

    function testFuzz_setParams_throughTimelock_acceptsEveryInBoundsValue(uint256 seed) public {
        Params memory p = _inBounds(seed);
        _executeThroughTimelock(p, true, "");
        _assertParams(p);
    }

    function testFuzz_setParams_throughTimelock_rejectsAnyOutOfBoundsField(
        uint256 seed,
        uint256 field,
        uint256 r
    ) public {
        field %= FIELDS;
        Params memory p = _inBounds(seed);
        (bool exists, uint256 bad) = _outOfBounds(field, r);
        vm.assume(exists);
        _set(p, field, bad);
        Params memory before = market.params();
        _executeThroughTimelock(
            p,
            false,
            abi.encodeWithSelector(
                IProtocolParams.ProtocolParams__OutOfRange.selector,
                NAMES[field],
                bad,
                _min(field),
                _max(field)
            )
        );
        _assertParams(before);
    }

    function test_setParams_boundsAreInclusive() public {
        Params memory lo;
        Params memory hi;
        for (uint256 f; f < FIELDS; ++f) {
            _set(lo, f, _min(f));
            _set(hi, f, _max(f));
        }
        _executeThroughTimelock(lo, true, "");
        _assertParams(lo);
        _executeThroughTimelock(hi, true, "");
        _assertParams(hi);
    }

    function testFuzz_constructor_rejectsAnyOutOfBoundsField(
        uint256 seed,
        uint256 field,
        uint256 r
    ) public {
        field %= FIELDS;
        Params memory p = _inBounds(seed);
        (bool exists, uint256 bad) = _outOfBounds(field, r);
        vm.assume(exists);
        _set(p, field, bad);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProtocolParams.ProtocolParams__OutOfRange.selector,
                NAMES[field],
                bad,
                _min(field),
                _max(field)
            )
        );
        new Marketplace(IERC20(address(token)), address(timelock), address(timelock), 20, p);
    }

    function test_setParams_onlyTheTimelock() public {
        vm.expectRevert(
            abi.encodeWithSignature("OwnableUnauthorizedAccount(address)", address(this))
        );
        market.setParams(_defaults());
    }
}
