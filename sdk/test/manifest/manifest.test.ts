import { describe, expect, it } from "vitest";
import { DecryptionError, InvalidFormatError } from "../../src/errors/crypto.ts";
import { SchemaValidationError, UnsupportedVersionError } from "../../src/errors/manifest.ts";
import { generateMasterKey } from "../../src/keys/masterKey.ts";
import { manifestFileKey } from "../../src/manifest/build.ts";
import { decryptManifest, encryptManifest } from "../../src/manifest/encrypt.ts";
import { parseManifest } from "../../src/manifest/schema.ts";
import { sampleManifest } from "./fixture.ts";

describe("manifest", () => {
  const mk = generateMasterKey();
  const { manifest, fileKey } = sampleManifest(mk);

  it("round-trips through encryption and gives back the file key", () => {
    const sealed = encryptManifest(mk, manifest);
    expect(new TextDecoder().decode(sealed)).not.toContain("beach");
    const back = decryptManifest(mk, sealed, { expectedFileId: manifest.fileId });
    expect(back).toEqual(manifest);
    expect(manifestFileKey(mk, back)).toEqual(fileKey);
  });

  it("detects tampering, the wrong master key and a substituted manifest", () => {
    const sealed = encryptManifest(mk, manifest);
    for (const i of [4, 10, 40, sealed.length - 1]) {
      const bad = Uint8Array.from(sealed);
      bad[i]! ^= 0x10;
      expect(() => decryptManifest(mk, bad)).toThrow(DecryptionError);
    }
    expect(() => decryptManifest(generateMasterKey(), sealed)).toThrow(DecryptionError);
    const header = Uint8Array.from(sealed);
    header[0] = 0;
    expect(() => decryptManifest(mk, header)).toThrow(InvalidFormatError);
    const other = sampleManifest(mk).manifest;
    expect(() =>
      decryptManifest(mk, encryptManifest(mk, other), { expectedFileId: manifest.fileId }),
    ).toThrow(/substituted manifest/);
  });

  it("validates the schema with readable errors", () => {
    expect(() => parseManifest({ ...manifest, shards: manifest.shards.slice(1) })).toThrow(
      /shards: must list k \+ m = 6 shards, has 5/,
    );
    expect(() => parseManifest({ ...manifest, size: -1 })).toThrow(SchemaValidationError);
    expect(() => parseManifest({ ...manifest, extra: 1 })).toThrow(/extra/);
    expect(() =>
      parseManifest({ ...manifest, shards: manifest.shards.map((s) => ({ ...s, root: "0x12" })) }),
    ).toThrow(/root/);
    expect(() => parseManifest({ ...manifest, v: 2 })).toThrow(UnsupportedVersionError);
    expect(() => parseManifest({ ...manifest, v: 2 })).toThrow(/Upgrade Tessera/);
    expect(() => encryptManifest(mk, { ...manifest, k: 3 } as never)).toThrow(
      SchemaValidationError,
    );
  });
});
