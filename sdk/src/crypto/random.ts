/**
 * Cryptographically secure random bytes from the platform CSPRNG
 * (W3C WebCrypto `crypto.getRandomValues`, present in browsers, Web Workers and Node ≥ 19).
 */
export function randomBytes(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0)
    throw new RangeError(`randomBytes: bad length ${length}`);
  const out = new Uint8Array(length);
  // getRandomValues fills at most 65536 bytes per call.
  for (let offset = 0; offset < length; offset += 65536) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + 65536)));
  }
  return out;
}
