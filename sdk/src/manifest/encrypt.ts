/**
 * Encrypted manifest envelope: `"TSM" ‖ 0x01 ‖ XChaCha20-Poly1305(manifestKey, JSON)`
 * (crypto/aead.ts), manifestKey = HKDF(masterKey, "tessera/v1/manifest"); the 4-byte header is the
 * associated data. The plaintext is the UTF-8 JSON of a validated {@link Manifest}.
 */
import { concatBytes, equalBytes, fromUtf8, utf8 } from "../crypto/bytes.ts";
import { aeadOpen, aeadSeal } from "../crypto/aead.ts";
import { deriveSubkey, type KeyPurpose } from "../crypto/kdf.ts";
import { zeroize } from "../crypto/zeroize.ts";
import { InvalidFormatError } from "../errors/crypto.ts";
import { SchemaValidationError } from "../errors/manifest.ts";
import { parseManifest, type Manifest } from "./schema.ts";

const MANIFEST_MAGIC = Uint8Array.of(0x54, 0x53, 0x4d, 0x01); // "TSM" v1

/** Seal a JSON value under a master-key subkey with a 4-byte header (shared by manifest and index). */
export function sealObject(
  masterKey: Uint8Array,
  purpose: KeyPurpose,
  header: Uint8Array,
  value: unknown,
): Uint8Array {
  const key = deriveSubkey(masterKey, purpose);
  const plaintext = utf8(JSON.stringify(value));
  try {
    return concatBytes(header, aeadSeal(key, plaintext, header));
  } finally {
    zeroize(key, plaintext);
  }
}

export function openObject(
  masterKey: Uint8Array,
  purpose: KeyPurpose,
  header: Uint8Array,
  sealed: Uint8Array,
  what: string,
): unknown {
  if (sealed.length < header.length || !equalBytes(sealed.subarray(0, 3), header.subarray(0, 3))) {
    throw new InvalidFormatError(
      what,
      "it does not start with the expected header (is it another kind of object?)",
    );
  }
  if (sealed[3] !== header[3])
    throw new InvalidFormatError(what, `unsupported envelope version ${sealed[3]}`);
  const key = deriveSubkey(masterKey, purpose);
  let plaintext: Uint8Array;
  try {
    plaintext = aeadOpen(key, sealed.subarray(header.length), header, what);
  } finally {
    zeroize(key);
  }
  try {
    return JSON.parse(fromUtf8(plaintext));
  } catch (cause) {
    throw new SchemaValidationError(what, ["decrypted bytes are not UTF-8 JSON"], { cause });
  } finally {
    zeroize(plaintext);
  }
}

export function encryptManifest(masterKey: Uint8Array, manifest: Manifest): Uint8Array {
  return sealObject(masterKey, "manifest", MANIFEST_MAGIC, parseManifest(manifest));
}

/**
 * Decrypt and validate. With `expectedFileId`, also checks the manifest is the one that was
 * referenced (an index entry names the file id it expects).
 */
export function decryptManifest(
  masterKey: Uint8Array,
  sealed: Uint8Array,
  options: { expectedFileId?: string } = {},
): Manifest {
  const manifest = parseManifest(
    openObject(masterKey, "manifest", MANIFEST_MAGIC, sealed, "manifest"),
  );
  if (options.expectedFileId !== undefined && manifest.fileId !== options.expectedFileId) {
    throw new SchemaValidationError("manifest", [
      `fileId is ${manifest.fileId}, expected ${options.expectedFileId} (substituted manifest)`,
    ]);
  }
  return manifest;
}
