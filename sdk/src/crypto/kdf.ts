/**
 * Key separation: HKDF-SHA256 (RFC 5869) with a fixed, versioned `info` label per purpose, so the
 * master key itself never encrypts anything and keys for different purposes are independent.
 * Implementation @noble/hashes. Vectors: test/crypto/kdf.test.ts (RFC 5869 §A.1).
 */
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8 } from "./bytes.ts";

/** The purposes for which subkeys are derived from the master key. Labels are protocol constants. */
export const KEY_PURPOSES = {
  fileKeyWrap: "tessera/v1/file-key-wrap",
  manifest: "tessera/v1/manifest",
  fileIndex: "tessera/v1/file-index",
  sharingIdentity: "tessera/v1/x25519-identity",
} as const;
export type KeyPurpose = keyof typeof KEY_PURPOSES;

export function hkdfSha256(
  ikm: Uint8Array,
  salt: Uint8Array | undefined,
  info: Uint8Array | string,
  length = 32,
): Uint8Array {
  return hkdf(sha256, ikm, salt, typeof info === "string" ? utf8(info) : info, length);
}

/** Derive the 32-byte subkey of `masterKey` for `purpose`. The caller zeroes it after use. */
export function deriveSubkey(masterKey: Uint8Array, purpose: KeyPurpose): Uint8Array {
  if (masterKey.length !== 32) throw new RangeError("master key must be 32 bytes");
  return hkdfSha256(masterKey, undefined, KEY_PURPOSES[purpose], 32);
}
