/**
 * ECIES to an X25519 public key ("sealed box"), used to share a file key with a recipient.
 *
 * - Key agreement: X25519, RFC 7748 §5 (@noble/curves). A fresh ephemeral key pair per message.
 *   An all-zero shared secret (low-order public key, RFC 7748 §6.1) is rejected.
 * - Key derivation: HKDF-SHA256, RFC 5869: ikm = shared secret, salt = ephemeralPub ‖ recipientPub,
 *   info = "tessera/v1/ecies-x25519-xchacha20poly1305" ‖ 0x00 ‖ context.
 * - Encryption: XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03), random nonce, AAD = version ‖ ephemeralPub.
 *
 * Wire form: `0x01 ‖ ephemeralPub (32) ‖ nonce (24) ‖ ciphertext ‖ tag (16)`.
 * Vectors: test/crypto/ecies.test.ts (RFC 7748 §5.2 and §6.1, plus a fixed-ephemeral known answer).
 */
import { x25519 } from "@noble/curves/ed25519.js";
import { DecryptionError, InvalidFormatError } from "../errors/crypto.ts";
import { aeadOpen, aeadSeal, AEAD_OVERHEAD } from "./aead.ts";
import { concatBytes, utf8 } from "./bytes.ts";
import { hkdfSha256 } from "./kdf.ts";
import { randomBytes } from "./random.ts";
import { zeroize } from "./zeroize.ts";

export const ECIES_VERSION = 1;
export const ECIES_OVERHEAD = 1 + 32 + AEAD_OVERHEAD;
const INFO = utf8("tessera/v1/ecies-x25519-xchacha20poly1305\u0000");

export type X25519KeyPair = { secretKey: Uint8Array; publicKey: Uint8Array };

export function generateX25519KeyPair(seed?: Uint8Array): X25519KeyPair {
  const secretKey = seed ? Uint8Array.from(seed) : randomBytes(32);
  if (secretKey.length !== 32) throw new RangeError("X25519 secret key must be 32 bytes");
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

export function x25519PublicKey(secretKey: Uint8Array): Uint8Array {
  return x25519.getPublicKey(secretKey);
}

function sharedSecret(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 32)
    throw new InvalidFormatError("X25519 public key", `expected 32 bytes, got ${publicKey.length}`);
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(secretKey, publicKey);
  } catch (cause) {
    throw new InvalidFormatError(
      "X25519 public key",
      "it is a low-order point that would leak the message",
      { cause },
    );
  }
  if (shared.every((b) => b === 0)) {
    throw new InvalidFormatError(
      "X25519 public key",
      "it is a low-order point that would leak the message",
    );
  }
  return shared;
}

function deriveKey(
  shared: Uint8Array,
  ephemeralPub: Uint8Array,
  recipientPub: Uint8Array,
  context: Uint8Array,
): Uint8Array {
  return hkdfSha256(
    shared,
    concatBytes(ephemeralPub, recipientPub),
    concatBytes(INFO, context),
    32,
  );
}

const ctx = (c: Uint8Array | string | undefined) =>
  c === undefined ? new Uint8Array(0) : typeof c === "string" ? utf8(c) : c;

/**
 * Encrypt `plaintext` so that only the holder of the secret key for `recipientPublicKey` can read it.
 * `context` binds the box to a purpose (both sides must pass the same value).
 */
export function eciesSeal(
  recipientPublicKey: Uint8Array,
  plaintext: Uint8Array,
  context?: Uint8Array | string,
  ephemeralSecret: Uint8Array = randomBytes(32),
): Uint8Array {
  const ephemeralPub = x25519.getPublicKey(ephemeralSecret);
  const shared = sharedSecret(ephemeralSecret, recipientPublicKey);
  const key = deriveKey(shared, ephemeralPub, recipientPublicKey, ctx(context));
  try {
    const header = concatBytes(Uint8Array.of(ECIES_VERSION), ephemeralPub);
    return concatBytes(header, aeadSeal(key, plaintext, header));
  } finally {
    zeroize(shared, key, ephemeralSecret);
  }
}

/** Decrypt a box made by {@link eciesSeal}. Throws DecryptionError if it is not for this key or was modified. */
export function eciesOpen(
  recipientSecretKey: Uint8Array,
  box: Uint8Array,
  context?: Uint8Array | string,
): Uint8Array {
  if (box.length < ECIES_OVERHEAD)
    throw new InvalidFormatError("sealed box", `${box.length} bytes is too short`);
  if (box[0] !== ECIES_VERSION)
    throw new InvalidFormatError("sealed box", `unknown version ${box[0]}`);
  const header = box.subarray(0, 33);
  const ephemeralPub = box.subarray(1, 33);
  const recipientPub = x25519.getPublicKey(recipientSecretKey);
  let shared: Uint8Array;
  try {
    shared = sharedSecret(recipientSecretKey, ephemeralPub);
  } catch (cause) {
    throw new DecryptionError("sealed box", { cause });
  }
  const key = deriveKey(shared, ephemeralPub, recipientPub, ctx(context));
  try {
    return aeadOpen(key, box.subarray(33), header, "sealed box");
  } finally {
    zeroize(shared, key);
  }
}
