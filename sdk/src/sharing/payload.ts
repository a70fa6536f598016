/**
 * What a recipient of a shared file receives once the share is opened: the file's manifest with
 * the wrapped key removed, and the file key itself. Serialized as JSON, only ever encrypted
 * (under a share-link key, sharing/shareLink.ts, or to a recipient's public key, sharing/recipient.ts).
 */
import { z } from "zod";
import { fromBase64Url, toBase64Url } from "../crypto/bytes.ts";
import { manifestSchema, validateWithVersion, type Manifest } from "../manifest/schema.ts";

export const SHARE_PAYLOAD_VERSION = 1;

export const sharePayloadSchema = z.strictObject({
  v: z.literal(SHARE_PAYLOAD_VERSION),
  manifest: manifestSchema,
  fileKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "must be 32 bytes base64url"),
  /** Optional text from the sender. */
  note: z.string().max(1000).optional(),
});

export type SharePayload = z.infer<typeof sharePayloadSchema>;
export type SharedFile = { manifest: Manifest; fileKey: Uint8Array; note?: string };

export function toSharePayload(file: SharedFile): SharePayload {
  const { wrappedFileKey: _drop, ...encryption } = file.manifest.encryption;
  return {
    v: SHARE_PAYLOAD_VERSION,
    manifest: { ...file.manifest, encryption },
    fileKey: toBase64Url(file.fileKey),
    ...(file.note !== undefined ? { note: file.note } : {}),
  };
}

export function fromSharePayload(value: unknown): SharedFile {
  const p = validateWithVersion(sharePayloadSchema, value, "share", [SHARE_PAYLOAD_VERSION]);
  return {
    manifest: p.manifest,
    fileKey: fromBase64Url(p.fileKey),
    ...(p.note !== undefined ? { note: p.note } : {}),
  };
}
