// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Params} from "../types/Params.sol";
import {IProtocolParams} from "../interfaces/IProtocolParams.sol";

/// @title ProtocolParams — the governance-owned parameter store with hard limits in code.
abstract contract ProtocolParams is IProtocolParams, Ownable2Step {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant MAX_PROTOCOL_FEE_BPS = 1_000;
    uint256 internal constant MAX_SLASH_BPS = 5_000;
    uint256 internal constant MAX_MISSES = 32;
    uint256 internal constant MAX_CHALLENGES_PER_PERIOD = 128;
    uint256 internal constant MAX_MISS_GRACE_PERIODS = 1_024;
    uint256 internal constant MAX_CHALLENGE_WINDOW_BLOCKS = 1_000_000;
    uint256 internal constant MAX_UNBONDING_DELAY = 365 days;
    uint256 internal constant MIN_SHARD_SIZE_LIMIT = 64;
    uint256 internal constant MAX_SHARD_SIZE = 1 << 30;
    uint256 internal constant MAX_DURATION_PERIODS = 65_536;

    Params private _params;
    address private _treasury;
    address private _guardian;
    bool private _paused;

    constructor(
        address initialOwner,
        address treasury_,
        Params memory initialParams
    ) Ownable(initialOwner) {
        _setTreasury(treasury_);
        _setParams(initialParams);
    }

    modifier whenNotPaused() {
        if (_paused) revert ProtocolParams__Paused();
        _;
    }

    modifier onlyGuardianOrOwner() {
        if (msg.sender != _guardian && msg.sender != owner())
            revert ProtocolParams__NotGuardian(msg.sender);
        _;
    }

    /// @inheritdoc IProtocolParams
    function setParams(Params calldata p) external virtual onlyOwner {
        _setParams(p);
    }

    /// @inheritdoc IProtocolParams
    function setTreasury(address treasury_) external virtual onlyOwner {
        _setTreasury(treasury_);
    }

    /// @inheritdoc IProtocolParams
    function setGuardian(address guardian_) external virtual onlyOwner {
        _guardian = guardian_;
        emit GuardianUpdated(guardian_);
    }

    /// @inheritdoc IProtocolParams
    function pause() external virtual onlyGuardianOrOwner {
        _paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IProtocolParams
    function unpause() external virtual onlyGuardianOrOwner {
        _paused = false;
        emit Unpaused(msg.sender);
    }

    /// @inheritdoc IProtocolParams
    function params() external view virtual returns (Params memory) {
        return _params;
    }

    /// @inheritdoc IProtocolParams
    function treasury() public view returns (address) {
        return _treasury;
    }

    /// @inheritdoc IProtocolParams
    function guardian() external view returns (address) {
        return _guardian;
    }

    /// @inheritdoc IProtocolParams
    function paused() external view returns (bool) {
        return _paused;
    }

    /// @dev Storage pointer to the live parameters (callers read only the fields they need).
    function _p() internal view returns (Params storage) {
        return _params;
    }

    function _setTreasury(address treasury_) private {
        if (treasury_ == address(0)) revert ProtocolParams__ZeroAddress("treasury");
        _treasury = treasury_;
        emit TreasuryUpdated(treasury_);
    }

    function _setParams(Params memory p) private {
        _check("protocolFeeBps", p.protocolFeeBps, 0, MAX_PROTOCOL_FEE_BPS);
        _check("slashBps", p.slashBps, 0, MAX_SLASH_BPS);
        _check("reporterRewardBps", p.reporterRewardBps, 0, BPS);
        _check("repairBountyBps", p.repairBountyBps, 0, BPS);
        _check("maxMisses", p.maxMisses, 1, MAX_MISSES);
        _check("challengesPerPeriod", p.challengesPerPeriod, 1, MAX_CHALLENGES_PER_PERIOD);
        _check("missGracePeriods", p.missGracePeriods, 1, MAX_MISS_GRACE_PERIODS);
        _check("challengeWindowBlocks", p.challengeWindowBlocks, 1, MAX_CHALLENGE_WINDOW_BLOCKS);
        _check("unbondingDelay", p.unbondingDelay, 0, MAX_UNBONDING_DELAY);
        _check("maxShardSize", p.maxShardSize, MIN_SHARD_SIZE_LIMIT, MAX_SHARD_SIZE);
        _check("maxDurationPeriods", p.maxDurationPeriods, 1, MAX_DURATION_PERIODS);
        _check("targetedBond", p.targetedBond, 1, type(uint128).max);
        _check("minStake", p.minStake, 1, type(uint128).max);
        _params = p;
        emit ParamsUpdated(p);
    }

    function _check(string memory name, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert ProtocolParams__OutOfRange(name, value, min, max);
    }
}
