/** Helpers to assemble a manifest for a new file version and to get its file key back. */
import { fromBase64Url, toBase64Url } from "../crypto/bytes.ts";
import { randomBytes } from "../crypto/random.ts";
import { generateFileKey, unwrapFileKey, wrapFileKey } from "../keys/fileKey.ts";
import { SchemaValidationError } from "../errors/manifest.ts";
import { MANIFEST_VERSION, parseManifest, type Manifest } from "./schema.ts";

/** A new random file id (16 bytes) and its base64url form as used in manifests. */
export function newFileId(): { bytes: Uint8Array; id: string } {
  const bytes = randomBytes(16);
  return { bytes, id: toBase64Url(bytes) };
}

/** A fresh file key with its wrapped form for the manifest. The caller zeroes `fileKey` after use. */
export function newFileKeyFor(
  masterKey: Uint8Array,
  fileId: string,
): { fileKey: Uint8Array; wrappedFileKey: string } {
  const fileKey = generateFileKey();
  return {
    fileKey,
    wrappedFileKey: toBase64Url(wrapFileKey(masterKey, fileKey, fromBase64Url(fileId))),
  };
}

export type ManifestInput = Omit<Manifest, "v" | "createdAt" | "encryption"> & {
  createdAt?: string;
  wrappedFileKey: string;
};

export function buildManifest(input: ManifestInput): Manifest {
  const { wrappedFileKey, createdAt, ...rest } = input;
  return parseManifest({
    v: MANIFEST_VERSION,
    ...rest,
    createdAt: createdAt ?? new Date().toISOString(),
    encryption: { alg: "aes-256-gcm", wrappedFileKey },
  });
}

/** Unwrap the file key of a (decrypted) manifest with the master key. */
export function manifestFileKey(masterKey: Uint8Array, manifest: Manifest): Uint8Array {
  const wrapped = manifest.encryption.wrappedFileKey;
  if (!wrapped)
    throw new SchemaValidationError("manifest", [
      "encryption.wrappedFileKey is missing (a shared manifest carries the key separately)",
    ]);
  return unwrapFileKey(masterKey, fromBase64Url(wrapped), fromBase64Url(manifest.fileId));
}
