// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IFileIndex} from "../interfaces/IFileIndex.sol";

/// @title FileIndex — one file-index pointer per owner address.
/// @notice Permissionless and ownerless: each address writes only its own pointer.
contract FileIndex is IFileIndex {
    struct Pointer {
        uint64 version;
        uint64 updatedAt;
        string cid;
    }

    /// @inheritdoc IFileIndex
    uint256 public constant MAX_CID_LENGTH = 256;

    mapping(address owner => Pointer) private _pointers;

    /// @inheritdoc IFileIndex
    function setFileIndex(string calldata cid, uint64 version) external {
        uint256 length = bytes(cid).length;
        if (length == 0) revert FileIndex__EmptyCid();
        if (length > MAX_CID_LENGTH) revert FileIndex__CidTooLong(length, MAX_CID_LENGTH);

        Pointer storage pointer = _pointers[msg.sender];
        uint64 current = pointer.version;
        if (version <= current) revert FileIndex__VersionNotIncreasing(current, version);

        pointer.version = version;
        pointer.updatedAt = uint64(block.timestamp);
        pointer.cid = cid;
        emit FileIndexSet(msg.sender, cid, version);
    }

    /// @inheritdoc IFileIndex
    function fileIndexOf(
        address owner
    ) external view returns (string memory cid, uint64 version, uint64 updatedAt) {
        Pointer storage pointer = _pointers[owner];
        return (pointer.cid, pointer.version, pointer.updatedAt);
    }
}
