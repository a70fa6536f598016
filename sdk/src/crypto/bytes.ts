/**
 * Small byte helpers shared by the crypto, keys, shamir, manifest and sharing modules.
 * Encodings: base64url without padding (RFC 4648 §5) for binary fields in JSON and URLs,
 * lowercase hex with 0x prefix only where the chain expects it.
 */
import { base64urlnopad, hex } from "@scure/base";

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Constant-time equality for equal-length inputs (length itself is not secret). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
export const utf8 = (s: string): Uint8Array => encoder.encode(s);
export const fromUtf8 = (b: Uint8Array): string => decoder.decode(b);

export const toBase64Url = (b: Uint8Array): string => base64urlnopad.encode(b);
export function fromBase64Url(s: string): Uint8Array {
  return base64urlnopad.decode(s);
}
export const toHex = (b: Uint8Array): string => hex.encode(b);
export const fromHex = (s: string): Uint8Array => hex.decode(s.startsWith("0x") ? s.slice(2) : s);
