/**
 * AEAD key wrap: a 32-byte key encrypted and authenticated under a 32-byte key-encryption key.
 * Construction: XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03) with a random 192-bit nonce, the
 * context (what the key is for, e.g. the file id) as associated data, so a wrapped key cannot be
 * moved to another file or purpose without detection. This replaces RFC 3394 AES-KW: it is
 * nonce-based but the nonce is random and long, and it runs unchanged in every runtime.
 *
 * Wire form (73 bytes): `0x01 (version) ‖ nonce (24) ‖ E(key) (32) ‖ tag (16)`;
 * AAD = `"tessera/v1/key-wrap" ‖ 0x00 ‖ context`.
 */
import { InvalidFormatError } from "../errors/crypto.ts";
import { aeadOpen, aeadSeal, AEAD_OVERHEAD } from "./aead.ts";
import { concatBytes, utf8 } from "./bytes.ts";

export const WRAPPED_KEY_VERSION = 1;
export const WRAPPED_KEY_BYTES = 1 + AEAD_OVERHEAD + 32;
const LABEL = utf8("tessera/v1/key-wrap\u0000");

const aadFor = (context: Uint8Array | string): Uint8Array =>
  concatBytes(LABEL, typeof context === "string" ? utf8(context) : context);

export function wrapKey(
  kek: Uint8Array,
  key: Uint8Array,
  context: Uint8Array | string,
): Uint8Array {
  if (key.length !== 32) throw new RangeError("only 32-byte keys are wrapped");
  return concatBytes(Uint8Array.of(WRAPPED_KEY_VERSION), aeadSeal(kek, key, aadFor(context)));
}

/** Unwrap; throws DecryptionError on a wrong KEK, a wrong context or any modified byte. */
export function unwrapKey(
  kek: Uint8Array,
  wrapped: Uint8Array,
  context: Uint8Array | string,
): Uint8Array {
  if (wrapped.length !== WRAPPED_KEY_BYTES) {
    throw new InvalidFormatError(
      "wrapped key",
      `expected ${WRAPPED_KEY_BYTES} bytes, got ${wrapped.length}`,
    );
  }
  if (wrapped[0] !== WRAPPED_KEY_VERSION) {
    throw new InvalidFormatError("wrapped key", `unknown version ${wrapped[0]}`);
  }
  return aeadOpen(kek, wrapped.subarray(1), aadFor(context), "wrapped key");
}
