/**
 * The user's master key: 256 bits from the platform CSPRNG. It never encrypts data itself; purpose
 * subkeys are derived from it with HKDF (crypto/kdf.ts): file-key wrapping, manifests, the file
 * index and the X25519 sharing identity. Whoever holds it (plus the wallet that owns the on-chain
 * file-index pointer) can recover every file.
 */
import { equalBytes } from "../crypto/bytes.ts";
import { x25519PublicKey, type X25519KeyPair } from "../crypto/ecies.ts";
import { deriveSubkey } from "../crypto/kdf.ts";
import { keyCheckValue, keyFingerprint } from "../crypto/keyCheck.ts";
import { randomBytes } from "../crypto/random.ts";

export const MASTER_KEY_BYTES = 32;

export function generateMasterKey(): Uint8Array {
  return randomBytes(MASTER_KEY_BYTES);
}

export function assertMasterKey(key: unknown): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== MASTER_KEY_BYTES) {
    throw new RangeError(`a master key is ${MASTER_KEY_BYTES} bytes`);
  }
  if (key.every((b) => b === 0))
    throw new RangeError("the master key is all zeros (was it zeroed after use?)");
}

/** Public fingerprint of the master key (`xxxx-xxxx-xxxx-xxxx`), safe to show and to log. */
export function masterKeyFingerprint(masterKey: Uint8Array): string {
  assertMasterKey(masterKey);
  return keyFingerprint(masterKey);
}

export function masterKeyMatches(masterKey: Uint8Array, checkValue: Uint8Array): boolean {
  return equalBytes(keyCheckValue(masterKey, checkValue.length), checkValue);
}

/**
 * The user's X25519 sharing identity, derived from the master key so that recovering the master
 * key also recovers the ability to open files shared with this user. The public key is what others
 * encrypt file keys to (sharing/recipient.ts).
 */
export function sharingIdentity(masterKey: Uint8Array): X25519KeyPair {
  assertMasterKey(masterKey);
  const secretKey = deriveSubkey(masterKey, "sharingIdentity");
  return { secretKey, publicKey: x25519PublicKey(secretKey) };
}
