// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {TesseraTimelock} from "../../../contracts/governance/TesseraTimelock.sol";
import {ITesseraTimelock} from "../../../contracts/interfaces/ITesseraTimelock.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {TestBase} from "../utils/Vm.sol";

contract Counter {
    uint256 public value;

    function set(uint256 v) external {
        value = v;
    }
}

contract TesseraTimelockTest is TestBase {
    uint256 internal constant DELAY = 2 days;
    uint256 internal constant GRACE = 14 days;
    address internal constant PROPOSER = address(0x9909);
    address internal constant STRANGER = address(0x5757);

    TesseraTimelock internal timelock;
    Counter internal counter;

    function setUp() public {
        vm.warp(1_700_000_000);
        address[] memory proposers = new address[](1);
        proposers[0] = PROPOSER;
        address[] memory executors = new address[](1);
        executors[0] = address(0);
        timelock = new TesseraTimelock(DELAY, GRACE, proposers, executors, address(0));
        counter = new Counter();
    }

    function _schedule(uint256 v) internal returns (bytes32 id, bytes memory data) {
        data = abi.encodeCall(Counter.set, (v));
        id = timelock.hashOperation(address(counter), 0, data, bytes32(0), bytes32(v));
        vm.prank(PROPOSER);
        timelock.schedule(address(counter), 0, data, bytes32(0), bytes32(v), DELAY);
    }

    function test_constructor_revertsForZeroGracePeriod() public {
        vm.expectRevert(
            abi.encodeWithSelector(ITesseraTimelock.TesseraTimelock__ZeroGracePeriod.selector)
        );
        new TesseraTimelock(DELAY, 0, new address[](0), new address[](0), address(0));
    }

    function test_constructor_noExternalAdminWhenZero() public view {
        assertTrue(
            timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), address(timelock)),
            "self admin"
        );
        assertFalse(
            timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), address(this)),
            "deployer is not admin"
        );
        assertEq(timelock.gracePeriod(), GRACE, "grace");
        assertEq(timelock.getMinDelay(), DELAY, "delay");
    }

    function test_supportsInterface_reportsTesseraTimelock() public view {
        assertTrue(
            timelock.supportsInterface(type(ITesseraTimelock).interfaceId),
            "ITesseraTimelock"
        );
        assertTrue(timelock.supportsInterface(type(IAccessControl).interfaceId), "IAccessControl");
        assertFalse(timelock.supportsInterface(0xffffffff), "0xffffffff");
    }

    function test_execute_worksWithinGracePeriod() public {
        (bytes32 id, bytes memory data) = _schedule(42);
        vm.warp(block.timestamp + DELAY + GRACE); // last executable second
        assertFalse(timelock.isOperationExpired(id), "not expired yet");
        vm.prank(STRANGER); // open executor role
        timelock.execute(address(counter), 0, data, bytes32(0), bytes32(uint256(42)));
        assertEq(counter.value(), 42, "executed");
        assertFalse(timelock.isOperationExpired(id), "done is never expired");
    }

    function test_execute_revertsBeforeDelay() public {
        (bytes32 id, bytes memory data) = _schedule(7);
        vm.warp(block.timestamp + DELAY - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                TimelockController.TimelockUnexpectedOperationState.selector,
                id,
                bytes32(uint256(1) << uint8(TimelockController.OperationState.Ready))
            )
        );
        timelock.execute(address(counter), 0, data, bytes32(0), bytes32(uint256(7)));
    }

    function test_execute_revertsAfterGracePeriod() public {
        (bytes32 id, bytes memory data) = _schedule(9);
        uint256 readyAt = block.timestamp + DELAY;
        vm.warp(readyAt + GRACE + 1);
        assertTrue(timelock.isOperationExpired(id), "expired");
        vm.expectRevert(
            abi.encodeWithSelector(
                ITesseraTimelock.TesseraTimelock__OperationExpired.selector,
                id,
                readyAt + GRACE
            )
        );
        timelock.execute(address(counter), 0, data, bytes32(0), bytes32(uint256(9)));
        assertEq(counter.value(), 0, "not executed");
    }

    function test_executeBatch_revertsAfterGracePeriod() public {
        address[] memory targets = new address[](1);
        targets[0] = address(counter);
        uint256[] memory values = new uint256[](1);
        bytes[] memory payloads = new bytes[](1);
        payloads[0] = abi.encodeCall(Counter.set, (5));
        bytes32 id = timelock.hashOperationBatch(targets, values, payloads, bytes32(0), bytes32(0));
        vm.prank(PROPOSER);
        timelock.scheduleBatch(targets, values, payloads, bytes32(0), bytes32(0), DELAY);
        uint256 readyAt = block.timestamp + DELAY;

        vm.warp(readyAt + GRACE + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITesseraTimelock.TesseraTimelock__OperationExpired.selector,
                id,
                readyAt + GRACE
            )
        );
        timelock.executeBatch(targets, values, payloads, bytes32(0), bytes32(0));
    }

    function test_isOperationExpired_falseForUnknownOperation() public view {
        assertFalse(timelock.isOperationExpired(keccak256("nothing")), "unknown");
    }

    function testFuzz_isOperationExpired_exactlyAfterGrace(uint256 elapsed) public {
        elapsed = elapsed % (DELAY + GRACE + 10 days);
        (bytes32 id, ) = _schedule(1);
        uint256 readyAt = block.timestamp + DELAY;
        vm.warp(block.timestamp + elapsed);
        assertEq(
            timelock.isOperationExpired(id) ? 1 : 0,
            block.timestamp > readyAt + GRACE ? 1 : 0,
            "expired iff past grace"
        );
    }
}
