import { describe, expect, it } from "vitest";
import { DecryptionError } from "../../src/errors/crypto.ts";
import { FileNotFoundInIndexError, InvalidPathError } from "../../src/errors/manifest.ts";
import {
  addFileVersion,
  createFileIndex,
  decryptFileIndex,
  encryptFileIndex,
  getFileVersion,
  listFiles,
  normalizePath,
  removeFile,
} from "../../src/index/fileIndex.ts";
import { generateMasterKey } from "../../src/keys/masterKey.ts";
import { encryptManifest } from "../../src/manifest/encrypt.ts";
import { sampleManifest } from "./fixture.ts";

describe("file index", () => {
  const mk = generateMasterKey();

  it("keeps versions per path and round-trips encrypted", () => {
    let index = createFileIndex();
    const a1 = sampleManifest(mk).manifest;
    const a2 = sampleManifest(mk).manifest;
    const b1 = sampleManifest(mk).manifest;
    index = addFileVersion(index, "/docs//a.txt", { manifest: a1 }).index;
    index = addFileVersion(index, "docs/a.txt", {
      manifest: a2,
      manifestCid: "bafkreiexamplemanifestcid",
    }).index;
    index = addFileVersion(index, "b.bin", { manifest: b1 }).index;
    expect(index.seq).toBe(3);
    expect(getFileVersion(index, "docs/a.txt")).toMatchObject({
      version: 2,
      manifest: { cid: "bafkreiexamplemanifestcid" },
    });
    expect(getFileVersion(index, "docs/a.txt", 1).manifest).toEqual({ inline: a1 });
    expect(listFiles(index).map((f) => [f.path, f.versions])).toEqual([
      ["b.bin", 1],
      ["docs/a.txt", 2],
    ]);
    expect(listFiles(index, "docs").map((f) => f.path)).toEqual(["docs/a.txt"]);

    const sealed = encryptFileIndex(mk, index);
    expect(decryptFileIndex(mk, sealed)).toEqual(index);
    const bad = Uint8Array.from(sealed);
    bad[sealed.length - 20]! ^= 1;
    expect(() => decryptFileIndex(mk, bad)).toThrow(DecryptionError);
    expect(() => decryptFileIndex(generateMasterKey(), sealed)).toThrow(DecryptionError);
    // a manifest envelope is not an index envelope
    expect(() => decryptFileIndex(mk, encryptManifest(mk, a1))).toThrow(/expected header/);

    index = removeFile(index, "docs/a.txt", { version: 1 });
    expect(getFileVersion(index, "docs/a.txt").version).toBe(2);
    expect(() => getFileVersion(index, "docs/a.txt", 1)).toThrow(FileNotFoundInIndexError);
    index = removeFile(index, "b.bin");
    expect(() => getFileVersion(index, "b.bin")).toThrow(/No file at b.bin/);
    expect(index.seq).toBe(5);
  });

  it("normalises and rejects paths", () => {
    expect(normalizePath("/a/b/")).toBe("a/b");
    for (const bad of ["", "/", "a/../b", "./a", "a\u0000b", "x".repeat(5000)]) {
      expect(() => normalizePath(bad)).toThrow(InvalidPathError);
    }
  });
});
