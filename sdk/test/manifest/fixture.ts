import { toHex } from "../../src/crypto/bytes.ts";
import { randomBytes } from "../../src/crypto/random.ts";
import { buildManifest, newFileId, newFileKeyFor } from "../../src/manifest/build.ts";
import type { Manifest } from "../../src/manifest/schema.ts";

export function sampleManifest(
  masterKey: Uint8Array,
  overrides: Partial<Manifest> = {},
): { manifest: Manifest; fileKey: Uint8Array } {
  const { id } = newFileId();
  const { fileKey, wrappedFileKey } = newFileKeyFor(masterKey, id);
  const k = 4;
  const m = 2;
  const manifest = buildManifest({
    fileId: id,
    name: "holiday/photos/beach.jpg",
    mimeType: "image/jpeg",
    size: 5_000_123,
    chunkSize: 1 << 20,
    compression: "none",
    encodedSize: 5_000_123 + 5 * 16,
    erasure: { k, m, shardSize: 1_250_048 },
    shards: Array.from({ length: k + m }, (_, i) => ({
      cid: `bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzd${i}`,
      root: `0x${toHex(randomBytes(16))}`,
    })),
    storage: {
      chainId: 31337,
      requestId: `0x${toHex(randomBytes(32))}`,
      providers: ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8", null, null, null, null, null],
    },
    wrappedFileKey,
    ...overrides,
  } as never);
  return { manifest, fileKey };
}
