// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {FileIndex} from "../../../contracts/index/FileIndex.sol";
import {IFileIndex} from "../../../contracts/interfaces/IFileIndex.sol";
import {TestBase} from "../utils/Vm.sol";

contract FileIndexTest is TestBase {
    event FileIndexSet(address indexed owner, string cid, uint64 version);

    FileIndex internal index;
    address internal constant ALICE = address(0xA11CE);
    address internal constant BOB = address(0xB0B);
    string internal constant CID_1 = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
    string internal constant CID_2 = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

    function setUp() public {
        vm.warp(1_700_000_000);
        index = new FileIndex();
    }

    function test_fileIndexOf_emptyWhenNeverSet() public view {
        (string memory cid, uint64 version, uint64 updatedAt) = index.fileIndexOf(ALICE);
        assertEq(cid, "", "cid");
        assertEq(version, 0, "version");
        assertEq(updatedAt, 0, "updatedAt");
    }

    function test_setFileIndex_recordsPointerAndEmits() public {
        vm.expectEmit(true, false, false, true);
        emit FileIndexSet(ALICE, CID_1, 1);
        vm.prank(ALICE);
        index.setFileIndex(CID_1, 1);

        (string memory cid, uint64 version, uint64 updatedAt) = index.fileIndexOf(ALICE);
        assertEq(cid, CID_1, "cid");
        assertEq(version, 1, "version");
        assertEq(updatedAt, 1_700_000_000, "updatedAt");
    }

    function test_setFileIndex_overwritesWithHigherVersion() public {
        vm.prank(ALICE);
        index.setFileIndex(CID_1, 1);
        vm.warp(1_700_000_500);
        vm.prank(ALICE);
        index.setFileIndex(CID_2, 7);

        (string memory cid, uint64 version, uint64 updatedAt) = index.fileIndexOf(ALICE);
        assertEq(cid, CID_2, "cid");
        assertEq(version, 7, "version may skip numbers");
        assertEq(updatedAt, 1_700_000_500, "updatedAt");
    }

    function test_setFileIndex_isPerOwner() public {
        vm.prank(ALICE);
        index.setFileIndex(CID_1, 5);
        vm.prank(BOB);
        index.setFileIndex(CID_2, 1); // Bob's version is independent of Alice's

        (string memory aliceCid, uint64 aliceVersion, ) = index.fileIndexOf(ALICE);
        (string memory bobCid, uint64 bobVersion, ) = index.fileIndexOf(BOB);
        assertEq(aliceCid, CID_1, "alice cid");
        assertEq(aliceVersion, 5, "alice version");
        assertEq(bobCid, CID_2, "bob cid");
        assertEq(bobVersion, 1, "bob version");
    }

    function test_setFileIndex_revertsForVersionZero() public {
        vm.expectRevert(
            abi.encodeWithSelector(IFileIndex.FileIndex__VersionNotIncreasing.selector, 0, 0)
        );
        vm.prank(ALICE);
        index.setFileIndex(CID_1, 0);
    }

    function test_setFileIndex_revertsForSameVersion() public {
        vm.prank(ALICE);
        index.setFileIndex(CID_1, 3);
        vm.expectRevert(
            abi.encodeWithSelector(IFileIndex.FileIndex__VersionNotIncreasing.selector, 3, 3)
        );
        vm.prank(ALICE);
        index.setFileIndex(CID_2, 3);
        (string memory cid, , ) = index.fileIndexOf(ALICE);
        assertEq(cid, CID_1, "pointer untouched");
    }

    function testFuzz_setFileIndex_revertsForOlderVersion(uint64 current, uint64 older) public {
        vm.assume(current > 0);
        older = uint64(uint256(older) % (uint256(current) + 1)); // any version <= current
        vm.prank(ALICE);
        index.setFileIndex(CID_1, current);
        vm.expectRevert(
            abi.encodeWithSelector(
                IFileIndex.FileIndex__VersionNotIncreasing.selector,
                current,
                older
            )
        );
        vm.prank(ALICE);
        index.setFileIndex(CID_2, older);
    }

    function test_setFileIndex_revertsForEmptyCid() public {
        vm.expectRevert(abi.encodeWithSelector(IFileIndex.FileIndex__EmptyCid.selector));
        vm.prank(ALICE);
        index.setFileIndex("", 1);
    }

    function test_setFileIndex_acceptsMaxLengthAndRevertsAbove() public {
        bytes memory longest = new bytes(index.MAX_CID_LENGTH());
        for (uint256 i = 0; i < longest.length; ++i) longest[i] = "b";
        vm.prank(ALICE);
        index.setFileIndex(string(longest), 1);

        bytes memory tooLong = bytes.concat(longest, "b");
        vm.expectRevert(
            abi.encodeWithSelector(
                IFileIndex.FileIndex__CidTooLong.selector,
                tooLong.length,
                longest.length
            )
        );
        vm.prank(ALICE);
        index.setFileIndex(string(tooLong), 2);
    }
}
