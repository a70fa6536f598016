// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

/// @title TesseraToken — the Tessera payment and governance token.
/// @notice Fixed supply: {TOTAL_SUPPLY} is minted once, at construction, to `recipient`. There is no
/// owner and no mint or burn function, so the supply can never change.
/// @dev ERC-2612 permits let clients escrow a storage payment in one transaction
/// (`Marketplace.createRequestWithPermit`). ERC20Votes gives delegated, checkpointed voting power to
/// `TesseraGovernor`.
///
/// Clock: ERC-6372 **timestamp** mode (`CLOCK_MODE() == "mode=timestamp"`). Vote checkpoints, proposal
/// snapshots and deadlines are unix seconds, so governance durations (voting delay/period) mean the
/// same wall-clock time on every chain. Block numbers do not: OP-stack L2s make a block every 2 s,
/// L1 every 12 s, and on Arbitrum `block.number` is an approximate L1 block number. A voting period
/// of "one week" is therefore written once, in seconds, whatever L2 the protocol lives on.
contract TesseraToken is ERC20, ERC20Permit, ERC20Votes {
    /// @notice The whole, fixed supply: one billion tokens with 18 decimals.
    uint256 public constant TOTAL_SUPPLY = 1_000_000_000 ether;

    /// @param recipient receives the whole supply (a distribution contract, a multisig, or on a local
    /// chain the deployer). Reverts with {ERC20InvalidReceiver} for the zero address.
    constructor(address recipient) ERC20("Tessera", "TSR") ERC20Permit("Tessera") {
        _mint(recipient, TOTAL_SUPPLY);
    }

    /// @notice ERC-6372 clock: the current block timestamp (see the contract note on why not blocks).
    function clock() public view override returns (uint48) {
        return uint48(block.timestamp);
    }

    /// @notice ERC-6372 clock description: timestamps.
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    /// @inheritdoc ERC20Permit
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }
}
