import { basename } from "node:path";
import type { Command } from "commander";
import { action } from "../program.ts";
import { formatBytes } from "../chain.ts";
import { CliError, EXIT } from "../errors.ts";
import { unlockMasterKey } from "../keystore.ts";

export function isShareLink(text: string): boolean {
  return /^tessera:\/\/share\//.test(text) || /^https?:\/\/.*\/share\/[ic]\//.test(text);
}

export function register(program: Command): void {
  program
    .command("get")
    .description("download, verify and decrypt a file from your index, or a file shared with you by link")
    .argument("<path|link>", "a path in your file index, or a share link (tessera://share/…)")
    .option("-o, --output <file>", "where to write it (default: the file's name in the current directory)")
    .option("--version <n>", "a specific version (default: the latest)")
    .option("--password <password>", "password of a protected share link (or env TESSERA_SHARE_PASSWORD)")
    .action(
      action(async (ctx, target: string, opts: { output?: string; version?: string; password?: string }) => {
        const files = await import("../files.ts");
        const sdk = await import("../sdk.ts");
        let manifest;
        let fileKey: Uint8Array;
        let label: string;
        if (isShareLink(target)) {
          const password = opts.password ?? process.env.TESSERA_SHARE_PASSWORD;
          const shared = await sdk.openShareLink(target, password !== undefined ? { password } : {});
          manifest = shared.manifest;
          fileKey = shared.fileKey;
          label = manifest.name;
        } else {
          const masterKey = await unlockMasterKey(ctx);
          try {
            const { index } = await files.loadIndex(ctx, masterKey);
            const version = sdk.getFileVersion(index, target, opts.version !== undefined ? Number(opts.version) : undefined);
            if (!("inline" in version.manifest)) {
              throw new CliError(`The manifest of ${target} is stored by reference, which this CLI cannot fetch yet.`, {
                exitCode: EXIT.NOT_FOUND,
              });
            }
            manifest = version.manifest.inline;
            fileKey = sdk.manifestFileKey(masterKey, manifest);
            label = `${sdk.normalizePath(target)} (version ${version.version})`;
          } finally {
            masterKey.fill(0);
          }
        }
        const out = opts.output ?? basename(manifest.name);
        try {
          const bytes = await files.downloadToFile(ctx, manifest, fileKey, out);
          ctx.print(`${label}: ${formatBytes(bytes)} written to ${out}`, { path: label, output: out, bytes, requestId: manifest.storage?.requestId });
        } finally {
          fileKey.fill(0);
        }
      }),
    );
}
