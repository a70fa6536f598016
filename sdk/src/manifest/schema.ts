/**
 * Manifest schema, version 1: everything needed to fetch, verify, rebuild and decrypt one version
 * of one file. It is only ever stored or sent encrypted (manifest/encrypt.ts, sharing/).
 *
 * Binary values in JSON: base64url (keys, ids) or 0x-hex where they are chain values (roots are
 * `bytes16`, the request id `bytes32`, providers addresses). Validation is strict: unknown fields
 * are rejected, so a newer writer must bump `v`, and older readers say "upgrade" instead of
 * silently dropping data. Pipeline-specific encoding parameters that are not interpreted here live
 * in `encoding`, a JSON object owned by the pipeline.
 */
import { z } from "zod";
import { SchemaValidationError, UnsupportedVersionError } from "../errors/manifest.ts";

export const MANIFEST_VERSION = 1;

const b64url = (bytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, "must be base64url")
    .refine((s) => Math.floor((s.length * 6) / 8) === bytes, `must encode ${bytes} bytes`);
const hexBytes = (bytes: number) =>
  z
    .string()
    .regex(
      new RegExp(`^0x[0-9a-f]{${bytes * 2}}$`),
      `must be 0x + ${bytes * 2} lowercase hex digits`,
    );
const safeInt = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const json: z.ZodType<unknown> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(json),
    z.record(z.string(), json),
  ]),
);

export const addressSchema = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x address");
export const fileIdSchema = b64url(16);

export const shardEntrySchema = z.strictObject({
  /** IPFS CID of the shard bytes (UnixFS, as Helia computes it). */
  cid: z.string().min(8).max(128),
  /** Merkle root of the shard (docs/protocol.md §1), as stored on chain. */
  root: hexBytes(16),
});

export const manifestSchema = z
  .strictObject({
    v: z.literal(MANIFEST_VERSION),
    /** Random 128-bit id of this file version (AES-GCM associated data, key-wrap context). */
    fileId: fileIdSchema,
    name: z.string().min(1).max(4096),
    mimeType: z.string().max(255).optional(),
    /** Plaintext size in bytes. */
    size: safeInt,
    createdAt: z.iso.datetime({ offset: true }),
    chunkSize: z
      .number()
      .int()
      .positive()
      .max(2 ** 30),
    compression: z.string().min(1).max(32),
    /** Bytes of ciphertext stream before erasure coding (to strip the last stripe's padding). */
    encodedSize: safeInt.optional(),
    encryption: z.strictObject({
      alg: z.literal("aes-256-gcm"),
      /** The file key wrapped under the owner's master key (keys/fileKey.ts); absent in share payloads. */
      wrappedFileKey: b64url(73).optional(),
    }),
    erasure: z.strictObject({
      k: z.number().int().min(1).max(254),
      m: z.number().int().min(0).max(254),
      shardSize: z
        .number()
        .int()
        .positive()
        .max(2 ** 32),
    }),
    shards: z.array(shardEntrySchema).min(1).max(255),
    /** On-chain storage request, once created. */
    storage: z
      .strictObject({
        chainId: z.number().int().positive(),
        requestId: hexBytes(32),
        /** Provider address per slot (null while a slot is not filled). */
        providers: z.array(addressSchema.nullable()),
      })
      .optional(),
    /** Optional SHA-256 of the plaintext, for end-to-end verification after download. */
    plaintextSha256: hexBytes(32).optional(),
    encoding: z.record(z.string(), json).optional(),
  })
  .superRefine((m, ctx) => {
    const n = m.erasure.k + m.erasure.m;
    if (n > 255)
      ctx.addIssue({ code: "custom", path: ["erasure"], message: "k + m must be at most 255" });
    if (m.shards.length !== n)
      ctx.addIssue({
        code: "custom",
        path: ["shards"],
        message: `must list k + m = ${n} shards, has ${m.shards.length}`,
      });
    if (m.storage && m.storage.providers.length !== n) {
      ctx.addIssue({
        code: "custom",
        path: ["storage", "providers"],
        message: `must have k + m = ${n} entries`,
      });
    }
  });

export type Manifest = z.infer<typeof manifestSchema>;
export type ShardEntry = z.infer<typeof shardEntrySchema>;

/** zod issues as `path: message` lines. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
}

export function validateWithVersion<T>(
  schema: z.ZodType<T>,
  value: unknown,
  what: string,
  supported: readonly number[],
): T {
  const v = (value as { v?: unknown } | null)?.v;
  if (value && typeof value === "object" && typeof v === "number" && !supported.includes(v)) {
    throw new UnsupportedVersionError(what, v, supported);
  }
  const r = schema.safeParse(value);
  if (!r.success) throw new SchemaValidationError(what, formatIssues(r.error), { cause: r.error });
  return r.data;
}

/** Validate a decoded manifest (throws SchemaValidationError / UnsupportedVersionError). */
export function parseManifest(value: unknown): Manifest {
  return validateWithVersion(manifestSchema, value, "manifest", [MANIFEST_VERSION]);
}
