/**
 * The passphrase-protected master key ("key file"), the same JSON in Node (a file in the config dir,
 * keys/node.ts) and in the browser (an IndexedDB record, keys/browser.ts):
 *
 * ```json
 * { "type": "tessera-master-key", "version": 1, "fingerprint": "1a2b-…", "createdAt": "…",
 *   "kdf": { "alg": "scrypt", "N": 131072, "r": 8, "p": 1, "salt": "<b64url>", "dkLen": 32 },
 *   "wrappedKey": "<b64url: key wrap of the master key under scrypt(passphrase)>" }
 * ```
 *
 * The wrapped key's associated data covers the KDF parameters and the fingerprint, so editing
 * either in the file is detected. A wrong passphrase gives WrongPasswordError, never a wrong key.
 */
import { fromBase64Url, toBase64Url, utf8 } from "../crypto/bytes.ts";
import { unwrapKey, wrapKey } from "../crypto/keyWrap.ts";
import {
  deriveKeyFromPassword,
  newScryptParams,
  scryptParamsFromJson,
  scryptParamsToJson,
  type ScryptParamsJson,
} from "../crypto/passwordKdf.ts";
import { zeroize } from "../crypto/zeroize.ts";
import { DecryptionError, InvalidFormatError, WrongPasswordError } from "../errors/crypto.ts";
import { KeyMismatchError } from "../errors/keys.ts";
import { assertMasterKey, masterKeyFingerprint } from "./masterKey.ts";

export type KeyFile = {
  type: "tessera-master-key";
  version: 1;
  fingerprint: string;
  createdAt: string;
  kdf: ScryptParamsJson;
  wrappedKey: string;
};

export type KdfOptions = { N?: number; r?: number; p?: number };

const aad = (kdf: ScryptParamsJson, fingerprint: string) =>
  utf8(
    `tessera-master-key/v1:${JSON.stringify([kdf.alg, kdf.N, kdf.r, kdf.p, kdf.salt, kdf.dkLen, fingerprint])}`,
  );

export async function encryptMasterKey(
  masterKey: Uint8Array,
  passphrase: string,
  options: { kdf?: KdfOptions; now?: Date } = {},
): Promise<KeyFile> {
  assertMasterKey(masterKey);
  const params = newScryptParams(options.kdf);
  const kdf = scryptParamsToJson(params);
  const fingerprint = masterKeyFingerprint(masterKey);
  const kek = await deriveKeyFromPassword(passphrase, params);
  try {
    return {
      type: "tessera-master-key",
      version: 1,
      fingerprint,
      createdAt: (options.now ?? new Date()).toISOString(),
      kdf,
      wrappedKey: toBase64Url(wrapKey(kek, masterKey, aad(kdf, fingerprint))),
    };
  } finally {
    zeroize(kek);
  }
}

export function parseKeyFile(json: unknown): KeyFile {
  const o = json as Partial<KeyFile> | null;
  if (!o || typeof o !== "object" || o.type !== "tessera-master-key") {
    throw new InvalidFormatError("master key file", "it is not a Tessera master key file");
  }
  if (o.version !== 1)
    throw new InvalidFormatError("master key file", `unsupported version ${String(o.version)}`);
  if (
    typeof o.fingerprint !== "string" ||
    typeof o.wrappedKey !== "string" ||
    typeof o.createdAt !== "string"
  ) {
    throw new InvalidFormatError("master key file", "a field is missing");
  }
  scryptParamsFromJson(o.kdf);
  return o as KeyFile;
}

export async function decryptMasterKey(file: KeyFile, passphrase: string): Promise<Uint8Array> {
  const parsed = parseKeyFile(file);
  const params = scryptParamsFromJson(parsed.kdf);
  const kek = await deriveKeyFromPassword(passphrase, params);
  let key: Uint8Array;
  try {
    key = unwrapKey(kek, fromBase64Url(parsed.wrappedKey), aad(parsed.kdf, parsed.fingerprint));
  } catch (cause) {
    if (cause instanceof DecryptionError) throw new WrongPasswordError("the master key", { cause });
    throw cause;
  } finally {
    zeroize(kek);
  }
  const actual = masterKeyFingerprint(key);
  if (actual !== parsed.fingerprint) {
    zeroize(key);
    throw new KeyMismatchError("master key", parsed.fingerprint, actual);
  }
  return key;
}
