import type { Command } from "commander";
import { action } from "../program.ts";
import { parseDuration, parseRedundancy } from "../duration.ts";
import { unlockMasterKey } from "../keystore.ts";
import { Progress } from "../progress.ts";

export function register(program: Command): void {
  program
    .command("rm")
    .description("remove a file (or one version) from your index; running deals keep their shards until they end")
    .argument("<path>", "path in your file index")
    .option("--version <n>", "remove only this version")
    .option("-r, --redundancy <k+m>", "redundancy of the new index object", "4+2")
    .option("-d, --duration <time>", "storage time of the new index object (default 30d, capped at the chain's maximum)")
    .action(
      action(async (ctx, path: string, opts: { version?: string; redundancy: string; duration?: string }) => {
        const files = await import("../files.ts");
        const sdk = await import("../sdk.ts");
        const masterKey = await unlockMasterKey(ctx);
        const progress = new Progress(ctx);
        try {
          const { index } = await files.loadIndex(ctx, masterKey, progress);
          const version = opts.version !== undefined ? Number(opts.version) : undefined;
          const next = sdk.removeFile(index, path, version !== undefined ? { version } : {});
          await ctx.confirm(`Remove ${path}${version !== undefined ? ` version ${version}` : " (every version)"} from your index?`);
          const saved = await files.saveIndex(
            ctx,
            masterKey,
            next,
            {
              ...parseRedundancy(opts.redundancy),
              duration: parseDuration(opts.duration ?? "30d"),
              clampDuration: opts.duration === undefined,
              confirm: false,
            },
            progress,
          );
          progress.stop();
          ctx.print(`removed ${path}${version !== undefined ? ` version ${version}` : ""}; file index version ${saved.version}`, {
            removed: sdk.normalizePath(path),
            version,
            indexVersion: saved.version,
            txHash: saved.txHash,
          });
        } finally {
          progress.stop();
          masterKey.fill(0);
        }
      }),
    );
}
