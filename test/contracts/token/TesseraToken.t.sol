// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {TesseraToken} from "../../../contracts/token/TesseraToken.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Votes} from "@openzeppelin/contracts/governance/utils/Votes.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {TestBase} from "../utils/Vm.sol";

contract TesseraTokenTest is TestBase {
    uint256 internal constant ALICE_KEY = 0xA11CE;
    uint256 internal constant SUPPLY = 1_000_000_000 ether;
    bytes32 internal constant PERMIT_TYPEHASH = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
    );
    bytes32 internal constant DELEGATION_TYPEHASH = keccak256(
        "Delegation(address delegatee,uint256 nonce,uint256 expiry)"
    );

    TesseraToken internal token;
    address internal alice;
    address internal constant BOB = address(0xB0B);
    address internal constant CAROL = address(0xCA401);

    function setUp() public {
        vm.warp(1_700_000_000);
        alice = vm.addr(ALICE_KEY);
        token = new TesseraToken(alice);
    }

    // ---------------------------------------------------------------- supply

    function test_constructor_mintsWholeSupplyToRecipient() public view {
        assertEq(token.totalSupply(), SUPPLY, "totalSupply");
        assertEq(token.TOTAL_SUPPLY(), SUPPLY, "TOTAL_SUPPLY");
        assertEq(token.balanceOf(alice), SUPPLY, "recipient balance");
    }

    function test_constructor_revertsForZeroRecipient() public {
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(0))
        );
        new TesseraToken(address(0));
    }

    function test_metadata() public view {
        assertEq(token.name(), "Tessera", "name");
        assertEq(token.symbol(), "TSR", "symbol");
        assertEq(token.decimals(), 18, "decimals");
    }

    function test_noMintOrBurnEntryPoint() public {
        bytes4[4] memory selectors = [
            bytes4(keccak256("mint(address,uint256)")),
            bytes4(keccak256("mint(uint256)")),
            bytes4(keccak256("burn(uint256)")),
            bytes4(keccak256("burnFrom(address,uint256)"))
        ];
        for (uint256 i = 0; i < selectors.length; ++i) {
            (bool ok, ) = address(token).call(abi.encodeWithSelector(selectors[i], alice, 1 ether));
            assertFalse(ok, "a mint/burn selector must not exist");
        }
        assertEq(token.totalSupply(), SUPPLY, "supply unchanged");
    }

    function testFuzz_transfer_conservesSupply(uint256 amount, address to) public {
        vm.assume(to != address(0));
        amount = amount % (SUPPLY + 1);
        vm.prank(alice);
        token.transfer(to, amount);
        assertEq(token.totalSupply(), SUPPLY, "supply");
        if (to != alice) {
            assertEq(token.balanceOf(to), amount, "receiver");
            assertEq(token.balanceOf(alice), SUPPLY - amount, "sender");
        }
    }

    function test_transfer_revertsAboveBalance() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientBalance.selector,
                BOB,
                uint256(0),
                uint256(1)
            )
        );
        vm.prank(BOB);
        token.transfer(alice, 1);
    }

    // ---------------------------------------------------------------- clock

    function test_clock_isBlockTimestamp() public {
        assertEq(token.clock(), block.timestamp, "clock");
        vm.warp(1_800_000_000);
        assertEq(token.clock(), 1_800_000_000, "clock after warp");
        assertEq(token.CLOCK_MODE(), "mode=timestamp", "CLOCK_MODE");
    }

    // ---------------------------------------------------------------- votes

    function test_votes_needDelegation() public {
        assertEq(token.getVotes(alice), 0, "undelegated balance has no votes");
        vm.prank(alice);
        token.delegate(alice);
        assertEq(token.getVotes(alice), SUPPLY, "self-delegated");
        assertEq(token.delegates(alice), alice, "delegates");
    }

    function test_votes_checkpointedByTimestamp() public {
        vm.prank(alice);
        token.delegate(BOB);
        uint256 t0 = block.timestamp;
        vm.warp(t0 + 100);
        vm.prank(alice);
        token.transfer(CAROL, 400 ether);
        vm.warp(t0 + 200);

        assertEq(token.getPastVotes(BOB, t0), SUPPLY, "votes at t0");
        assertEq(token.getPastVotes(BOB, t0 + 99), SUPPLY, "votes just before the transfer");
        assertEq(token.getPastVotes(BOB, t0 + 100), SUPPLY - 400 ether, "votes at the transfer");
        assertEq(token.getPastTotalSupply(t0 + 150), SUPPLY, "past total supply");
        assertEq(token.getVotes(CAROL), 0, "carol did not delegate");
    }

    function test_getPastVotes_revertsForNowOrFuture() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                Votes.ERC5805FutureLookup.selector,
                block.timestamp,
                block.timestamp
            )
        );
        token.getPastVotes(alice, block.timestamp);
    }

    function test_delegateBySig_delegates() public {
        uint256 expiry = block.timestamp + 1 hours;
        bytes32 structHash = keccak256(abi.encode(DELEGATION_TYPEHASH, BOB, uint256(0), expiry));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ALICE_KEY, _digest(structHash));
        token.delegateBySig(BOB, 0, expiry, v, r, s);
        assertEq(token.delegates(alice), BOB, "delegatee");
        assertEq(token.getVotes(BOB), SUPPLY, "votes");
        assertEq(token.nonces(alice), 1, "nonce used");
    }

    function test_delegateBySig_revertsWhenExpired() public {
        uint256 expiry = block.timestamp - 1;
        bytes32 structHash = keccak256(abi.encode(DELEGATION_TYPEHASH, BOB, uint256(0), expiry));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ALICE_KEY, _digest(structHash));
        vm.expectRevert(abi.encodeWithSelector(IVotes.VotesExpiredSignature.selector, expiry));
        token.delegateBySig(BOB, 0, expiry, v, r, s);
    }

    // ---------------------------------------------------------------- permit

    function test_permit_setsAllowanceAndUsesNonce() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(BOB, 123 ether, 0, deadline);
        token.permit(alice, BOB, 123 ether, deadline, v, r, s);
        assertEq(token.allowance(alice, BOB), 123 ether, "allowance");
        assertEq(token.nonces(alice), 1, "nonce");

        vm.prank(BOB);
        token.transferFrom(alice, CAROL, 123 ether);
        assertEq(token.balanceOf(CAROL), 123 ether, "spent through the permit");
    }

    function test_permit_revertsWhenExpired() public {
        uint256 deadline = block.timestamp - 1;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(BOB, 1 ether, 0, deadline);
        vm.expectRevert(
            abi.encodeWithSelector(ERC20Permit.ERC2612ExpiredSignature.selector, deadline)
        );
        token.permit(alice, BOB, 1 ether, deadline, v, r, s);
    }

    function test_permit_revertsOnReplay() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(BOB, 1 ether, 0, deadline);
        token.permit(alice, BOB, 1 ether, deadline, v, r, s);
        // the same signature now recovers to a different address because the nonce moved on
        bytes32 replayDigest = _digest(
            keccak256(abi.encode(PERMIT_TYPEHASH, alice, BOB, 1 ether, uint256(1), deadline))
        );
        address recovered = ecrecover(replayDigest, v, r, s);
        vm.expectRevert(
            abi.encodeWithSelector(ERC20Permit.ERC2612InvalidSigner.selector, recovered, alice)
        );
        token.permit(alice, BOB, 1 ether, deadline, v, r, s);
        assertEq(token.nonces(alice), 1, "nonce used once");
    }

    function _signPermit(
        address spender,
        uint256 value,
        uint256 nonce,
        uint256 deadline
    ) internal view returns (uint8, bytes32, bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(PERMIT_TYPEHASH, alice, spender, value, nonce, deadline)
        );
        return vm.sign(ALICE_KEY, _digest(structHash));
    }

    function _digest(bytes32 structHash) internal view returns (bytes32) {
        return keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
    }
}
