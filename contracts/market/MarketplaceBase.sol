// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IMarketplaceEvents} from "../interfaces/IMarketplace.sol";
import {ProviderRegistry} from "../registry/ProviderRegistry.sol";
import {ProtocolParams} from "./ProtocolParams.sol";
import {MerkleSegments} from "../libraries/MerkleSegments.sol";
import {Challenges} from "../libraries/Challenges.sol";
import {Bits} from "../libraries/Bits.sol";
import {Params} from "../types/Params.sol";
import {RequestId, RequestIdLib} from "../types/RequestId.sol";
import {
    RequestParams,
    RequestState,
    SlotState,
    ChallengeStatus,
    TargetedChallenge
} from "../types/Market.sol";

/// @title MarketplaceBase — storage layout and shared internals of the Marketplace and its extension; storage requests, slots, aggregated and targeted proofs, slashing,
/// repair and pull payouts (docs/protocol.md §2–§5).
/// @notice Every external function is O(1), O(log n) or O(batch): nothing loops over requests,
/// over slots of other requests, or over providers. The only loops are over the c challenges
/// of one `submitProofs`, over the units (≤ 256) of the one slot being filled/freed, and over
/// the proven-period bitmap words (one per 256 periods) of the one slot being settled.
abstract contract MarketplaceBase is IMarketplaceEvents, ProviderRegistry {
    using SafeERC20 for IERC20;

    // ------------------------------------------------------------------ storage layout

    /// @dev One storage request. Deal parameters are snapshotted at creation.
    struct Request {
        // slot 0
        address client;
        uint8 k;
        uint8 m;
        uint8 filled;
        uint8 freed;
        RequestState state;
        uint8 maxMisses;
        uint16 protocolFeeBps;
        uint32 startPeriod; // 0 until started (a deal never starts in period 0)
        // slot 1
        uint64 shardSize;
        uint32 nLeaves;
        uint32 durationPeriods;
        uint32 endPeriod; // start + duration, or the failure period
        uint64 fillDeadline;
        uint16 slashBps;
        uint16 reporterRewardBps;
        // slot 2
        uint128 pricePerSlotPeriod;
        uint128 collateralPerSlot;
        // slot 3
        uint128 escrow;
        uint64 index;
        uint16 repairBountyBps;
        // slot 4…
        bytes16[] roots;
    }

    struct Slot {
        // slot 0
        address holder;
        uint32 settledUntil; // periods < settledUntil are settled (0 = from the start)
        uint8 misses; // failed targeted challenges of the current holder
        SlotState state;
        // slot 1
        uint128 collateral;
        uint128 bounty;
    }

    struct ChallengeRecord {
        // slot 0
        address challenger;
        uint64 deadlineBlock;
        uint8 slot;
        ChallengeStatus status;
        // slot 1
        address provider;
        uint32 leaf;
        // slot 2
        uint128 bond;
        // slot 3
        RequestId id;
    }

    /// @dev Unit-list entry layout (one word): root (bits 255..128) | nLeaves (127..96) |
    /// unit (95..80) | request index (79..16) | slot (15..8) | tree depth (7..0).
    /// Bits 95..8 identify the entry (key); the depth is derived from nLeaves.
    /// @dev High 16 bytes of a word (a left-aligned bytes16).
    uint256 internal constant HIGH128 =
        0xffffffffffffffffffffffffffffffff00000000000000000000000000000000;
    /// @dev 0x01 at byte 16 of a word: hash ‖ NODE_TAG_WORD spells hash ‖ 0x01 ‖ 0^15 (node tag).
    uint256 internal constant NODE_TAG_WORD =
        0x0000000000000000000000000000000001000000000000000000000000000000;
    uint256 internal constant KEY_MASK = ((uint256(1) << 96) - 1) & ~uint256(0xff);
    uint256 internal constant MAX_SLOTS = 255;
    uint256 internal constant BLOCKHASH_WINDOW = 256;

    uint256 internal immutable _periodBlocks;

    uint64 internal _requestCount;
    uint256 internal _challengeCount;
    mapping(RequestId => Request) internal _requests;
    mapping(RequestId => mapping(uint256 slot => Slot)) internal _slots;
    mapping(RequestId => mapping(address provider => bool)) internal _holds;
    mapping(uint64 index => RequestId) internal _requestIds;
    mapping(address client => uint256) internal _clientNonces;
    mapping(address provider => uint256[]) internal _units;
    mapping(address provider => mapping(uint256 key => uint256 posPlus1)) internal _unitPos;
    mapping(uint256 period => bytes32) internal _seeds;
    mapping(address provider => mapping(uint256 word => uint256)) internal _provenBits;
    mapping(address provider => mapping(uint256 word => uint256)) internal _reportedBits;
    mapping(address account => uint256) internal _balances;
    mapping(uint256 challengeId => ChallengeRecord) internal _challenges;

    /// @param token_ the Tessera token (ERC-20, ERC-2612)
    /// @param initialOwner owner of the parameters (governance Timelock)
    /// @param treasury_ receives fees and the treasury share of slashes
    /// @param periodBlocks_ period length in blocks (immutable: period numbers index all accounting)
    /// @param initialParams initial parameters, checked against the hard limits
    constructor(
        IERC20 token_,
        address initialOwner,
        address treasury_,
        uint256 periodBlocks_,
        Params memory initialParams
    ) ProtocolParams(initialOwner, treasury_, initialParams) ProviderRegistry(token_) {
        if (periodBlocks_ == 0 || periodBlocks_ > type(uint32).max) {
            revert ProtocolParams__OutOfRange("periodBlocks", periodBlocks_, 1, type(uint32).max);
        }
        _periodBlocks = periodBlocks_;
    }

    // ================================================================== internal: requests

    function _validateRequest(RequestParams calldata p) internal view returns (uint256 escrow) {
        uint256 n = uint256(p.k) + p.m;
        if (p.k == 0 || p.m > p.k || n > MAX_SLOTS) revert Marketplace__InvalidRedundancy(p.k, p.m);
        Params storage prm = _p();
        uint256 maxShard = prm.maxShardSize;
        if (p.shardSize == 0 || p.shardSize > maxShard)
            revert Marketplace__InvalidShardSize(p.shardSize, maxShard);
        uint256 maxDuration = prm.maxDurationPeriods;
        if (p.durationPeriods == 0 || p.durationPeriods > maxDuration) {
            revert Marketplace__InvalidDuration(p.durationPeriods, maxDuration);
        }
        if (p.pricePerSlotPeriod == 0) revert Marketplace__ZeroPrice();
        if (p.roots.length != n) revert Marketplace__WrongShardCount(n, p.roots.length);
        if (p.cids.length != 0 && p.cids.length != n)
            revert Marketplace__WrongShardCount(n, p.cids.length);
        for (uint256 i; i < n; ++i) {
            if (p.roots[i] == bytes16(0)) revert Marketplace__ZeroRoot(i);
        }
        if (p.fillDeadline <= block.timestamp)
            revert Marketplace__FillDeadlinePassed(p.fillDeadline, block.timestamp);
        // n < 2^8, price < 2^128, duration < 2^32: the product fits in 256 bits.
        escrow = n * p.pricePerSlotPeriod * p.durationPeriods;
        if (escrow > type(uint128).max)
            revert Marketplace__EscrowOverflow(n, p.pricePerSlotPeriod, p.durationPeriods);
    }

    function _storeRequest(
        RequestParams calldata p,
        uint256 escrow
    ) internal returns (RequestId id) {
        uint256 nonce = _clientNonces[msg.sender]++;
        id = RequestIdLib.derive(msg.sender, nonce);
        uint64 index = _requestCount++;
        _requestIds[index] = id;
        Params storage prm = _p();
        Request storage r = _requests[id];
        r.client = msg.sender;
        r.k = p.k;
        r.m = p.m;
        r.state = RequestState.Open;
        r.maxMisses = prm.maxMisses;
        r.protocolFeeBps = prm.protocolFeeBps;
        r.shardSize = p.shardSize;
        r.nLeaves = uint32(MerkleSegments.leavesOf(p.shardSize)); // ≤ 2^24
        r.durationPeriods = p.durationPeriods;
        r.fillDeadline = p.fillDeadline;
        r.slashBps = prm.slashBps;
        r.reporterRewardBps = prm.reporterRewardBps;
        r.pricePerSlotPeriod = p.pricePerSlotPeriod;
        r.collateralPerSlot = p.collateralPerSlot;
        r.escrow = uint128(escrow);
        r.index = index;
        r.repairBountyBps = prm.repairBountyBps;
        r.roots = p.roots;
        emit RequestCreated(id, msg.sender, p);
    }

    /// @dev Open before its fill deadline, or started and not ended (repair).
    function _checkFillable(
        RequestId id,
        Request storage r
    ) internal view returns (RequestState state) {
        state = r.state;
        if (state == RequestState.Open) {
            if (block.timestamp > r.fillDeadline) {
                revert Marketplace__FillDeadlinePassed(r.fillDeadline, block.timestamp);
            }
        } else if (state == RequestState.Started) {
            if (_currentPeriod() >= r.endPeriod) revert Marketplace__RequestEnded(id, r.endPeriod);
        } else {
            revert Marketplace__WrongRequestState(id, state);
        }
    }

    function _start(RequestId id, Request storage r, uint256 current) internal {
        uint256 start = current + 1;
        uint256 end = start + r.durationPeriods;
        r.state = RequestState.Started;
        r.startPeriod = uint32(start); // < 2^32: block.number / periodBlocks + 1
        r.endPeriod = uint32(end); // duration ≤ 65,536 periods
        emit RequestStarted(id, start, end);
    }

    function _request(RequestId id) internal view returns (Request storage r) {
        r = _requests[id];
        if (r.state == RequestState.None) revert Marketplace__UnknownRequest(id);
    }

    function _checkSlotIndex(RequestId id, Request storage r, uint256 slot) internal view {
        uint256 n = uint256(r.k) + r.m;
        if (slot >= n) revert Marketplace__SlotOutOfRange(id, slot, n);
    }

    /// @dev Open (filling) or started and not yet ended.
    function _isActive(Request storage r) internal view returns (bool) {
        RequestState state = r.state;
        if (state == RequestState.Open) return true;
        return state == RequestState.Started && _currentPeriod() < r.endPeriod;
    }

    function _requireActive(RequestId id, Request storage r) internal view {
        RequestState state = r.state;
        if (state == RequestState.Started) {
            if (_currentPeriod() >= r.endPeriod) revert Marketplace__RequestEnded(id, r.endPeriod);
        } else if (state != RequestState.Open) {
            revert Marketplace__WrongRequestState(id, state);
        }
    }

    // ================================================================== internal: slots and money

    /// @dev Takes the slot from its holder: settles its closed periods, splits the remaining
    /// collateral into repair bounty and client refund, and fails the request if more than m
    /// slots are free.
    function _freeSlot(RequestId id, Request storage r, uint256 slot, Slot storage s) internal {
        uint256 current = _currentPeriod();
        address holder = s.holder;
        if (r.startPeriod != 0) _settle(id, r, slot, s, current);
        uint256 collateral = s.collateral;
        uint256 bounty = (collateral * r.repairBountyBps) / BPS;
        uint256 refund = collateral - bounty;
        s.collateral = 0;
        s.bounty = uint128(bounty);
        s.holder = address(0);
        s.state = SlotState.Freed;
        s.misses = 0;
        // _holds[id][holder] stays true: a freed provider never takes a slot of this request
        // again, so it cannot collect the bounty carved out of its own forfeited collateral.
        _removeUnits(holder, r, slot);
        _releaseSlot(holder, r.shardSize);
        _credit(r.client, refund);
        // filled ≥ 1 (this slot); freed < n ≤ 255.
        unchecked {
            r.filled -= 1;
            r.freed += 1;
        }
        emit SlotFreed(id, slot, holder, bounty, refund);
        if (r.freed > r.m) {
            r.state = RequestState.Failed;
            if (r.startPeriod != 0) {
                // No period from now on is paid; each slot's remaining escrow returns on claimSlot.
                if (current < r.endPeriod) r.endPeriod = uint32(current);
            } else {
                uint256 escrow = r.escrow;
                r.escrow = 0;
                _credit(r.client, escrow);
            }
            emit RequestFailed(id, current);
        }
    }

    /// @dev Settles periods [max(settledUntil, start), min(upTo, end)) of a slot: proven periods
    /// of the current holder are paid (minus the fee), the others go back to the client.
    function _settle(
        RequestId id,
        Request storage r,
        uint256 slot,
        Slot storage s,
        uint256 upTo
    ) internal {
        uint256 lo = s.settledUntil;
        if (lo < r.startPeriod) lo = r.startPeriod;
        uint256 hi = r.endPeriod;
        if (upTo < hi) hi = upTo;
        if (hi <= lo) return;
        uint256 price = r.pricePerSlotPeriod;
        uint256 total = (hi - lo) * price;
        address holder = s.state == SlotState.Filled ? s.holder : address(0);
        uint256 gross;
        uint256 fee;
        if (holder != address(0)) {
            gross = _countProven(holder, lo, hi) * price;
            fee = (gross * r.protocolFeeBps) / BPS;
        }
        s.settledUntil = uint32(hi);
        // total ≤ escrow: each period of each slot is settled exactly once.
        r.escrow -= uint128(total);
        _credit(holder, gross - fee);
        _credit(treasury(), fee);
        _credit(r.client, total - gross);
        emit SlotSettled(id, slot, holder, lo, hi, gross - fee, fee, total - gross);
    }

    /// @dev Proven periods of `provider` in [lo, hi): popcount over one bitmap word per 256 periods.
    function _countProven(
        address provider,
        uint256 lo,
        uint256 hi
    ) internal view returns (uint256 count) {
        mapping(uint256 => uint256) storage bitsOf = _provenBits[provider];
        uint256 last = (hi - 1) >> 8;
        for (uint256 w = lo >> 8; w <= last; ++w) {
            uint256 bits = bitsOf[w];
            if (bits == 0) continue;
            uint256 from = w == lo >> 8 ? lo & 0xff : 0;
            uint256 to = w == last ? ((hi - 1) & 0xff) + 1 : 256;
            count += Bits.popcount(bits & Bits.rangeMask(from, to));
        }
    }

    function _credit(address account, uint256 amount) internal {
        if (amount != 0) _balances[account] += amount;
    }

    // ================================================================== internal: proofs

    function _verifySingle(
        RequestId id,
        uint256 slot,
        uint256 leaf,
        uint256 nLeaves,
        bytes16 root,
        bytes calldata proof
    ) internal view {
        uint256 depth = MerkleSegments.depthOf(nLeaves);
        uint256 expected = MerkleSegments.proofLength(depth);
        if (proof.length != expected)
            revert Marketplace__InvalidProofLength(expected, proof.length);
        if (!MerkleSegments.verify(proof, 0, leaf, depth, root))
            revert Marketplace__InvalidProof(id, slot, leaf);
    }

    /// @dev Verifies the `c` packed proofs of the caller; returns the bytes consumed.
    function _verifyChallenges(
        bytes32 seed,
        uint256[] storage units,
        uint256 count,
        uint256 c,
        bytes calldata proofs
    ) internal view returns (uint256 offset) {
        // One assembly block for the whole batch (≈ 1,500 gas per challenge less than calling the
        // library per challenge). It performs, for j = 0 … c-1, exactly docs/protocol.md §3 and
        // the walk of {MerkleSegments.verify} (same scratch-space technique, same rule; the library
        // version is used by fillSlot/answerChallenge and is what the vectors test exercises).
        uint256 badEntry; // non-zero: the entry whose proof failed
        uint256 badLeaf;
        uint256 need; // non-zero: proof bytes needed exceed proofs.length
        assembly ("memory-safe") {
            // Storage slot of units[0]: keccak256(units.slot) (Solidity's dynamic-array layout).
            mstore(0x00, units.slot)
            let dataSlot := keccak256(0x00, 0x20)
            let ptr := proofs.offset
            let end := add(proofs.offset, proofs.length)
            for {
                let j := 0
            } lt(j, c) {
                j := add(j, 1)
            } {
                // r = uint256(keccak256(abi.encode(seed, msg.sender, j))), hashed in free memory
                // without allocating it (nothing else uses that memory afterwards).
                let m := mload(0x40)
                mstore(m, seed)
                mstore(add(m, 0x20), caller())
                mstore(add(m, 0x40), j)
                let r := keccak256(m, 0x60)
                // entry = units[r % count]; count > 0 is checked by the caller.
                let entry := sload(add(dataSlot, mod(r, count)))
                // leaf = first + (r >> 128) % span, first = unit · 2^16, span = min(2^16, nLeaves - first)
                let first := shl(16, and(shr(80, entry), 0xffff))
                let span := sub(and(shr(96, entry), 0xffffffff), first)
                if gt(span, 0x10000) {
                    span := 0x10000
                }
                let leaf := add(first, mod(shr(128, r), span))
                // The proof spans 64 + 16·depth bytes; depth is the entry's low byte (set at fill).
                let next := add(ptr, add(0x40, shl(4, and(entry, 0xff))))
                if gt(next, end) {
                    need := sub(next, proofs.offset)
                    break
                }
                // Leaf hash: SHA256(segment), segment copied into the scratch space 0x00–0x3f.
                calldatacopy(0x00, ptr, 0x40)
                let ok := staticcall(gas(), 0x02, 0x00, 0x40, 0x00, 0x20)
                // Second half of every node message: 0x01 ‖ 0^31 (the precompile writes 0x00–0x1f only).
                mstore(0x20, shl(248, 1))
                // Walk the path two levels per iteration (an odd first level is done alone). At each
                // level the index bit says: 0 = running hash is the left child, 1 = the right one.
                // Write (hash ‖ 0x01 ‖ 0^15) at 0x00 or 0x10 (at 0x10 its low half rewrites the tag
                // at 0x20–0x2f in place), then copy the 16-byte sibling into the other half.
                let l := leaf
                let p := add(ptr, 0x40)
                if and(entry, 1) {
                    let bit := and(l, 1)
                    mstore(shl(4, bit), or(and(mload(0x00), HIGH128), NODE_TAG_WORD))
                    calldatacopy(shl(4, xor(bit, 1)), p, 0x10)
                    ok := and(ok, staticcall(gas(), 0x02, 0x00, 0x40, 0x00, 0x20))
                    l := shr(1, l)
                    p := add(p, 0x10)
                }
                for {} lt(p, next) {
                    p := add(p, 0x20)
                } {
                    let bit := and(l, 1)
                    mstore(shl(4, bit), or(and(mload(0x00), HIGH128), NODE_TAG_WORD))
                    calldatacopy(shl(4, xor(bit, 1)), p, 0x10)
                    ok := and(ok, staticcall(gas(), 0x02, 0x00, 0x40, 0x00, 0x20))
                    bit := and(shr(1, l), 1)
                    mstore(shl(4, bit), or(and(mload(0x00), HIGH128), NODE_TAG_WORD))
                    calldatacopy(shl(4, xor(bit, 1)), add(p, 0x10), 0x10)
                    ok := and(ok, staticcall(gas(), 0x02, 0x00, 0x40, 0x00, 0x20))
                    l := shr(2, l)
                }
                // Compare the truncated result with the root (the entry's high 16 bytes).
                if iszero(and(ok, eq(and(mload(0x00), HIGH128), and(entry, HIGH128)))) {
                    badEntry := entry
                    badLeaf := leaf
                    break
                }
                ptr := next
            }
            offset := sub(ptr, proofs.offset)
        }
        if (need != 0) revert Marketplace__InvalidProofLength(need, proofs.length);
        if (badEntry != 0) {
            revert Marketplace__InvalidProof(
                _requestIds[uint64(badEntry >> 16)],
                uint8(badEntry >> 8),
                badLeaf
            );
        }
    }

    /// @dev The seed of `period`, recording it on first use while its block hash is available.
    function _seedFor(uint256 period) internal returns (bytes32 seed) {
        seed = _seeds[period];
        if (seed != bytes32(0)) return seed;
        // period ≥ 1 here, so start(period) - 1 does not underflow.
        bytes32 bh = period == 0 ? bytes32(0) : blockhash(period * _periodBlocks - 1);
        if (bh == bytes32(0)) revert Marketplace__SeedUnavailable(period);
        seed = Challenges.seed(bh, period);
        _seeds[period] = seed;
        emit SeedRecorded(period, seed);
    }

    // ================================================================== internal: unit lists

    /// @dev Appends the units of a newly filled slot to the provider's unit list.
    function _addUnits(
        address provider,
        Request storage r,
        uint256 slot,
        uint256 current
    ) internal {
        uint256[] storage units = _units[provider];
        mapping(uint256 => uint256) storage pos = _unitPos[provider];
        uint256 len = units.length;
        if (len == 0) {
            // Proofs become due from the next full period on.
            Provider storage pr = _provider(provider);
            pr.dueFrom = uint32(current + 1);
            pr.dueUntil = type(uint32).max;
        }
        uint256 nLeaves = r.nLeaves;
        uint256 base =
            (uint256(uint128(r.roots[slot])) << 128) |
                (nLeaves << 96) |
                (uint256(r.index) << 16) |
                (slot << 8) |
                MerkleSegments.depthOf(nLeaves);
        uint256 u = Challenges.unitsOf(nLeaves);
        for (uint256 i; i < u; ++i) {
            uint256 entry = base | (i << 80);
            units.push(entry);
            // len + i + 1 ≤ number of units ever added (< 2^64).
            unchecked {
                pos[entry & KEY_MASK] = len + i + 1;
            }
        }
    }

    /// @dev Swap-and-pops the units of `slot` of request `r` from the provider's unit list.
    function _removeUnits(address provider, Request storage r, uint256 slot) internal {
        uint256[] storage units = _units[provider];
        mapping(uint256 => uint256) storage pos = _unitPos[provider];
        uint256 base = (uint256(r.index) << 16) | (slot << 8);
        uint256 u = Challenges.unitsOf(r.nLeaves);
        for (uint256 i; i < u; ++i) {
            uint256 key = base | (i << 80);
            uint256 at = pos[key] - 1; // present: added by _addUnits, removed only here
            uint256 lastAt = units.length - 1;
            if (at != lastAt) {
                uint256 moved = units[lastAt];
                units[at] = moved;
                pos[moved & KEY_MASK] = at + 1;
            }
            units.pop();
            delete pos[key];
        }
        if (units.length == 0) {
            _provider(provider).dueUntil = uint32(_currentPeriod());
        }
    }

    function _currentPeriod() internal view returns (uint256) {
        return block.number / _periodBlocks;
    }
}
