// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title IFileIndex — the on-chain pointer to an owner's encrypted file index.
/// @notice A user's list of files is itself an encrypted object stored on Tessera. Its latest CID is
/// recorded here under the owner's address, so a new device that knows only the wallet address
/// (and can decrypt with the recovered master key) finds everything. Versions strictly increase,
/// so an old pointer can never be replayed over a newer one.
interface IFileIndex {
    /// @notice `cid` is empty: record a real CID (clearing a pointer is not supported).
    error FileIndex__EmptyCid();

    /// @notice `cid` is longer than {MAX_CID_LENGTH} bytes: it is not a CID (a CIDv1 string is ~60 bytes).
    error FileIndex__CidTooLong(uint256 length, uint256 maxLength);

    /// @notice `version` is not greater than the owner's current version: use `current + 1` or more.
    error FileIndex__VersionNotIncreasing(uint64 current, uint64 version);

    /// @notice Emitted when `owner` records `cid` as version `version` of its file index.
    event FileIndexSet(address indexed owner, string cid, uint64 version);

    /// @notice Longest accepted CID string, in bytes.
    function MAX_CID_LENGTH() external view returns (uint256);

    /// @notice Record `cid` as the caller's file index, version `version`.
    /// @dev Reverts with {FileIndex__EmptyCid}, {FileIndex__CidTooLong} or
    /// {FileIndex__VersionNotIncreasing}. Emits {FileIndexSet}.
    /// @param cid the CID (string form) of the encrypted file-index object.
    /// @param version must be strictly greater than the caller's current version (which starts at 0).
    function setFileIndex(string calldata cid, uint64 version) external;

    /// @notice The file-index pointer of `owner`; `("", 0, 0)` if never set.
    /// @return cid the latest CID, version its version, updatedAt the block timestamp it was recorded at.
    function fileIndexOf(
        address owner
    ) external view returns (string memory cid, uint64 version, uint64 updatedAt);
}
