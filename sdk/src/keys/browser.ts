/**
 * Master key at rest in a browser: IndexedDB (database `tessera-keys`, store `keys`), one record per
 * name (default `"master"`), in one of two forms:
 *
 * - `device`: the master key encrypted with AES-256-GCM under a **non-extractable** WebCrypto
 *   `CryptoKey` generated for this browser profile and stored beside it. Script (an XSS payload, an
 *   extension reading storage) can use the device key only while running in this origin; it can never
 *   export it, so a copied IndexedDB is useless elsewhere. The raw master key exists in memory only
 *   while unlocked.
 * - `passphrase`: the same passphrase-protected JSON as the Node key file (keys/keyFile.ts), for a
 *   profile that should not unlock without the user.
 *
 * Uses only `indexedDB` and `crypto.subtle`, so it also runs in a Web Worker. Pass `indexedDB` in
 * the options to use another factory (tests use fake-indexeddb).
 */
import { utf8 } from "../crypto/bytes.ts";
import { randomBytes } from "../crypto/random.ts";
import { zeroize } from "../crypto/zeroize.ts";
import { DecryptionError } from "../errors/crypto.ts";
import {
  KeyFileNotFoundError,
  KeyMismatchError,
  KeyStoreUnavailableError,
} from "../errors/keys.ts";
import { decryptMasterKey, encryptMasterKey, type KdfOptions, type KeyFile } from "./keyFile.ts";
import { assertMasterKey, masterKeyFingerprint } from "./masterKey.ts";

const DB_NAME = "tessera-keys";
const STORE = "keys";
const AAD = utf8("tessera/v1/idb-master-key");

type DeviceRecord = {
  kind: "device";
  fingerprint: string;
  deviceKey: CryptoKey;
  iv: Uint8Array;
  ciphertext: Uint8Array;
};
type PassphraseRecord = { kind: "passphrase"; fingerprint: string; keyFile: KeyFile };
type StoredRecord = DeviceRecord | PassphraseRecord;

export type BrowserKeyStoreOptions = { indexedDB?: IDBFactory; name?: string };

function factory(options: BrowserKeyStoreOptions): IDBFactory {
  const f = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!f) throw new KeyStoreUnavailableError("this environment has no IndexedDB");
  return f;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () =>
      reject(
        new KeyStoreUnavailableError(req.error?.message ?? "IndexedDB request failed", {
          cause: req.error,
        }),
      );
  });
}

async function withStore<T>(
  options: BrowserKeyStoreOptions,
  mode: IDBTransactionMode,
  fn: (s: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const open = factory(options).open(DB_NAME, 1);
  open.onupgradeneeded = () => {
    if (!open.result.objectStoreNames.contains(STORE)) open.result.createObjectStore(STORE);
  };
  const db = await request(open);
  try {
    const tx = db.transaction(STORE, mode);
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () =>
        reject(
          new KeyStoreUnavailableError(tx.error?.message ?? "transaction failed", {
            cause: tx.error,
          }),
        );
      tx.onabort = () =>
        reject(
          new KeyStoreUnavailableError(tx.error?.message ?? "transaction aborted", {
            cause: tx.error,
          }),
        );
    });
    const result = await request(fn(tx.objectStore(STORE)));
    await done;
    return result;
  } finally {
    db.close();
  }
}

const keyName = (o: BrowserKeyStoreOptions) => o.name ?? "master";

/** Store the master key under a non-extractable device key (unlocks without a passphrase in this profile). */
export async function storeMasterKeyInBrowser(
  masterKey: Uint8Array,
  options: BrowserKeyStoreOptions = {},
): Promise<void> {
  assertMasterKey(masterKey);
  const deviceKey = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
    "encrypt",
    "decrypt",
  ]);
  const iv = randomBytes(12);
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: iv as BufferSource, additionalData: AAD as BufferSource },
      deviceKey,
      masterKey as BufferSource,
    ),
  );
  const record: DeviceRecord = {
    kind: "device",
    fingerprint: masterKeyFingerprint(masterKey),
    deviceKey,
    iv,
    ciphertext,
  };
  await withStore(options, "readwrite", (s) => s.put(record, keyName(options)));
}

/** Store the master key protected by a passphrase (scrypt), the same format as the Node key file. */
export async function storeMasterKeyInBrowserWithPassphrase(
  masterKey: Uint8Array,
  passphrase: string,
  options: BrowserKeyStoreOptions & { kdf?: KdfOptions } = {},
): Promise<void> {
  const keyFile = await encryptMasterKey(
    masterKey,
    passphrase,
    options.kdf ? { kdf: options.kdf } : {},
  );
  const record: PassphraseRecord = {
    kind: "passphrase",
    fingerprint: keyFile.fingerprint,
    keyFile,
  };
  await withStore(options, "readwrite", (s) => s.put(record, keyName(options)));
}

/** What is stored, without unlocking it: `undefined` if nothing. */
export async function browserMasterKeyInfo(
  options: BrowserKeyStoreOptions = {},
): Promise<{ kind: "device" | "passphrase"; fingerprint: string } | undefined> {
  const r = (await withStore(options, "readonly", (s) => s.get(keyName(options)))) as
    StoredRecord | undefined;
  return r ? { kind: r.kind, fingerprint: r.fingerprint } : undefined;
}

/** Unlock the stored master key; a `passphrase` record needs `options.passphrase`. */
export async function loadMasterKeyFromBrowser(
  options: BrowserKeyStoreOptions & { passphrase?: string } = {},
): Promise<Uint8Array> {
  const r = (await withStore(options, "readonly", (s) => s.get(keyName(options)))) as
    StoredRecord | undefined;
  if (!r) throw new KeyFileNotFoundError(`IndexedDB ${DB_NAME}/${keyName(options)}`);
  if (r.kind === "passphrase") {
    if (options.passphrase === undefined)
      throw new KeyStoreUnavailableError(
        "this master key is passphrase-protected: pass the passphrase",
      );
    return decryptMasterKey(r.keyFile, options.passphrase);
  }
  let key: Uint8Array;
  try {
    key = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: r.iv as BufferSource, additionalData: AAD as BufferSource },
        r.deviceKey,
        r.ciphertext as BufferSource,
      ),
    );
  } catch (cause) {
    throw new DecryptionError("the stored master key", { cause });
  }
  const actual = masterKeyFingerprint(key);
  if (actual !== r.fingerprint) {
    zeroize(key);
    throw new KeyMismatchError("stored master key", r.fingerprint, actual);
  }
  return key;
}

export async function deleteMasterKeyFromBrowser(
  options: BrowserKeyStoreOptions = {},
): Promise<void> {
  await withStore(options, "readwrite", (s) => s.delete(keyName(options)));
}
