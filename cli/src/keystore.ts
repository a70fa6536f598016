/** The master key on this machine: $TESSERA_HOME/master-key.json, unlocked with the passphrase. */
import type { Context } from "./context.ts";

export async function unlockMasterKey(ctx: Context): Promise<Uint8Array> {
  const { loadMasterKeyFile, readMasterKeyFile } = await import("@tessera/sdk/keys/node");
  await readMasterKeyFile({ home: ctx.home }); // a missing key file fails before asking for a passphrase
  return await loadMasterKeyFile(await ctx.passphrase("unlock"), { home: ctx.home });
}
