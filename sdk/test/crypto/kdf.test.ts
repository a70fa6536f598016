import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../src/crypto/bytes.ts";
import { deriveSubkey, hkdfSha256 } from "../../src/crypto/kdf.ts";
import { keyCheckValue, keyFingerprint } from "../../src/crypto/keyCheck.ts";

describe("HKDF-SHA256 and subkeys", () => {
  it("matches RFC 5869 §A.1", () => {
    const okm = hkdfSha256(
      fromHex("0b".repeat(22)),
      fromHex("000102030405060708090a0b0c"),
      fromHex("f0f1f2f3f4f5f6f7f8f9"),
      42,
    );
    expect(toHex(okm)).toBe(
      "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
    );
  });

  it("derives independent subkeys per purpose", () => {
    const mk = new Uint8Array(32).fill(7);
    const keys = (["fileKeyWrap", "manifest", "fileIndex", "sharingIdentity"] as const).map((p) =>
      toHex(deriveSubkey(mk, p)),
    );
    expect(new Set(keys).size).toBe(4);
    expect(toHex(deriveSubkey(mk, "manifest"))).toBe(keys[1]);
  });

  it("gives short, stable key check values", () => {
    const k = new Uint8Array(32).fill(1);
    expect(keyCheckValue(k)).toHaveLength(4);
    expect(keyFingerprint(k)).toMatch(/^[0-9a-f]{4}(-[0-9a-f]{4}){3}$/);
    expect(keyFingerprint(k)).not.toBe(keyFingerprint(new Uint8Array(32).fill(2)));
  });
});
