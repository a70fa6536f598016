/** Shamir backup of the master key: thin, typed wrappers over shamir/shares.ts. */
import { assertMasterKey } from "../keys/masterKey.ts";
import { recoverSecret, splitSecret, type SplitResult } from "./shares.ts";

export type MasterKeyBackupOptions = { threshold: number; total: number };

/** Split the master key into `total` text shares, any `threshold` of which recover it. */
export async function splitMasterKey(
  masterKey: Uint8Array,
  options: MasterKeyBackupOptions,
): Promise<SplitResult> {
  assertMasterKey(masterKey);
  return splitSecret(masterKey, options);
}

/** Recover the master key from text shares (verified against the key check value in every share). */
export async function recoverMasterKey(shares: readonly string[]): Promise<Uint8Array> {
  const key = await recoverSecret(shares);
  assertMasterKey(key);
  return key;
}
