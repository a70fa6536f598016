/**
 * Master key at rest in Node: a passphrase-protected key file (keys/keyFile.ts) at
 * `$TESSERA_HOME/master-key.json` (default `~/.tessera`), directory 0700, file 0600, written
 * atomically (temp file + fsync + rename) and never overwritten silently.
 *
 * Node only (node:fs): import it as `@tessera/sdk/keys/node`; it is not in the browser-safe barrel.
 */
import { constants } from "node:fs";
import { chmod, mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { InvalidFormatError } from "../errors/crypto.ts";
import {
  KeyFileExistsError,
  KeyFileNotFoundError,
  KeyFilePermissionsError,
} from "../errors/keys.ts";
import {
  decryptMasterKey,
  encryptMasterKey,
  parseKeyFile,
  type KdfOptions,
  type KeyFile,
} from "./keyFile.ts";

export const KEY_FILE_NAME = "master-key.json";

/** The Tessera config directory: `$TESSERA_HOME`, else `~/.tessera`. */
export function tesseraHome(env: Record<string, string | undefined> = process.env): string {
  return env.TESSERA_HOME && env.TESSERA_HOME.length > 0
    ? env.TESSERA_HOME
    : join(homedir(), ".tessera");
}

export function masterKeyFilePath(home: string = tesseraHome()): string {
  return join(home, KEY_FILE_NAME);
}

export type SaveMasterKeyOptions = { home?: string; overwrite?: boolean; kdf?: KdfOptions };

/** Encrypt `masterKey` under `passphrase` and write it to the key file. Returns the file path. */
export async function saveMasterKeyFile(
  masterKey: Uint8Array,
  passphrase: string,
  options: SaveMasterKeyOptions = {},
): Promise<{ path: string; keyFile: KeyFile }> {
  const home = options.home ?? tesseraHome();
  const path = masterKeyFilePath(home);
  await mkdir(home, { recursive: true, mode: 0o700 });
  if (!options.overwrite && (await exists(path))) throw new KeyFileExistsError(path);
  const keyFile = await encryptMasterKey(
    masterKey,
    passphrase,
    options.kdf ? { kdf: options.kdf } : {},
  );
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await fh.writeFile(JSON.stringify(keyFile, null, 2) + "\n");
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await chmod(tmp, 0o600); // umask cannot widen it, but be explicit
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
  return { path, keyFile };
}

/** Read the key file without unlocking it (e.g. to show its fingerprint). */
export async function readMasterKeyFile(
  options: { home?: string } = {},
): Promise<{ path: string; keyFile: KeyFile }> {
  const path = masterKeyFilePath(options.home ?? tesseraHome());
  let text: string;
  let mode: number;
  try {
    mode = (await stat(path)).mode;
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new KeyFileNotFoundError(path);
    throw e;
  }
  if (process.platform !== "win32" && (mode & 0o077) !== 0)
    throw new KeyFilePermissionsError(path, mode);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new InvalidFormatError("master key file", `${path} is not JSON`, { cause });
  }
  return { path, keyFile: parseKeyFile(json) };
}

/** Unlock the master key. Throws WrongPasswordError, KeyFileNotFoundError, KeyFilePermissionsError. */
export async function loadMasterKeyFile(
  passphrase: string,
  options: { home?: string } = {},
): Promise<Uint8Array> {
  const { keyFile } = await readMasterKeyFile(options);
  return decryptMasterKey(keyFile, passphrase);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
