import { describe, expect, it } from "vitest";
import { unwrapKey, wrapKey, WRAPPED_KEY_BYTES } from "../../src/crypto/keyWrap.ts";
import { randomBytes } from "../../src/crypto/random.ts";
import { DecryptionError, InvalidFormatError } from "../../src/errors/crypto.ts";

describe("key wrap", () => {
  const kek = randomBytes(32);
  const key = randomBytes(32);

  it("round-trips and has a fixed size", () => {
    const w = wrapKey(kek, key, "file:abc");
    expect(w).toHaveLength(WRAPPED_KEY_BYTES);
    expect(unwrapKey(kek, w, "file:abc")).toEqual(key);
  });

  it("refuses another context, another KEK, a modified byte, a bad length or version", () => {
    const w = wrapKey(kek, key, "file:abc");
    expect(() => unwrapKey(kek, w, "file:abd")).toThrow(DecryptionError);
    expect(() => unwrapKey(randomBytes(32), w, "file:abc")).toThrow(DecryptionError);
    const bad = Uint8Array.from(w);
    bad[40]! ^= 4;
    expect(() => unwrapKey(kek, bad, "file:abc")).toThrow(DecryptionError);
    expect(() => unwrapKey(kek, w.subarray(1), "file:abc")).toThrow(InvalidFormatError);
    const v2 = Uint8Array.from(w);
    v2[0] = 2;
    expect(() => unwrapKey(kek, v2, "file:abc")).toThrow(/unknown version 2/);
  });
});
