import { IDBFactory } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import { WrongPasswordError } from "../../src/errors/crypto.ts";
import { KeyFileNotFoundError, KeyStoreUnavailableError } from "../../src/errors/keys.ts";
import {
  browserMasterKeyInfo,
  deleteMasterKeyFromBrowser,
  loadMasterKeyFromBrowser,
  storeMasterKeyInBrowser,
  storeMasterKeyInBrowserWithPassphrase,
} from "../../src/keys/browser.ts";
import { generateMasterKey, masterKeyFingerprint } from "../../src/keys/masterKey.ts";

describe("browser key store (IndexedDB, fake-indexeddb)", () => {
  it("stores under a non-extractable device key and unlocks it", async () => {
    const indexedDB = new IDBFactory();
    const mk = generateMasterKey();
    expect(await browserMasterKeyInfo({ indexedDB })).toBeUndefined();
    await storeMasterKeyInBrowser(mk, { indexedDB });
    expect(await browserMasterKeyInfo({ indexedDB })).toEqual({
      kind: "device",
      fingerprint: masterKeyFingerprint(mk),
    });
    expect(await loadMasterKeyFromBrowser({ indexedDB })).toEqual(mk);
    await deleteMasterKeyFromBrowser({ indexedDB });
    await expect(loadMasterKeyFromBrowser({ indexedDB })).rejects.toThrow(KeyFileNotFoundError);
  });

  it("stores passphrase-protected and needs the right passphrase", async () => {
    const indexedDB = new IDBFactory();
    const mk = generateMasterKey();
    await storeMasterKeyInBrowserWithPassphrase(mk, "pw", {
      indexedDB,
      kdf: { N: 1024 },
      name: "alice",
    });
    await expect(loadMasterKeyFromBrowser({ indexedDB, name: "alice" })).rejects.toThrow(
      KeyStoreUnavailableError,
    );
    await expect(
      loadMasterKeyFromBrowser({ indexedDB, name: "alice", passphrase: "nope" }),
    ).rejects.toThrow(WrongPasswordError);
    expect(await loadMasterKeyFromBrowser({ indexedDB, name: "alice", passphrase: "pw" })).toEqual(
      mk,
    );
  });
});
