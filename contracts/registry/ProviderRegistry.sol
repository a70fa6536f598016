// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {ProtocolParams} from "../market/ProtocolParams.sol";
import {ProviderView} from "../types/Market.sol";

/// @title ProviderRegistry — providers, stake with unbonding, capacity and reputation.
/// @notice Abstract: the Marketplace inherits it so stakes sit in the same token pool as escrow.
abstract contract ProviderRegistry is IProviderRegistry, ProtocolParams, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @dev Packed provider record. Slot 3 (`Counters`) is the only slot `submitProofs` writes.
    struct Provider {
        // slot 0
        uint128 stake;
        uint128 unbonding;
        // slot 1
        uint64 capacityBytes;
        uint64 usedBytes;
        uint64 unbondingReadyAt;
        uint32 listIndexPlus1;
        uint32 activeSlots;
        // slot 2
        uint128 pricePerBytePeriod;
        uint32 dueFrom;
        uint32 dueUntil;
        // slot 3
        Counters counters;
        string httpEndpoint;
        string multiaddr;
    }

    struct Counters {
        uint32 slotsFilled;
        uint32 proofsSubmitted;
        uint32 proofsMissed;
        uint32 slashes;
        uint32 repairs;
        uint32 consecutiveMisses;
        uint32 lastProvenPeriodPlus1;
    }

    IERC20 internal immutable _token;
    mapping(address provider => Provider) private _providers;
    address[] private _providerList;

    constructor(IERC20 token_) {
        _token = token_;
    }

    /// @inheritdoc IProviderRegistry
    function register(
        uint256 stake,
        uint64 capacityBytes,
        uint128 pricePerBytePeriod,
        string calldata httpEndpoint,
        string calldata multiaddr
    ) external virtual nonReentrant {
        Provider storage pr = _providers[msg.sender];
        if (pr.listIndexPlus1 != 0) revert Registry__AlreadyRegistered(msg.sender);
        uint256 minStake = _p().minStake;
        if (stake < minStake) revert Registry__StakeBelowMinimum(stake, minStake);
        _providerList.push(msg.sender);
        pr.listIndexPlus1 = _providerList.length.toUint32();
        pr.stake = stake.toUint128();
        pr.capacityBytes = capacityBytes;
        pr.pricePerBytePeriod = pricePerBytePeriod;
        pr.httpEndpoint = httpEndpoint;
        pr.multiaddr = multiaddr;
        emit ProviderRegistered(
            msg.sender,
            stake,
            capacityBytes,
            pricePerBytePeriod,
            httpEndpoint,
            multiaddr
        );
        _token.safeTransferFrom(msg.sender, address(this), stake);
    }

    /// @inheritdoc IProviderRegistry
    function updateProvider(
        uint64 capacityBytes,
        uint128 pricePerBytePeriod,
        string calldata httpEndpoint,
        string calldata multiaddr
    ) external virtual {
        Provider storage pr = _registered(msg.sender);
        if (capacityBytes < pr.usedBytes)
            revert Registry__CapacityBelowUsed(capacityBytes, pr.usedBytes);
        pr.capacityBytes = capacityBytes;
        pr.pricePerBytePeriod = pricePerBytePeriod;
        pr.httpEndpoint = httpEndpoint;
        pr.multiaddr = multiaddr;
        emit ProviderUpdated(
            msg.sender,
            capacityBytes,
            pricePerBytePeriod,
            httpEndpoint,
            multiaddr
        );
    }

    /// @inheritdoc IProviderRegistry
    function addStake(uint256 amount) external virtual nonReentrant {
        Provider storage pr = _registered(msg.sender);
        if (amount == 0) revert Registry__ZeroAmount();
        pr.stake = (pr.stake + amount).toUint128();
        emit StakeAdded(msg.sender, amount);
        _token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IProviderRegistry
    function requestUnstake(uint256 amount) external virtual {
        Provider storage pr = _registered(msg.sender);
        if (amount == 0) revert Registry__ZeroAmount();
        uint256 stake = pr.stake;
        if (amount > stake) revert Registry__InsufficientStake(amount, stake);
        // stake ≥ amount was checked just above.
        unchecked {
            uint256 left = stake - amount;
            uint256 minStake = _p().minStake;
            if (pr.activeSlots != 0 && left < minStake)
                revert Registry__StakeBelowMinimum(left, minStake);
            pr.stake = uint128(left);
        }
        pr.unbonding = (pr.unbonding + amount).toUint128();
        uint256 readyAt = block.timestamp + _p().unbondingDelay;
        pr.unbondingReadyAt = readyAt.toUint64();
        emit UnstakeRequested(msg.sender, amount, readyAt);
    }

    /// @inheritdoc IProviderRegistry
    function withdrawStake() external virtual nonReentrant {
        Provider storage pr = _registered(msg.sender);
        uint256 amount = pr.unbonding;
        if (amount == 0) revert Registry__NothingUnbonding(msg.sender);
        if (block.timestamp < pr.unbondingReadyAt) {
            revert Registry__UnbondingNotElapsed(pr.unbondingReadyAt, block.timestamp);
        }
        pr.unbonding = 0;
        emit StakeWithdrawn(msg.sender, amount);
        _token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IProviderRegistry
    function getProvider(address provider) public view virtual returns (ProviderView memory v) {
        Provider storage pr = _providers[provider];
        Counters memory c = pr.counters;
        v.registered = pr.listIndexPlus1 != 0;
        v.stake = pr.stake;
        v.unbonding = pr.unbonding;
        v.unbondingReadyAt = pr.unbondingReadyAt;
        v.capacityBytes = pr.capacityBytes;
        v.usedBytes = pr.usedBytes;
        v.pricePerBytePeriod = pr.pricePerBytePeriod;
        v.httpEndpoint = pr.httpEndpoint;
        v.multiaddr = pr.multiaddr;
        v.slotsFilled = c.slotsFilled;
        v.proofsSubmitted = c.proofsSubmitted;
        v.proofsMissed = c.proofsMissed;
        v.slashes = c.slashes;
        v.repairs = c.repairs;
        v.consecutiveMisses = c.consecutiveMisses;
        v.activeSlots = pr.activeSlots;
    }

    /// @inheritdoc IProviderRegistry
    function providerCount() external view returns (uint256) {
        return _providerList.length;
    }

    /// @inheritdoc IProviderRegistry
    function providerAt(uint256 index) external view returns (address) {
        return _providerList[index];
    }

    // ------------------------------------------------------------------ internal

    function _provider(address provider) internal view returns (Provider storage) {
        return _providers[provider];
    }

    function _registered(address provider) internal view returns (Provider storage pr) {
        pr = _providers[provider];
        if (pr.listIndexPlus1 == 0) revert Registry__NotRegistered(provider);
    }

    /// @dev Checks that `provider` may take a slot of `shardSize` bytes and reserves the capacity.
    function _takeSlot(address provider, uint256 shardSize) internal returns (Provider storage pr) {
        pr = _registered(provider);
        uint256 minStake = _p().minStake;
        if (pr.stake < minStake) revert Registry__StakeBelowMinimum(pr.stake, minStake);
        uint256 used = pr.usedBytes;
        uint256 free = pr.capacityBytes - used; // capacity ≥ used is an invariant of this contract
        if (shardSize > free) revert Registry__InsufficientCapacity(provider, shardSize, free);
        // used + shardSize ≤ capacity ≤ 2^64 - 1; activeSlots ≤ total slots ever filled < 2^32.
        unchecked {
            pr.usedBytes = uint64(used + shardSize);
            pr.activeSlots += 1;
        }
    }

    /// @dev Releases the capacity of a slot of `shardSize` bytes.
    function _releaseSlot(address provider, uint256 shardSize) internal {
        Provider storage pr = _providers[provider];
        // Every release matches an earlier _takeSlot of the same size.
        unchecked {
            pr.usedBytes -= uint64(shardSize);
            pr.activeSlots -= 1;
        }
    }

    /// @dev Slashes `bps` of the provider's total stake (active first, then unbonding).
    function _slashStake(address provider, uint256 bps) internal returns (uint256 amount) {
        Provider storage pr = _providers[provider];
        uint256 stake = pr.stake;
        uint256 unbonding = pr.unbonding;
        amount = ((stake + unbonding) * bps) / BPS;
        if (amount == 0) return 0;
        // amount ≤ stake + unbonding because bps ≤ MAX_SLASH_BPS < BPS.
        unchecked {
            if (amount <= stake) {
                pr.stake = uint128(stake - amount);
            } else {
                pr.stake = 0;
                pr.unbonding = uint128(unbonding - (amount - stake));
            }
        }
        emit StakeSlashed(provider, amount);
    }
}
