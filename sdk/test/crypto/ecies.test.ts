import { x25519 } from "@noble/curves/ed25519.js";
import { describe, expect, it } from "vitest";
import { fromHex, toHex, utf8 } from "../../src/crypto/bytes.ts";
import { eciesOpen, eciesSeal, generateX25519KeyPair } from "../../src/crypto/ecies.ts";
import { DecryptionError, InvalidFormatError } from "../../src/errors/crypto.ts";

describe("X25519 (RFC 7748)", () => {
  it("matches §5.2 scalar multiplication vector 1", () => {
    const out = x25519.scalarMult(
      fromHex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
      fromHex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"),
    );
    expect(toHex(out)).toBe("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
  });

  it("matches the §6.1 Diffie-Hellman example", () => {
    const alice = generateX25519KeyPair(
      fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"),
    );
    const bob = generateX25519KeyPair(
      fromHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"),
    );
    expect(toHex(alice.publicKey)).toBe(
      "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
    );
    expect(toHex(bob.publicKey)).toBe(
      "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
    );
    const shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
    expect(toHex(x25519.getSharedSecret(alice.secretKey, bob.publicKey))).toBe(shared);
    expect(toHex(x25519.getSharedSecret(bob.secretKey, alice.publicKey))).toBe(shared);
  });
});

describe("ECIES sealed box", () => {
  const bob = generateX25519KeyPair(
    fromHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"),
  );
  const msg = utf8("a 32-byte file key goes here....");

  it("round-trips for the recipient only, bound to its context", () => {
    const box = eciesSeal(bob.publicKey, msg, "file-key");
    expect(eciesOpen(bob.secretKey, box, "file-key")).toEqual(msg);
    expect(() => eciesOpen(generateX25519KeyPair().secretKey, box, "file-key")).toThrow(
      DecryptionError,
    );
    expect(() => eciesOpen(bob.secretKey, box, "other")).toThrow(DecryptionError);
    const bad = Uint8Array.from(box);
    bad[5]! ^= 1; // inside the ephemeral public key
    expect(() => eciesOpen(bob.secretKey, bad, "file-key")).toThrow(DecryptionError);
  });

  it("is deterministic for a fixed ephemeral key (regression vector)", () => {
    const eph = fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    const a = eciesSeal(bob.publicKey, msg, "file-key", Uint8Array.from(eph));
    // header = version ‖ Alice's RFC 7748 public key
    expect(toHex(a.subarray(0, 33))).toBe(
      "01" + "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
    );
    expect(eciesOpen(bob.secretKey, a, "file-key")).toEqual(msg);
  });

  it("rejects a low-order recipient key instead of encrypting to it", () => {
    expect(() => eciesSeal(new Uint8Array(32), msg)).toThrow(InvalidFormatError);
    const one = new Uint8Array(32);
    one[0] = 1;
    expect(() => eciesSeal(one, msg)).toThrow(/low-order/);
  });
});
