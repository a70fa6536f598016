/**
 * The sdk surface the CLI uses, in one place (sdk/src/*; no build step, TypeScript sources).
 */
export { encodeFile, decodeFile, pipelineEncoding, DEFAULT_CHUNK_SIZE, DEFAULT_PIECE_BYTES, type EncodeResult, type ShardSource } from "@tessera/sdk/pipeline/index";
export { buildManifest, newFileId, newFileKeyFor, manifestFileKey } from "@tessera/sdk/manifest/build";
export { encryptManifest, decryptManifest } from "@tessera/sdk/manifest/encrypt";
export type { Manifest } from "@tessera/sdk/manifest/schema";
export {
  createFileIndex,
  encryptFileIndex,
  decryptFileIndex,
  addFileVersion,
  removeFile,
  getFileVersion,
  listFiles,
  normalizePath,
  type FileIndex,
  type FileVersion,
} from "@tessera/sdk/index/fileIndex";
export { fromBase64Url, toBase64Url } from "@tessera/sdk/crypto/bytes";
export { hkdfSha256, deriveSubkey } from "@tessera/sdk/crypto/kdf";
export { wrapFileKey } from "@tessera/sdk/keys/fileKey";
export { createShareLink, openShareLink, parseShareLink } from "@tessera/sdk/sharing/shareLink";
export { MerkleBuilder } from "@tessera/sdk/merkle/builder";
export { bytesToHex } from "@tessera/sdk/merkle/hex";
export { ShardCidBuilder, CID } from "@tessera/sdk/cid/index";
export { loadErasureCoder } from "@tessera/sdk/erasure/index";

export function NotEnoughShardsErrorGuard(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === "NotEnoughShardsError";
}
