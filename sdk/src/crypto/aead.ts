/**
 * Authenticated encryption of small objects (keys, manifests, the file index, share payloads):
 * XChaCha20-Poly1305, draft-irtf-cfrg-xchacha-03 §2 (HChaCha20 + the RFC 8439 ChaCha20-Poly1305 AEAD),
 * implementation @noble/ciphers (audited, isomorphic).
 *
 * The 192-bit nonce is drawn at random for every message, so nonce reuse under one key is
 * negligible (2^-96 after 2^48 messages) and no counter state has to be kept anywhere.
 * Sealed form: `nonce (24) ‖ ciphertext ‖ tag (16)`.
 *
 * Bulk file data does NOT use this (noble ≈ 40 MB/s): chunks are AES-256-GCM through the native
 * engine (see crypto/aes-gcm*). Vectors: test/crypto/aead.test.ts (draft §A.3.1).
 */
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { DecryptionError, InvalidFormatError } from "../errors/crypto.ts";
import { concatBytes } from "./bytes.ts";
import { randomBytes } from "./random.ts";

export const AEAD_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 24;
export const AEAD_TAG_BYTES = 16;
export const AEAD_OVERHEAD = AEAD_NONCE_BYTES + AEAD_TAG_BYTES;

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== AEAD_KEY_BYTES) {
    throw new RangeError(`AEAD key must be ${AEAD_KEY_BYTES} bytes`);
  }
}

/** Encrypt and authenticate `plaintext` (and `aad`, which is not encrypted). */
export function aeadSeal(
  key: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array = new Uint8Array(0),
  nonce: Uint8Array = randomBytes(AEAD_NONCE_BYTES),
): Uint8Array {
  checkKey(key);
  if (nonce.length !== AEAD_NONCE_BYTES)
    throw new RangeError(`AEAD nonce must be ${AEAD_NONCE_BYTES} bytes`);
  const ct = xchacha20poly1305(key, nonce, aad).encrypt(plaintext);
  return concatBytes(nonce, ct);
}

/**
 * Verify and decrypt a sealed message. Throws {@link DecryptionError} (never returns garbage)
 * if the ciphertext, the nonce or the associated data were changed, or the key is wrong.
 */
export function aeadOpen(
  key: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array = new Uint8Array(0),
  what = "data",
): Uint8Array {
  checkKey(key);
  if (sealed.length < AEAD_OVERHEAD) {
    throw new InvalidFormatError(
      what,
      `ciphertext is ${sealed.length} bytes, shorter than the ${AEAD_OVERHEAD}-byte minimum`,
    );
  }
  const nonce = sealed.subarray(0, AEAD_NONCE_BYTES);
  try {
    return xchacha20poly1305(key, nonce, aad).decrypt(sealed.subarray(AEAD_NONCE_BYTES));
  } catch (cause) {
    throw new DecryptionError(what, { cause });
  }
}
