// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @dev The cheatcodes the contract tests use (forge-std is not available here; Hardhat's
/// Solidity test runner implements them at the standard address).
interface Vm {
    function warp(uint256 timestamp) external;
    function roll(uint256 blockNumber) external;
    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function expectRevert(bytes calldata revertData) external;
    function expectRevert() external;
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
    function readFile(string calldata path) external view returns (string memory);
    function parseJson(
        string calldata json,
        string calldata key
    ) external pure returns (bytes memory);
    function parseJsonUint(
        string calldata json,
        string calldata key
    ) external pure returns (uint256);
    function parseJsonBytes(
        string calldata json,
        string calldata key
    ) external pure returns (bytes memory);
    function parseJsonBytesArray(
        string calldata json,
        string calldata key
    ) external pure returns (bytes[] memory);
    function projectRoot() external view returns (string memory);
    function exists(string calldata path) external view returns (bool);
    function toString(uint256 value) external pure returns (string memory);
    function setBlockhash(uint256 blockNumber, bytes32 blockHash) external;
}

/// @dev Base for the contracts tests: cheatcodes and assertions that name what differed.
abstract contract TestBase {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    error AssertionFailed(string what, uint256 actual, uint256 expected);
    error AssertionFailedBytes32(string what, bytes32 actual, bytes32 expected);
    error AssertionFailedAddress(string what, address actual, address expected);
    error AssertionFailedString(string what, string actual, string expected);
    error AssertionFailedBool(string what);

    function assertEq(uint256 actual, uint256 expected, string memory what) internal pure {
        if (actual != expected) revert AssertionFailed(what, actual, expected);
    }

    function assertEq(bytes32 actual, bytes32 expected, string memory what) internal pure {
        if (actual != expected) revert AssertionFailedBytes32(what, actual, expected);
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

    function assertLe(uint256 a, uint256 b, string memory what) internal pure {
        if (a > b) revert AssertionFailed(what, a, b);
    }

    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (max <= min) return min;
        return min + (x % (max - min + 1));
    }
}
