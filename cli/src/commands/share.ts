import type { Command } from "commander";
import { action } from "../program.ts";
import { CliError, EXIT } from "../errors.ts";
import { unlockMasterKey } from "../keystore.ts";

export function register(program: Command): void {
  program
    .command("share")
    .description("print a link that lets anyone holding it (and the password, if set) download one file version")
    .argument("<path>", "path in your file index")
    .option("--version <n>", "share this version (default: the latest)")
    .option("--password [password]", "protect the link with a password (value, env TESSERA_SHARE_PASSWORD, or prompt)")
    .option("--base <url>", "link base, e.g. https://app.example/share", "tessera://share")
    .addHelpText(
      "after",
      `
The file's key travels only in the part of the link after '#'. Anyone with the link can read this
version of the file (and nothing else); with --password they also need the password.
Open it with: tessera get '<link>' [--password …]`,
    )
    .action(
      action(async (ctx, path: string, opts: { version?: string; password?: string | boolean; base: string }) => {
        const files = await import("../files.ts");
        const sdk = await import("../sdk.ts");
        let password: string | undefined;
        if (opts.password !== undefined && opts.password !== false) {
          password = typeof opts.password === "string" ? opts.password : process.env.TESSERA_SHARE_PASSWORD;
          if (password === undefined) {
            throw new CliError("--password needs a value (or env TESSERA_SHARE_PASSWORD).", { exitCode: EXIT.USAGE });
          }
          if (password.length === 0) throw new CliError("The password must not be empty.", { exitCode: EXIT.USAGE });
        }
        const masterKey = await unlockMasterKey(ctx);
        try {
          const { index } = await files.loadIndex(ctx, masterKey);
          const version = sdk.getFileVersion(index, path, opts.version !== undefined ? Number(opts.version) : undefined);
          if (!("inline" in version.manifest)) throw new CliError(`The manifest of ${path} is stored by reference.`, { exitCode: EXIT.NOT_FOUND });
          const manifest = version.manifest.inline;
          const fileKey = sdk.manifestFileKey(masterKey, manifest);
          try {
            const link = await sdk.createShareLink({ manifest, fileKey }, { base: opts.base, ...(password !== undefined ? { password } : {}) });
            ctx.print(link.url, { link: link.url, path: sdk.normalizePath(path), version: version.version, passwordProtected: password !== undefined });
          } finally {
            fileKey.fill(0);
          }
        } finally {
          masterKey.fill(0);
        }
      }),
    );
}
