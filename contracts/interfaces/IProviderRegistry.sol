// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ProviderView} from "../types/Market.sol";

/// @title IProviderRegistry — storage providers, their stake, capacity, ask and reputation.
interface IProviderRegistry {
    /// @notice `provider` is already registered.
    error Registry__AlreadyRegistered(address provider);
    /// @notice `provider` is not registered.
    error Registry__NotRegistered(address provider);
    /// @notice The stake would be `stake`, below the minimum `minStake`.
    error Registry__StakeBelowMinimum(uint256 stake, uint256 minStake);
    /// @notice A zero amount was given.
    error Registry__ZeroAmount();
    /// @notice `requested` exceeds the active stake `available`.
    error Registry__InsufficientStake(uint256 requested, uint256 available);
    /// @notice Nothing is unbonding for `provider`.
    error Registry__NothingUnbonding(address provider);
    /// @notice Unbonded stake becomes withdrawable at `readyAt` (now is `nowTime`).
    error Registry__UnbondingNotElapsed(uint256 readyAt, uint256 nowTime);
    /// @notice New capacity `capacity` is below the bytes in use `used`.
    error Registry__CapacityBelowUsed(uint256 capacity, uint256 used);
    /// @notice `provider` needs `needed` free bytes but has `available`.
    error Registry__InsufficientCapacity(address provider, uint256 needed, uint256 available);

    /// @notice A provider registered.
    event ProviderRegistered(
        address indexed provider,
        uint256 stake,
        uint64 capacityBytes,
        uint128 pricePerBytePeriod,
        string httpEndpoint,
        string multiaddr
    );
    /// @notice A provider changed its capacity, ask or endpoints.
    event ProviderUpdated(
        address indexed provider,
        uint64 capacityBytes,
        uint128 pricePerBytePeriod,
        string httpEndpoint,
        string multiaddr
    );
    /// @notice `amount` was added to the stake of `provider`.
    event StakeAdded(address indexed provider, uint256 amount);
    /// @notice `amount` moved from active stake to unbonding, withdrawable at `readyAt`.
    event UnstakeRequested(address indexed provider, uint256 amount, uint256 readyAt);
    /// @notice Unbonded stake was paid out.
    event StakeWithdrawn(address indexed provider, uint256 amount);
    /// @notice `amount` of the stake (active first, then unbonding) was slashed.
    event StakeSlashed(address indexed provider, uint256 amount);

    /// @notice Registers the caller, transferring `stake` (≥ minStake) via allowance.
    function register(
        uint256 stake,
        uint64 capacityBytes,
        uint128 pricePerBytePeriod,
        string calldata httpEndpoint,
        string calldata multiaddr
    ) external;

    /// @notice Updates capacity (≥ bytes in use), ask and endpoints.
    function updateProvider(
        uint64 capacityBytes,
        uint128 pricePerBytePeriod,
        string calldata httpEndpoint,
        string calldata multiaddr
    ) external;

    /// @notice Adds `amount` to the caller's stake via allowance.
    function addStake(uint256 amount) external;

    /// @notice Starts unbonding `amount`; a provider holding slots keeps at least minStake.
    /// Restarts the delay for everything already unbonding.
    function requestUnstake(uint256 amount) external;

    /// @notice Pays out the unbonded stake once the delay has elapsed.
    function withdrawStake() external;

    /// @notice Everything known about `provider`.
    function getProvider(address provider) external view returns (ProviderView memory);

    /// @notice Number of registered providers.
    function providerCount() external view returns (uint256);

    /// @notice The `index`-th registered provider (registration order).
    function providerAt(uint256 index) external view returns (address);
}
