import type { Command } from "commander";
import { action } from "../program.ts";
import { Contracts, formatBytes, formatTokens, table } from "../chain.ts";
import { rankProviders } from "../select.ts";

export function register(program: Command): void {
  program
    .command("providers")
    .description("list registered storage providers: price, free space, proof record, latency")
    .option("--shard-size <bytes>", "price a shard of this size", "1048576")
    .action(
      action(async (ctx, opts: { shardSize: string }) => {
        const contracts = new Contracts(ctx);
        const ranked = await rankProviders(await contracts.listProviders(), { shardSize: BigInt(opts.shardSize) });
        ctx.print(
          () =>
            ranked.length === 0
              ? "No providers registered."
              : table([
                  ["ADDRESS", "ENDPOINT", "PRICE/SLOT/PERIOD", "FREE", "SLOTS", "PROOFS ok/missed", "SLASHES", "RTT", "STATUS"],
                  ...ranked.map((p) => [
                    p.address,
                    p.httpEndpoint,
                    formatTokens(p.askPerSlotPeriod),
                    formatBytes(p.capacityBytes - p.usedBytes),
                    String(p.activeSlots),
                    `${p.proofsSubmitted}/${p.proofsMissed}`,
                    String(p.slashes),
                    p.latencyMs === undefined ? "-" : `${p.latencyMs.toFixed(0)} ms`,
                    p.eligible ? "ok" : (p.reason ?? ""),
                  ]),
                ]),
          ranked.map((p) => ({
            address: p.address,
            httpEndpoint: p.httpEndpoint,
            multiaddr: p.multiaddr,
            stake: p.stake,
            capacityBytes: p.capacityBytes,
            usedBytes: p.usedBytes,
            pricePerBytePeriod: p.pricePerBytePeriod,
            askPerSlotPeriod: p.askPerSlotPeriod,
            activeSlots: p.activeSlots,
            proofsSubmitted: p.proofsSubmitted,
            proofsMissed: p.proofsMissed,
            slashes: p.slashes,
            repairs: p.repairs,
            latencyMs: p.latencyMs,
            reputation: p.reputation,
            eligible: p.eligible,
            reason: p.reason,
          })),
        );
      }),
    );
}
