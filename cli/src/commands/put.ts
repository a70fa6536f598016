import { readdirSync, statSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { parseUnits } from "viem";
import { action } from "../program.ts";
import { formatBytes, formatTokens } from "../chain.ts";
import { parseDuration, parseRedundancy } from "../duration.ts";
import { CliError, EXIT } from "../errors.ts";
import { unlockMasterKey } from "../keystore.ts";

type PutOptions = {
  redundancy: string;
  duration?: string;
  maxPrice?: string;
  as?: string;
  fillWindow: string;
  stallTimeout: string;
};

/** Files under a directory, depth-first, sorted (symlinks are not followed). */
function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

export function register(program: Command): void {
  program
    .command("put")
    .description("encrypt, erasure-code and store a file (or every file of a directory) with storage providers")
    .argument("<file|dir>", "what to store")
    .option("-r, --redundancy <k+m>", "data + parity shards: any k of the k+m rebuild the file", "4+2")
    .option("-d, --duration <time>", "how long to store it: 30d, 12h, 2w, or a number of periods like 40p (default 30d, capped at the chain's maximum)")
    .option("--max-price <tokens>", "highest price per shard per period you accept, in tokens (e.g. 0.001)")
    .option("--as <path>", "path in your file index (default: the file name; for a directory, its name)")
    .option("--fill-window <time>", "how long providers have to take the shards before you can cancel for a refund", "1h")
    .option("--stall-timeout <seconds>", "move a shard to another provider after this long without progress", "60")
    .addHelpText(
      "after",
      `
Examples:
  tessera put report.pdf --redundancy 4+2 --duration 30d --yes
  tessera put photos/ --as backup/photos --max-price 0.01

Costs are shown before paying (confirm, or pass --yes / TESSERA_YES=1). The escrow is taken with an
ERC-2612 permit in the request transaction. If the upload is interrupted, run the same command again
to finish it; an unfilled request is refunded after the fill window (tessera deals --refund).`,
    )
    .action(
      action(async (ctx, target: string, opts: PutOptions) => {
        const { k, m } = parseRedundancy(opts.redundancy);
        const duration = parseDuration(opts.duration ?? "30d");
        const fillWindow = parseDuration(opts.fillWindow);
        if (!("seconds" in fillWindow)) throw new CliError("--fill-window takes a time (e.g. 1h), not periods.", { exitCode: EXIT.USAGE });
        const source = resolve(target);
        let stat;
        try {
          stat = statSync(source);
        } catch {
          throw new CliError(`No such file or directory: ${target}`, { exitCode: EXIT.NOT_FOUND });
        }
        const entries = stat.isDirectory()
          ? walk(source).map((file) => ({ source: file, remotePath: `${opts.as ?? basename(source)}/${relative(source, file)}` }))
          : [{ source, remotePath: opts.as ?? basename(source) }];
        if (entries.length === 0) throw new CliError(`${target} has no files.`, { exitCode: EXIT.NOT_FOUND });
        const maxPrice = opts.maxPrice !== undefined ? parseUnits(opts.maxPrice, 18) : undefined;
        const { putFiles } = await import("../files.ts");
        const masterKey = await unlockMasterKey(ctx);
        try {
          const result = await putFiles(ctx, masterKey, entries, {
            k,
            m,
            duration,
            clampDuration: opts.duration === undefined,
            maxPricePerSlotPeriod: maxPrice,
            fillWindowSeconds: fillWindow.seconds,
            confirm: true,
            stallMs: Number(opts.stallTimeout) * 1000,
          });
          ctx.print(
            () =>
              [
                ...result.files.map(
                  (f) =>
                    `stored ${f.path} (version ${f.version}, ${formatBytes(f.size)}) — deal ${f.requestId}, ` +
                    `${f.durationPeriods} periods, ${formatTokens(f.escrow)} TSR${f.resumed ? " (resumed)" : ""}`,
                ),
                `file index version ${result.index.version} recorded on chain (tx ${result.index.txHash})`,
              ].join("\n"),
            result,
          );
        } finally {
          masterKey.fill(0);
        }
      }),
    );
}
