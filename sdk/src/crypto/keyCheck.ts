/**
 * Key check value (fingerprint): a short public value that identifies a key without revealing it,
 * used to confirm that a recovered or unlocked key is the right one (Shamir shares, key files).
 * `check(key) = SHA-256("tessera/v1/key-check" ‖ 0x00 ‖ key)[0:n]` (FIPS 180-4 SHA-256).
 * 4 bytes leave 2^-32 odds of accepting a wrong key and reveal 32 of the key's 256 bits' worth of
 * entropy to someone who already holds the value, which still leaves 2^224 work.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, toHex, utf8 } from "./bytes.ts";

const LABEL = utf8("tessera/v1/key-check\u0000");

export function keyCheckValue(key: Uint8Array, length = 4): Uint8Array {
  const digest = sha256(concatBytes(LABEL, key));
  const out = digest.slice(0, length);
  digest.fill(0);
  return out;
}

/** Human-readable fingerprint: 8 bytes as `xxxx-xxxx-xxxx-xxxx` (hex). */
export function keyFingerprint(key: Uint8Array): string {
  return toHex(keyCheckValue(key, 8)).match(/.{4}/g)!.join("-");
}
