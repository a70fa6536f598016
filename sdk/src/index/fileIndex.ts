/**
 * The user's file index: paths → versions → manifest (by reference or inline), encrypted under
 * HKDF(masterKey, "tessera/v1/file-index") and stored like any file; its pointer is recorded on
 * chain with FileIndex.setFileIndex(cid, version) where `version` = the index's `seq`, so a wallet
 * plus the master key recovers everything (actions/setFileIndex.ts, actions/getFileIndex.ts).
 *
 * Envelope: `"TSI" ‖ 0x01 ‖ XChaCha20-Poly1305(indexKey, JSON)`, header as associated data.
 * Operations are pure: each returns a new index with `seq` + 1. Overwriting a path adds a version;
 * old versions stay until removed.
 *
 * Paths are normalised POSIX-style: no leading or trailing `/`, no empty, `.` or `..` segments, no
 * control characters, at most 4096 bytes; Unicode NFC.
 */
import { z } from "zod";
import { FileNotFoundInIndexError, InvalidPathError } from "../errors/manifest.ts";
import { openObject, sealObject } from "../manifest/encrypt.ts";
import {
  fileIdSchema,
  manifestSchema,
  validateWithVersion,
  type Manifest,
} from "../manifest/schema.ts";

export const FILE_INDEX_VERSION = 1;
const INDEX_MAGIC = Uint8Array.of(0x54, 0x53, 0x49, 0x01); // "TSI" v1

const manifestRef = z.union([
  z.strictObject({ cid: z.string().min(8).max(128) }),
  z.strictObject({ inline: manifestSchema }),
]);

export const fileVersionSchema = z.strictObject({
  version: z.number().int().positive(),
  fileId: fileIdSchema,
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  createdAt: z.iso.datetime({ offset: true }),
  manifest: manifestRef,
});

export const fileIndexSchema = z.strictObject({
  v: z.literal(FILE_INDEX_VERSION),
  /** Incremented by every change; published on chain as the FileIndex version. */
  seq: z.number().int().nonnegative(),
  updatedAt: z.iso.datetime({ offset: true }),
  files: z.record(z.string(), z.strictObject({ versions: z.array(fileVersionSchema).min(1) })),
});

export type FileIndex = z.infer<typeof fileIndexSchema>;
export type FileVersion = z.infer<typeof fileVersionSchema>;
export type ManifestRef = z.infer<typeof manifestRef>;

export function normalizePath(path: string): string {
  if (typeof path !== "string") throw new InvalidPathError(String(path), "it is not a string");
  if (/[\u0000-\u001f\u007f]/.test(path))
    throw new InvalidPathError(path, "it contains control characters");
  const segments = path
    .normalize("NFC")
    .split("/")
    .filter((s) => s.length > 0);
  if (segments.length === 0) throw new InvalidPathError(path, "it is empty");
  for (const s of segments)
    if (s === "." || s === "..")
      throw new InvalidPathError(path, `"${s}" segments are not allowed`);
  const out = segments.join("/");
  if (new TextEncoder().encode(out).length > 4096)
    throw new InvalidPathError(path, "it is longer than 4096 bytes");
  return out;
}

export function createFileIndex(now: Date = new Date()): FileIndex {
  return { v: FILE_INDEX_VERSION, seq: 0, updatedAt: now.toISOString(), files: {} };
}

export function parseFileIndex(value: unknown): FileIndex {
  const index = validateWithVersion(fileIndexSchema, value, "file index", [FILE_INDEX_VERSION]);
  for (const p of Object.keys(index.files)) {
    if (normalizePath(p) !== p) throw new InvalidPathError(p, "it is not in normal form");
  }
  return index;
}

export type AddVersionInput = {
  manifest: Manifest;
  storeInline?: boolean;
  manifestCid?: string;
  now?: Date;
};

/**
 * Add a new version of `path`. The manifest is referenced by `manifestCid` (the encrypted manifest
 * stored elsewhere) or, with `storeInline` / no CID, embedded (it is encrypted with the index).
 */
export function addFileVersion(
  index: FileIndex,
  path: string,
  input: AddVersionInput,
): { index: FileIndex; version: FileVersion } {
  const p = normalizePath(path);
  const now = (input.now ?? new Date()).toISOString();
  const existing = index.files[p]?.versions ?? [];
  const version: FileVersion = {
    version: existing.reduce((max, v) => Math.max(max, v.version), 0) + 1,
    fileId: input.manifest.fileId,
    size: input.manifest.size,
    createdAt: now,
    manifest:
      input.manifestCid !== undefined && !input.storeInline
        ? { cid: input.manifestCid }
        : { inline: input.manifest },
  };
  const next: FileIndex = {
    ...index,
    seq: index.seq + 1,
    updatedAt: now,
    files: { ...index.files, [p]: { versions: [...existing, version] } },
  };
  return { index: parseFileIndex(next), version };
}

/** Remove one version (or, without `version`, the whole path). */
export function removeFile(
  index: FileIndex,
  path: string,
  options: { version?: number; now?: Date } = {},
): FileIndex {
  const p = normalizePath(path);
  const entry = index.files[p];
  if (!entry) throw new FileNotFoundInIndexError(p);
  const files = { ...index.files };
  if (options.version === undefined) {
    delete files[p];
  } else {
    const versions = entry.versions.filter((v) => v.version !== options.version);
    if (versions.length === entry.versions.length)
      throw new FileNotFoundInIndexError(p, options.version);
    if (versions.length === 0) delete files[p];
    else files[p] = { versions };
  }
  return {
    ...index,
    seq: index.seq + 1,
    updatedAt: (options.now ?? new Date()).toISOString(),
    files,
  };
}

/** The given version of `path`, or the latest one. */
export function getFileVersion(index: FileIndex, path: string, version?: number): FileVersion {
  const p = normalizePath(path);
  const versions = index.files[p]?.versions;
  if (!versions) throw new FileNotFoundInIndexError(p);
  const found =
    version === undefined
      ? versions[versions.length - 1]
      : versions.find((v) => v.version === version);
  if (!found) throw new FileNotFoundInIndexError(p, version);
  return found;
}

export type FileListing = { path: string; latest: FileVersion; versions: number };

/** Files under `prefix` (a directory path, or "" for all), sorted by path. */
export function listFiles(index: FileIndex, prefix = ""): FileListing[] {
  const dir = prefix === "" || prefix === "/" ? "" : normalizePath(prefix) + "/";
  return Object.entries(index.files)
    .filter(([p]) => dir === "" || p.startsWith(dir))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, e]) => ({
      path,
      latest: e.versions[e.versions.length - 1]!,
      versions: e.versions.length,
    }));
}

export function encryptFileIndex(masterKey: Uint8Array, index: FileIndex): Uint8Array {
  return sealObject(masterKey, "fileIndex", INDEX_MAGIC, parseFileIndex(index));
}

export function decryptFileIndex(masterKey: Uint8Array, sealed: Uint8Array): FileIndex {
  return parseFileIndex(openObject(masterKey, "fileIndex", INDEX_MAGIC, sealed, "file index"));
}
