import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { action } from "../program.ts";
import { CliError, EXIT } from "../errors.ts";
import { unlockMasterKey } from "../keystore.ts";

export function register(program: Command): void {
  const keys = program.command("keys").description("create, show, back up (Shamir) and recover the master key");

  keys
    .command("init")
    .description("create a new master key, encrypted under a passphrase in $TESSERA_HOME")
    .action(
      action(async (ctx) => {
        const { generateMasterKey, masterKeyFingerprint } = await import("@tessera/sdk/keys/masterKey");
        const { saveMasterKeyFile, masterKeyFilePath } = await import("@tessera/sdk/keys/node");
        const { readMasterKeyFile } = await import("@tessera/sdk/keys/node");
        const existing = await readMasterKeyFile({ home: ctx.home }).catch(() => undefined);
        if (existing) {
          throw new CliError(`A master key already exists at ${existing.path} (fingerprint ${existing.keyFile.fingerprint}).`, {
            exitCode: EXIT.CONFIG,
            hint: "Use it as is, or choose another TESSERA_HOME.",
          });
        }
        const masterKey = generateMasterKey();
        try {
          const passphrase = await ctx.passphrase("new");
          if (passphrase.length === 0) throw new CliError("The passphrase must not be empty.", { exitCode: EXIT.USAGE });
          const { path } = await saveMasterKeyFile(masterKey, passphrase, { home: ctx.home });
          const fingerprint = masterKeyFingerprint(masterKey);
          ctx.print(
            `Master key created: ${path}\nFingerprint: ${fingerprint}\nBack it up now: tessera keys split --shares 5 --threshold 3`,
            { path, fingerprint, created: true, home: masterKeyFilePath(ctx.home) },
          );
        } finally {
          masterKey.fill(0);
        }
      }),
    );

  keys
    .command("show")
    .description("show the master key's fingerprint, the account and the sharing public key")
    .option("--no-unlock", "do not ask for the passphrase (fingerprint and account only)")
    .action(
      action(async (ctx, opts: { unlock: boolean }) => {
        const { readMasterKeyFile } = await import("@tessera/sdk/keys/node");
        const { path, keyFile } = await readMasterKeyFile({ home: ctx.home });
        const account = await ctx.account().catch(() => undefined);
        let sharingPublicKey: string | undefined;
        if (opts.unlock) {
          const { sharingIdentity } = await import("@tessera/sdk/keys/masterKey");
          const masterKey = await unlockMasterKey(ctx);
          const identity = sharingIdentity(masterKey);
          sharingPublicKey = Buffer.from(identity.publicKey).toString("hex");
          identity.secretKey.fill(0);
          masterKey.fill(0);
        }
        ctx.print(
          [
            `key file     ${path}`,
            `fingerprint  ${keyFile.fingerprint}`,
            `created      ${keyFile.createdAt}`,
            ...(account ? [`account      ${account.address}`] : []),
            ...(sharingPublicKey ? [`sharing key  ${sharingPublicKey}`] : []),
          ].join("\n"),
          { path, fingerprint: keyFile.fingerprint, createdAt: keyFile.createdAt, account: account?.address, sharingPublicKey },
        );
      }),
    );

  keys
    .command("split")
    .description("split the master key into Shamir shares; any <threshold> of them recover it")
    .option("--shares <n>", "number of shares", "5")
    .option("--threshold <t>", "shares needed to recover", "3")
    .action(
      action(async (ctx, opts: { shares: string; threshold: string }) => {
        const shares = Number(opts.shares);
        const threshold = Number(opts.threshold);
        if (!Number.isInteger(shares) || !Number.isInteger(threshold) || threshold < 2 || shares < threshold || shares > 255) {
          throw new CliError("Need 2 ≤ threshold ≤ shares ≤ 255.", { exitCode: EXIT.USAGE });
        }
        const shamir = await loadShamir();
        const masterKey = await unlockMasterKey(ctx);
        try {
          const split = await shamir.splitMasterKey(masterKey, { shares, threshold });
          const texts = split.shares;
          ctx.print(
            () =>
              [
                `Master key split into ${shares} shares; any ${threshold} recover it. Give each to a different person or place.`,
                "",
                ...texts.map((t, i) => `share ${i + 1}/${shares}:\n${t}\n`),
                "Recover on a new device: tessera keys recover (paste the shares, or pass --share / --shares-file)",
              ].join("\n"),
            { shares: texts, qr: split.qr, setId: split.setId, threshold, total: shares },
          );
        } finally {
          masterKey.fill(0);
        }
      }),
    );

  keys
    .command("recover")
    .description("rebuild the master key from Shamir shares and store it under a new passphrase")
    .option("--share <text...>", "one share (repeat the flag per share)")
    .option("--shares-file <file>", "file with one share per line (blank lines separate shares)")
    .option("--overwrite", "replace an existing master key in $TESSERA_HOME")
    .action(
      action(async (ctx, opts: { share?: string[]; sharesFile?: string; overwrite?: boolean }) => {
        const shareTexts = [...(opts.share ?? [])];
        if (opts.sharesFile) shareTexts.push(...splitShares(readFileSync(opts.sharesFile, "utf8")));
        if (shareTexts.length === 0 && !process.stdin.isTTY) shareTexts.push(...splitShares(readFileSync(0, "utf8")));
        if (shareTexts.length === 0) {
          throw new CliError("No shares given.", { exitCode: EXIT.USAGE, hint: "Pass --share <text> per share, --shares-file, or pipe them on stdin." });
        }
        const shamir = await loadShamir();
        const { saveMasterKeyFile } = await import("@tessera/sdk/keys/node");
        const { masterKeyFingerprint } = await import("@tessera/sdk/keys/masterKey");
        const masterKey = await shamir.combineMasterKey(shareTexts);
        try {
          const passphrase = await ctx.passphrase("new");
          const { path } = await saveMasterKeyFile(masterKey, passphrase, { home: ctx.home, overwrite: Boolean(opts.overwrite) });
          const fingerprint = masterKeyFingerprint(masterKey);
          ctx.print(`Master key recovered: ${path}\nFingerprint: ${fingerprint}\nYour files: tessera ls`, {
            path,
            fingerprint,
            recovered: true,
          });
        } finally {
          masterKey.fill(0);
        }
      }),
    );
}

/** Share texts: one per line; lines that continue a share (indented or joined) are kept as-is. */
function splitShares(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => /^tessera-share-/i.test(l));
}

type ShamirApi = {
  splitMasterKey(key: Uint8Array, options: { shares: number; threshold: number }): Promise<{ shares: string[]; qr: string[]; setId: string }>;
  combineMasterKey(shares: string[]): Promise<Uint8Array>;
};

/** Adapter over the sdk's Shamir module (sdk/src/shamir). */
async function loadShamir(): Promise<ShamirApi> {
  const backup = await import("@tessera/sdk/shamir/masterKeyBackup");
  const { shareToQrString } = await import("@tessera/sdk/shamir/shares");
  return {
    splitMasterKey: async (key, { shares, threshold }) => {
      const result = await backup.splitMasterKey(key, { total: shares, threshold });
      return { shares: result.shares, qr: result.shares.map(shareToQrString), setId: result.setId };
    },
    combineMasterKey: (shares) => backup.recoverMasterKey(shares),
  };
}
