/** The master key on this machine: $TESSERA_HOME/master-key.json, unlocked with the passphrase. */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Context } from "./context.ts";

export async function unlockMasterKey(ctx: Context): Promise<Uint8Array> {
  const { loadMasterKeyFile, readMasterKeyFile } = await import("@tessera/sdk/keys/node");
  await readMasterKeyFile({ home: ctx.home }); // a missing key file fails before asking for a passphrase
  const key = await loadMasterKeyFile(await ctx.passphrase("unlock"), { home: ctx.home });
  releaseKdfMemory();
  return key;
}

/**
 * scrypt (N = 2^17, r = 8) allocates 128 MiB that the garbage collector may keep for a long
 * time; collect it now so a following upload or download starts from a small heap (the CLI's
 * peak RSS is then the larger of the two phases, not their sum).
 */
function releaseKdfMemory(): void {
  try {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as (() => void) | undefined;
    gc?.();
  } catch {
    /* best effort */
  }
}
