// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @dev The cheatcodes used by the token, file-index and governance tests (forge-std is not
/// available here; Hardhat's Solidity test runner implements these at the standard address).
interface GovCheats {
    function warp(uint256 timestamp) external;
    function roll(uint256 blockNumber) external;
    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function expectRevert(bytes calldata revertData) external;
    function expectEmit(
        bool checkTopic1,
        bool checkTopic2,
        bool checkTopic3,
        bool checkData
    ) external;
    function addr(uint256 privateKey) external pure returns (address);
    function sign(
        uint256 privateKey,
        bytes32 digest
    ) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function assume(bool condition) external pure;
}

/// @dev Base for the token / index / governance tests: cheatcodes plus a few assertions that
/// revert with a message naming what differed.
abstract contract GovTest {
    GovCheats internal constant vm = GovCheats(
        address(uint160(uint256(keccak256("hevm cheat code"))))
    );

    error AssertionFailed(string what, uint256 actual, uint256 expected);
    error AssertionFailedAddress(string what, address actual, address expected);
    error AssertionFailedString(string what, string actual, string expected);
    error AssertionFailedBool(string what);

    function assertEq(uint256 actual, uint256 expected, string memory what) internal pure {
        if (actual != expected) revert AssertionFailed(what, actual, expected);
    }

    function assertEq(address actual, address expected, string memory what) internal pure {
        if (actual != expected) revert AssertionFailedAddress(what, actual, expected);
    }

    function assertEq(
        string memory actual,
        string memory expected,
        string memory what
    ) internal pure {
        if (keccak256(bytes(actual)) != keccak256(bytes(expected)))
            revert AssertionFailedString(what, actual, expected);
    }

    function assertTrue(bool condition, string memory what) internal pure {
        if (!condition) revert AssertionFailedBool(what);
    }

    function assertFalse(bool condition, string memory what) internal pure {
        if (condition) revert AssertionFailedBool(what);
    }
}
