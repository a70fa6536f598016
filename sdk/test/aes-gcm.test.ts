import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  aesGcmDecryptSync,
  aesGcmEncryptSync,
  createChunkCipherNode,
} from "../src/crypto/aes-gcm-node.ts";
import {
  ChunkAuthenticationError,
  aesGcmDecrypt,
  aesGcmEncrypt,
  chunkAad,
  chunkNonce,
  createChunkCipher,
} from "../src/crypto/aes-gcm.ts";
import { DecryptionError } from "../src/errors/crypto.ts";
import { bytesToHex, hexToBytes } from "../src/merkle/hex.ts";

// AES-256 test cases 13, 14 and 16 of McGrew & Viega, "The Galois/Counter Mode of Operation"
// (the vectors NIST published with SP 800-38D's validation suite).
const nist = [
  {
    name: "case 13: empty plaintext, zero key",
    key: "00".repeat(32),
    iv: "00".repeat(12),
    pt: "",
    aad: "",
    ct: "",
    tag: "530f8afbc74536b9a963b4f1c4cb738b",
  },
  {
    name: "case 14: one zero block",
    key: "00".repeat(32),
    iv: "00".repeat(12),
    pt: "00".repeat(16),
    aad: "",
    ct: "cea7403d4d606b6e074ec5d3baf39d18",
    tag: "d0d1c8a799996bf0265b98b5d48ab919",
  },
  {
    name: "case 16: 60-byte plaintext with AAD",
    key: "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
    iv: "cafebabefacedbaddecaf888",
    pt: "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
    aad: "feedfacedeadbeeffeedfacedeadbeefabaddad2",
    ct: "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
    tag: "76fc6ece0f4e1768cddf8853bb2d551b",
  },
];

describe("aes-gcm: NIST known answers", () => {
  it.each(nist)("$name (WebCrypto and node:crypto)", async (v) => {
    const [key, iv, pt, aad] = [v.key, v.iv, v.pt, v.aad].map(hexToBytes) as [
      Uint8Array,
      Uint8Array,
      Uint8Array,
      Uint8Array,
    ];
    const expected = "0x" + v.ct + v.tag;
    expect(bytesToHex(await aesGcmEncrypt(key, iv, pt, aad))).toBe(expected);
    expect(bytesToHex(aesGcmEncryptSync(key, iv, pt, aad))).toBe(expected);
    expect(bytesToHex(await aesGcmDecrypt(key, iv, hexToBytes(expected), aad))).toBe(
      bytesToHex(pt),
    );
    expect(bytesToHex(aesGcmDecryptSync(key, iv, hexToBytes(expected), aad))).toBe(bytesToHex(pt));
    const bad = hexToBytes(expected);
    bad[bad.length - 1]! ^= 1;
    await expect(aesGcmDecrypt(key, iv, bad, aad)).rejects.toThrow(DecryptionError);
    expect(() => aesGcmDecryptSync(key, iv, bad, aad)).toThrow(DecryptionError);
  });
});

describe("aes-gcm: chunk cipher", () => {
  const fileKey = randomBytes(32);
  const fileId = randomBytes(16);
  const plaintext = randomBytes(1000);

  it("nonce is 4 zero bytes ‖ uint64be(index); AAD is fileId ‖ uint64be(index) ‖ last ‖ codec", () => {
    expect(bytesToHex(chunkNonce(258))).toBe("0x000000000000000000000102");
    const aad = chunkAad(fileId, 1, true, 2);
    expect(aad.length).toBe(26);
    expect(bytesToHex(aad.subarray(0, 16))).toBe(bytesToHex(fileId));
    expect(bytesToHex(aad.subarray(16))).toBe("0x00000000000000010102");
  });

  it("WebCrypto and node:crypto ciphers produce identical chunks and open each other's", async () => {
    const web = await createChunkCipher(fileKey, fileId);
    const node = await createChunkCipherNode(fileKey, fileId);
    const a = await web.seal(7, false, plaintext);
    expect(bytesToHex(await node.seal(7, false, plaintext))).toBe(bytesToHex(a));
    expect(bytesToHex(await node.open(7, false, a))).toBe(bytesToHex(plaintext));
    expect(a.length).toBe(plaintext.length + 16);
    for (const c of [web, node])
      expect(
        bytesToHex(new Uint8Array(Buffer.concat(await c.sealParts(7, false, plaintext)))),
      ).toBe(bytesToHex(a));
  });

  it("a different file id, index, last flag, codec, key or a flipped bit fails with ChunkAuthenticationError", async () => {
    const cipher = await createChunkCipher(fileKey, fileId);
    const sealed = await cipher.seal(3, false, plaintext);
    await expect(cipher.open(3, false, sealed)).resolves.toEqual(new Uint8Array(plaintext));
    await expect(cipher.open(4, false, sealed)).rejects.toThrow(ChunkAuthenticationError);
    await expect(cipher.open(3, true, sealed)).rejects.toThrow(ChunkAuthenticationError);
    await expect(cipher.open(3, false, sealed, 1)).rejects.toThrow(ChunkAuthenticationError);
    await expect(
      (await createChunkCipher(fileKey, randomBytes(16))).open(3, false, sealed),
    ).rejects.toThrow(ChunkAuthenticationError);
    await expect(
      (await createChunkCipher(randomBytes(32), fileId)).open(3, false, sealed),
    ).rejects.toThrow(ChunkAuthenticationError);
    const flipped = sealed.slice();
    flipped[100]! ^= 4;
    const error = await cipher.open(3, false, flipped).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChunkAuthenticationError);
    expect((error as ChunkAuthenticationError).chunk).toBe(3);
  });

  it("the same file key under another file id encrypts differently (no nonce reuse across versions)", async () => {
    const a = await (await createChunkCipher(fileKey, fileId)).seal(0, true, plaintext);
    const b = await (await createChunkCipher(fileKey, randomBytes(16))).seal(0, true, plaintext);
    expect(bytesToHex(a)).not.toBe(bytesToHex(b));
  });

  it("rejects bad key and file id lengths", async () => {
    await expect(createChunkCipher(randomBytes(16), fileId)).rejects.toThrow(RangeError);
    await expect(createChunkCipher(fileKey, randomBytes(8))).rejects.toThrow(RangeError);
  });
});
