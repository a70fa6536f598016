import { describe, expect, it } from "vitest";
import { aeadOpen, aeadSeal } from "../../src/crypto/aead.ts";
import { fromHex, toHex, utf8 } from "../../src/crypto/bytes.ts";
import { DecryptionError } from "../../src/errors/crypto.ts";

// draft-irtf-cfrg-xchacha-03 §A.3.1 (AEAD_XChaCha20_Poly1305 example and test vector).
const V = {
  plaintext: utf8(
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
  ),
  aad: fromHex("50515253c0c1c2c3c4c5c6c7"),
  key: fromHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"),
  nonce: fromHex("404142434445464748494a4b4c4d4e4f5051525354555657"),
  ciphertext:
    "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39" +
    "ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9" +
    "21f9664c97637da9768812f615c68b13b52e",
  tag: "c0875924c1c7987947deafd8780acf49",
};

describe("XChaCha20-Poly1305 AEAD", () => {
  it("matches the draft-irtf-cfrg-xchacha §A.3.1 vector", () => {
    const sealed = aeadSeal(V.key, V.plaintext, V.aad, V.nonce);
    expect(toHex(sealed)).toBe(toHex(V.nonce) + V.ciphertext + V.tag);
    expect(aeadOpen(V.key, sealed, V.aad)).toEqual(V.plaintext);
  });

  it("detects a flipped bit anywhere, a wrong key and wrong associated data", () => {
    const sealed = aeadSeal(V.key, V.plaintext, V.aad);
    for (const i of [0, 23, 24, 60, sealed.length - 1]) {
      const bad = Uint8Array.from(sealed);
      bad[i]! ^= 1;
      expect(() => aeadOpen(V.key, bad, V.aad)).toThrow(DecryptionError);
    }
    const otherKey = Uint8Array.from(V.key);
    otherKey[0]! ^= 0x80;
    expect(() => aeadOpen(otherKey, sealed, V.aad)).toThrow(DecryptionError);
    expect(() => aeadOpen(V.key, sealed, utf8("other"))).toThrow(
      /modified, or it was encrypted under a different key/,
    );
  });

  it("uses a fresh nonce for every message", () => {
    const a = aeadSeal(V.key, V.plaintext);
    const b = aeadSeal(V.key, V.plaintext);
    expect(toHex(a.subarray(0, 24))).not.toBe(toHex(b.subarray(0, 24)));
  });
});
