/**
 * Per-file keys. Each file version gets a fresh random 256-bit key (it is the AES-256-GCM key of the
 * pipeline); the manifest stores it wrapped under the master key's `fileKeyWrap` subkey, bound to the
 * file id so a wrapped key copied into another manifest does not open.
 */
import { concatBytes, utf8 } from "../crypto/bytes.ts";
import { deriveSubkey } from "../crypto/kdf.ts";
import { unwrapKey, wrapKey } from "../crypto/keyWrap.ts";
import { randomBytes } from "../crypto/random.ts";
import { zeroize } from "../crypto/zeroize.ts";
import { assertMasterKey } from "./masterKey.ts";

export const FILE_KEY_BYTES = 32;

export function generateFileKey(): Uint8Array {
  return randomBytes(FILE_KEY_BYTES);
}

const context = (fileId: Uint8Array) => concatBytes(utf8("file-key:"), fileId);

export function wrapFileKey(
  masterKey: Uint8Array,
  fileKey: Uint8Array,
  fileId: Uint8Array,
): Uint8Array {
  assertMasterKey(masterKey);
  const kek = deriveSubkey(masterKey, "fileKeyWrap");
  try {
    return wrapKey(kek, fileKey, context(fileId));
  } finally {
    zeroize(kek);
  }
}

/** Throws DecryptionError if the master key is not the one that wrapped it, or the file id differs. */
export function unwrapFileKey(
  masterKey: Uint8Array,
  wrapped: Uint8Array,
  fileId: Uint8Array,
): Uint8Array {
  assertMasterKey(masterKey);
  const kek = deriveSubkey(masterKey, "fileKeyWrap");
  try {
    return unwrapKey(kek, wrapped, context(fileId));
  } finally {
    zeroize(kek);
  }
}
