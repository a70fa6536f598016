/**
 * The same chunk AEAD as aes-gcm.ts over node:crypto (OpenSSL, synchronous, main thread).
 * Byte-for-byte identical output; kept for Node callers that prefer synchronous calls and for
 * the benchmark that chose WebCrypto (scripts/bench/pipeline). Node only.
 */
import { createCipheriv, createDecipheriv } from "node:crypto";
import {
  ChunkAuthenticationError,
  GCM_TAG_BYTES,
  chunkAad,
  chunkNonce,
  deriveChunkKey,
  type ChunkCipher,
} from "./aes-gcm.ts";
import { DecryptionError } from "../errors/crypto.ts";

/** ciphertext and tag as separate pieces (no concatenation copy). */
export function aesGcmEncryptPartsSync(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Uint8Array[] {
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(aad);
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  const parts: Uint8Array[] = [head];
  if (tail.length > 0) parts.push(tail);
  parts.push(cipher.getAuthTag());
  return parts;
}

export function aesGcmEncryptSync(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(aad);
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  const out = new Uint8Array(head.length + tail.length + GCM_TAG_BYTES);
  out.set(head, 0);
  out.set(tail, head.length);
  out.set(cipher.getAuthTag(), head.length + tail.length);
  return out;
}

export function aesGcmDecryptSync(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  if (sealed.length < GCM_TAG_BYTES)
    throw new DecryptionError("AES-GCM data", { details: "shorter than a tag" });
  const decipher = createDecipheriv("aes-256-gcm", key, nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG_BYTES));
  const head = decipher.update(sealed.subarray(0, sealed.length - GCM_TAG_BYTES));
  try {
    const tail = decipher.final();
    return tail.length
      ? new Uint8Array(Buffer.concat([head, tail]))
      : new Uint8Array(head.buffer, head.byteOffset, head.length);
  } catch (cause) {
    throw new DecryptionError("AES-GCM data", { cause });
  }
}

export async function createChunkCipherNode(
  fileKey: Uint8Array,
  fileId: Uint8Array,
): Promise<ChunkCipher> {
  const key = await deriveChunkKey(fileKey, fileId);
  const id = fileId.slice();
  return {
    async seal(index, last, plaintext, codec = 0) {
      return aesGcmEncryptSync(key, chunkNonce(index), plaintext, chunkAad(id, index, last, codec));
    },
    async sealParts(index, last, plaintext, codec = 0) {
      return aesGcmEncryptPartsSync(
        key,
        chunkNonce(index),
        plaintext,
        chunkAad(id, index, last, codec),
      );
    },
    async open(index, last, sealed, codec = 0) {
      try {
        return aesGcmDecryptSync(key, chunkNonce(index), sealed, chunkAad(id, index, last, codec));
      } catch (cause) {
        throw new ChunkAuthenticationError(index, { cause });
      }
    },
  };
}
