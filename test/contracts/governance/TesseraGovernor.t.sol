// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {TesseraGovernor} from "../../../contracts/governance/TesseraGovernor.sol";
import {TesseraTimelock} from "../../../contracts/governance/TesseraTimelock.sol";
import {TesseraToken} from "../../../contracts/token/TesseraToken.sol";
import {ITesseraGovernor} from "../../../contracts/interfaces/ITesseraGovernor.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {TestBase} from "../utils/Vm.sol";

contract TesseraGovernorTest is TestBase {
    TesseraToken internal token;
    TesseraTimelock internal timelock;
    TesseraGovernor internal governor;
    address internal constant VOTER = address(0x7070);

    function setUp() public {
        vm.warp(1_700_000_000);
        token = new TesseraToken(address(this));
        address[] memory executors = new address[](1);
        timelock = new TesseraTimelock(2 days, 14 days, new address[](0), executors, address(this));
        governor = new TesseraGovernor(token, timelock, 1 days, 1 weeks, 1_000_000 ether, 4);
        timelock.grantRole(timelock.PROPOSER_ROLE(), address(governor));
        timelock.grantRole(timelock.CANCELLER_ROLE(), address(governor));
        timelock.renounceRole(timelock.DEFAULT_ADMIN_ROLE(), address(this));
    }

    function test_constructor_revertsForPlainTimelockController() public {
        TimelockController plain = new TimelockController(
            1,
            new address[](0),
            new address[](0),
            address(0)
        );
        vm.expectRevert(
            abi.encodeWithSelector(
                ITesseraGovernor.TesseraGovernor__NotATesseraTimelock.selector,
                address(plain)
            )
        );
        new TesseraGovernor(token, plain, 1 days, 1 weeks, 1, 4);
    }

    function test_settings() public {
        vm.warp(block.timestamp + 1);
        assertEq(governor.votingDelay(), 1 days, "delay");
        assertEq(governor.votingPeriod(), 1 weeks, "period");
        assertEq(governor.proposalThreshold(), 1_000_000 ether, "threshold");
        assertEq(governor.quorum(block.timestamp - 1), 40_000_000 ether, "quorum 4%");
        assertEq(governor.clock(), block.timestamp, "clock");
        assertEq(governor.CLOCK_MODE(), "mode=timestamp", "mode");
        assertEq(governor.timelock(), address(timelock), "timelock");
        assertEq(governor.name(), "TesseraGovernor", "name");
    }

    function test_proposalExpiry_zeroUntilQueued() public {
        token.delegate(address(this));
        vm.warp(block.timestamp + 1);
        (address[] memory t, uint256[] memory v, bytes[] memory c) = _noop();
        uint256 id = governor.propose(t, v, c, "noop");
        assertEq(governor.proposalExpiry(id), 0, "not queued");

        vm.warp(block.timestamp + 1 days + 1);
        governor.castVote(id, 1);
        vm.warp(block.timestamp + 1 weeks);
        governor.queue(t, v, c, keccak256("noop"));
        uint256 eta = governor.proposalEta(id);
        assertEq(eta, block.timestamp + 2 days, "eta");
        assertEq(governor.proposalExpiry(id), eta + 14 days, "expiry");

        vm.warp(eta + 14 days + 1);
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Expired), "expired");
    }

    function test_updateTimelock_onlyGovernance() public {
        vm.expectRevert(
            abi.encodeWithSelector(IGovernor.GovernorOnlyExecutor.selector, address(this))
        );
        governor.updateTimelock(timelock);
    }

    function test_updateTimelock_rejectsPlainTimelockEvenFromGovernance() public {
        TimelockController plain = new TimelockController(
            1,
            new address[](0),
            new address[](0),
            address(0)
        );
        token.delegate(address(this));
        vm.warp(block.timestamp + 1);
        address[] memory t = new address[](1);
        t[0] = address(governor);
        uint256[] memory v = new uint256[](1);
        bytes[] memory c = new bytes[](1);
        c[0] = abi.encodeCall(governor.updateTimelock, (plain));
        uint256 id = governor.propose(t, v, c, "move to a plain timelock");
        vm.warp(block.timestamp + 1 days + 1);
        governor.castVote(id, 1);
        vm.warp(block.timestamp + 1 weeks);
        governor.queue(t, v, c, keccak256("move to a plain timelock"));
        vm.warp(block.timestamp + 2 days);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITesseraGovernor.TesseraGovernor__NotATesseraTimelock.selector,
                address(plain)
            )
        );
        governor.execute(t, v, c, keccak256("move to a plain timelock"));
        assertEq(governor.timelock(), address(timelock), "timelock unchanged");
    }

    function _noop()
        internal
        view
        returns (address[] memory t, uint256[] memory v, bytes[] memory c)
    {
        t = new address[](1);
        t[0] = address(token);
        v = new uint256[](1);
        c = new bytes[](1);
        c[0] = abi.encodeCall(token.balanceOf, (address(this)));
    }
}
