import type { Command } from "commander";
import type { Hex } from "viem";
import { getBalance } from "@tessera/sdk/actions/getBalance";
import { withdraw } from "@tessera/sdk/actions/withdraw";
import { action } from "../program.ts";
import { Contracts, REQUEST_STATES, SLOT_STATES, formatBytes, formatTokens, table } from "../chain.ts";

export function register(program: Command): void {
  program
    .command("deals")
    .description("list this account's storage requests and their state (open, started, cancelled, failed)")
    .option("--slots", "show every slot's provider and state")
    .option("--refund", "cancel this account's requests that were not filled by their deadline and withdraw the refund")
    .action(
      action(async (ctx, opts: { slots?: boolean; refund?: boolean }) => {
        const contracts = new Contracts(ctx);
        const account = await ctx.account();
        const refunded: Hex[] = [];
        if (opts.refund) {
          const { refundIfExpired } = await import("../market.ts");
          const { dropPending, listPending } = await import("../upload.ts");
          for (const r of await contracts.requestsOf(account.address)) {
            const result = await refundIfExpired(ctx, r.id);
            if (result.refunded) {
              refunded.push(r.id);
              if (listPending(ctx).some((p) => p.requestId === r.id)) dropPending(ctx, r.id);
            }
          }
          // Anything left in the marketplace (refunds of cancelled or failed requests) goes home too.
          const client = await ctx.tesseraClient();
          const { withdrawable } = await getBalance(client, { account: account.address });
          if (withdrawable > 0n) await withdraw(client);
        }
        const [requests, currentPeriod] = await Promise.all([
          contracts.requestsOf(account.address),
          contracts.currentPeriod(),
        ]);
        const deals = await Promise.all(
          requests.map(async (r) => {
            const view = await contracts.getRequest(r.id);
            const n = view.k + view.m;
            const slots = opts.slots
              ? await Promise.all(Array.from({ length: n }, (_, i) => contracts.getSlot(r.id as Hex, i)))
              : undefined;
            return {
              id: r.id,
              state: REQUEST_STATES[view.state] ?? String(view.state),
              k: view.k,
              m: view.m,
              filled: view.filled,
              freed: view.freed,
              shardSize: view.shardSize,
              durationPeriods: view.durationPeriods,
              startPeriod: view.startPeriod,
              endPeriod: view.endPeriod,
              fillDeadline: view.fillDeadline,
              pricePerSlotPeriod: view.pricePerSlotPeriod,
              escrow: view.escrow,
              createdAtBlock: r.blockNumber,
              slots: slots?.map((s, i) => ({
                slot: i,
                state: SLOT_STATES[s.state] ?? String(s.state),
                provider: s.provider,
                misses: s.misses,
                collateral: s.collateral,
              })),
            };
          }),
        );
        ctx.print(
          () => {
            if (deals.length === 0) return "No storage requests for this account.";
            const refundLines = refunded.map((id) => `refunded ${id} (cancelled: not filled by its deadline)`);
            const lines = [
              table([
                ["REQUEST", "STATE", "K+M", "FILLED", "SHARD", "PERIODS", "ESCROW"],
                ...deals.map((d) => [
                  d.id,
                  d.state,
                  `${d.k}+${d.m}`,
                  `${d.filled}/${d.k + d.m}${d.freed ? ` (${d.freed} freed)` : ""}`,
                  formatBytes(d.shardSize),
                  d.state === "started" ? `${d.startPeriod}–${d.endPeriod} (now ${currentPeriod})` : `${d.durationPeriods}`,
                  formatTokens(d.escrow),
                ]),
              ]),
            ];
            if (opts.slots) {
              for (const d of deals) {
                lines.push("", d.id);
                for (const s of d.slots ?? []) lines.push(`  slot ${s.slot}  ${s.state.padEnd(6)}  ${s.provider}  misses ${s.misses}`);
              }
            }
            return [...refundLines, ...lines].join("\n");
          },
          { currentPeriod, deals, refunded },
        );
      }),
    );
}
