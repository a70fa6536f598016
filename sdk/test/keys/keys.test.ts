import { mkdtemp, readFile, rm, stat, chmod, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { randomBytes } from "../../src/crypto/random.ts";
import { DecryptionError, WrongPasswordError } from "../../src/errors/crypto.ts";
import {
  KeyFileExistsError,
  KeyFileNotFoundError,
  KeyFilePermissionsError,
} from "../../src/errors/keys.ts";
import { generateFileKey, unwrapFileKey, wrapFileKey } from "../../src/keys/fileKey.ts";
import { decryptMasterKey, encryptMasterKey } from "../../src/keys/keyFile.ts";
import {
  generateMasterKey,
  masterKeyFingerprint,
  sharingIdentity,
} from "../../src/keys/masterKey.ts";
import {
  loadMasterKeyFile,
  masterKeyFilePath,
  readMasterKeyFile,
  saveMasterKeyFile,
  tesseraHome,
} from "../../src/keys/node.ts";

const FAST = { N: 2 ** 10 }; // tests only; the default is N = 2^17

describe("master and file keys", () => {
  it("creates distinct 256-bit master keys and derives a stable sharing identity", () => {
    const a = generateMasterKey();
    const b = generateMasterKey();
    expect(a).toHaveLength(32);
    expect(masterKeyFingerprint(a)).not.toBe(masterKeyFingerprint(b));
    expect(sharingIdentity(a).publicKey).toEqual(sharingIdentity(Uint8Array.from(a)).publicKey);
    expect(() => masterKeyFingerprint(new Uint8Array(32))).toThrow(/all zeros/);
  });

  it("wraps file keys bound to the file id", () => {
    const mk = generateMasterKey();
    const fk = generateFileKey();
    const fileId = randomBytes(16);
    const w = wrapFileKey(mk, fk, fileId);
    expect(unwrapFileKey(mk, w, fileId)).toEqual(fk);
    expect(() => unwrapFileKey(mk, w, randomBytes(16))).toThrow(DecryptionError);
    expect(() => unwrapFileKey(generateMasterKey(), w, fileId)).toThrow(DecryptionError);
  });
});

describe("passphrase-protected key file", () => {
  it("unlocks with the passphrase and reports a wrong one clearly", async () => {
    const mk = generateMasterKey();
    const file = await encryptMasterKey(mk, "hunter2 but longer", { kdf: FAST });
    expect(file.kdf).toMatchObject({ alg: "scrypt", N: 1024, r: 8, p: 1, dkLen: 32 });
    expect(await decryptMasterKey(file, "hunter2 but longer")).toEqual(mk);
    await expect(decryptMasterKey(file, "hunter3 but longer")).rejects.toThrow(WrongPasswordError);
  });

  it("detects edited KDF parameters or fingerprint", async () => {
    const file = await encryptMasterKey(generateMasterKey(), "pw", { kdf: FAST });
    await expect(
      decryptMasterKey({ ...file, kdf: { ...file.kdf, N: 2048 } }, "pw"),
    ).rejects.toThrow(WrongPasswordError);
    await expect(
      decryptMasterKey({ ...file, fingerprint: "0000-0000-0000-0000" }, "pw"),
    ).rejects.toThrow(WrongPasswordError);
  });
});

describe("Node key file in TESSERA_HOME", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const home = async () => {
    const d = await mkdtemp(join(tmpdir(), "tessera-keys-"));
    dirs.push(d);
    return join(d, "home");
  };

  it("resolves TESSERA_HOME, else ~/.tessera", () => {
    expect(tesseraHome({ TESSERA_HOME: "/x/y" })).toBe("/x/y");
    expect(tesseraHome({})).toMatch(/\.tessera$/);
  });

  it("writes a 0600 file in a 0700 dir, loads it, and refuses to overwrite", async () => {
    const h = await home();
    const mk = generateMasterKey();
    const { path } = await saveMasterKeyFile(mk, "correct horse", { home: h, kdf: FAST });
    expect(path).toBe(masterKeyFilePath(h));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(h)).mode & 0o777).toBe(0o700);
    const text = await readFile(path, "utf8");
    expect(text).not.toContain(Buffer.from(mk).toString("base64url"));
    expect(await loadMasterKeyFile("correct horse", { home: h })).toEqual(mk);
    await expect(loadMasterKeyFile("wrong", { home: h })).rejects.toThrow(WrongPasswordError);
    await expect(
      saveMasterKeyFile(generateMasterKey(), "x", { home: h, kdf: FAST }),
    ).rejects.toThrow(KeyFileExistsError);
    const other = generateMasterKey();
    await saveMasterKeyFile(other, "new", { home: h, kdf: FAST, overwrite: true });
    expect(await loadMasterKeyFile("new", { home: h })).toEqual(other);
    expect((await readMasterKeyFile({ home: h })).keyFile.fingerprint).toBe(
      masterKeyFingerprint(other),
    );
  });

  it("says what to do when the file is missing, world-readable or not a key file", async () => {
    const h = await home();
    await expect(loadMasterKeyFile("x", { home: h })).rejects.toThrow(KeyFileNotFoundError);
    const { path } = await saveMasterKeyFile(generateMasterKey(), "x", { home: h, kdf: FAST });
    await chmod(path, 0o644);
    await expect(loadMasterKeyFile("x", { home: h })).rejects.toThrow(KeyFilePermissionsError);
    await expect(loadMasterKeyFile("x", { home: h })).rejects.toThrow(/chmod 600/);
    await writeFile(path, "{not json", { mode: 0o600 });
    await chmod(path, 0o600);
    await expect(loadMasterKeyFile("x", { home: h })).rejects.toThrow(/not JSON/);
  });
});
