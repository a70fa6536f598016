import type { Command } from "commander";
import { action } from "../program.ts";
import { formatBytes, table } from "../chain.ts";
import { unlockMasterKey } from "../keystore.ts";

export function register(program: Command): void {
  program
    .command("ls")
    .description("list the files in your encrypted file index (read from the chain and the providers)")
    .argument("[prefix]", "only files under this directory path")
    .option("-a, --all-versions", "list every version, not only the latest")
    .action(
      action(async (ctx, prefix: string | undefined, opts: { allVersions?: boolean }) => {
        const { loadIndex } = await import("../files.ts");
        const { listFiles } = await import("../sdk.ts");
        const masterKey = await unlockMasterKey(ctx);
        let loaded;
        try {
          loaded = await loadIndex(ctx, masterKey);
        } finally {
          masterKey.fill(0);
        }
        const files = listFiles(loaded.index, prefix ?? "");
        const rows = files.flatMap((f) => {
          const versions = opts.allVersions ? loaded.index.files[f.path]!.versions : [f.latest];
          return versions.map((v) => {
            const manifest = "inline" in v.manifest ? v.manifest.inline : undefined;
            return {
              path: f.path,
              version: v.version,
              versions: f.versions,
              size: v.size,
              createdAt: v.createdAt,
              requestId: manifest?.storage?.requestId,
              redundancy: manifest ? `${manifest.erasure.k}+${manifest.erasure.m}` : undefined,
            };
          });
        });
        ctx.print(
          () =>
            rows.length === 0
              ? "No files yet. Store one with: tessera put <file>"
              : table([
                  ["PATH", "VERSION", "SIZE", "K+M", "STORED", "DEAL"],
                  ...rows.map((r) => [
                    r.path,
                    `${r.version}${opts.allVersions ? "" : `/${r.versions}`}`,
                    formatBytes(r.size),
                    r.redundancy ?? "",
                    r.createdAt.replace(/\.\d+Z$/, "Z"),
                    r.requestId ?? "",
                  ]),
                ]),
          { indexVersion: loaded.index.seq, files: rows },
        );
      }),
    );
}
