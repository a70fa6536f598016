/**
 * Storing encoded shards: price the deal against the providers that can take it, pay (permit),
 * then upload every shard to its own provider, moving a slot to the next-best provider when one
 * refuses, fails or stalls — without restarting the other uploads.
 *
 *   shards on disk ─► rank providers ─► quote + confirm ─► createRequestWithPermit
 *                  ─► n parallel uploads (PUT /v1/requests/:id/slots/:slot) with failover
 *                  ─► request started (all n slots filled on chain)
 *
 * A pending-upload record ($TESSERA_HOME/pending/<requestId>.json) is written before any token
 * moves, so a client killed mid-upload can resume (`tessera put` again) or be refunded after the
 * fill deadline (`tessera deals --refund`).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Address, Hex } from "viem";
import type { Context } from "./context.ts";
import { jsonReplacer } from "./context.ts";
import { Contracts, formatTokens } from "./chain.ts";
import { CliError, EXIT } from "./errors.ts";
import { createRequest, escrowOf } from "./market.ts";
import type { Progress } from "./progress.ts";
import { rankProviders, type RankedProvider } from "./select.ts";
import { ProviderRequestError, uploadShard } from "./transport.ts";

export type ShardOnDisk = { index: number; file: string; size: number; root: Hex; cid: string };

export type StoreOptions = {
  k: number;
  m: number;
  shardSize: number;
  shards: ShardOnDisk[];
  duration: { seconds: number } | { periods: number };
  /** Use the chain's maximum when `duration` is longer (for the default duration). */
  clampDuration?: boolean;
  /** Highest acceptable price per slot per period (token wei). */
  maxPricePerSlotPeriod?: bigint;
  /** Seconds the providers have to fill every slot before the client may cancel for a refund. */
  fillWindowSeconds?: number;
  /** Shown in the confirmation and stored in the pending record. */
  label: string;
  /** Extra data kept in the pending record so an interrupted upload can be finished. */
  resume?: unknown;
  confirm: boolean;
  progress?: Progress;
  stallMs?: number;
};

export type StoredSlot = { slot: number; provider: Address; endpoint: string; txHash?: Hex };

export type StoreResult = {
  requestId: Hex;
  createTx: Hex;
  durationPeriods: number;
  pricePerSlotPeriod: bigint;
  escrow: bigint;
  slots: StoredSlot[];
};

export type PendingUpload = {
  requestId: Hex;
  label: string;
  createdAt: string;
  shards: ShardOnDisk[];
  k: number;
  m: number;
  shardSize: number;
  durationPeriods: number;
  pricePerSlotPeriod: string;
  escrow: string;
  slots: StoredSlot[];
  resume?: unknown;
};

/** Seconds per block, measured over the last blocks (the local demo mines about 1 block/s). */
export async function secondsPerBlock(ctx: Context): Promise<number> {
  const latest = await ctx.publicClient.getBlock();
  const span = latest.number > 200n ? 200n : latest.number;
  if (span < 5n) return 2;
  const earlier = await ctx.publicClient.getBlock({ blockNumber: latest.number - span });
  const perBlock = Number(latest.timestamp - earlier.timestamp) / Number(span);
  return perBlock > 0 ? perBlock : 2;
}

export async function durationToPeriods(ctx: Context, duration: StoreOptions["duration"]): Promise<number> {
  if ("periods" in duration) return duration.periods;
  const contracts = new Contracts(ctx);
  const periodBlocks = Number((await contracts.marketInfo()).periodBlocks);
  const periodSeconds = periodBlocks * (await secondsPerBlock(ctx));
  return Math.max(1, Math.ceil(duration.seconds / periodSeconds));
}

export function pendingDir(ctx: Context): string {
  const dir = ctx.path("pending");
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function listPending(ctx: Context): PendingUpload[] {
  const dir = pendingDir(ctx);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as PendingUpload);
}

function savePending(ctx: Context, pending: PendingUpload): void {
  writeFileSync(join(pendingDir(ctx), `${pending.requestId}.json`), JSON.stringify(pending, jsonReplacer, 2));
}

export function dropPending(ctx: Context, requestId: Hex): void {
  rmSync(join(pendingDir(ctx), `${requestId}.json`), { force: true });
}

/** Quote, pay and upload. */
export async function storeShards(ctx: Context, options: StoreOptions): Promise<StoreResult> {
  const contracts = new Contracts(ctx);
  const n = options.k + options.m;
  const shardSize = BigInt(options.shardSize);
  const [params, requestedPeriods, providers] = await Promise.all([
    contracts.marketInfo().then((info) => info.params),
    durationToPeriods(ctx, options.duration),
    contracts.listProviders(),
  ]);
  let durationPeriods = requestedPeriods;
  if (shardSize > params.maxShardSize) {
    throw new CliError(`Each shard would be ${shardSize} bytes, above the protocol maximum of ${params.maxShardSize}.`, {
      exitCode: EXIT.USAGE,
      hint: "Use more data shards (--redundancy with a larger k), or split the file.",
    });
  }
  if (options.clampDuration && durationPeriods > Number(params.maxDurationPeriods)) {
    durationPeriods = Number(params.maxDurationPeriods);
    ctx.info(`(the default duration is longer than this chain allows: using the maximum, ${durationPeriods} periods)`);
  }
  if (durationPeriods > Number(params.maxDurationPeriods)) {
    throw new CliError(`The duration is ${durationPeriods} periods, above the maximum of ${params.maxDurationPeriods}.`, {
      exitCode: EXIT.USAGE,
    });
  }
  const ranked = await rankProviders(providers, { shardSize, maxPricePerSlotPeriod: options.maxPricePerSlotPeriod });
  const eligible = ranked.filter((p) => p.eligible);
  if (eligible.length < n) {
    const why = ranked
      .filter((p) => !p.eligible)
      .map((p) => `${p.address} (${p.reason})`)
      .join(", ");
    throw new CliError(
      `Only ${eligible.length} provider(s) can take a ${shardSize}-byte shard now; ${options.k}+${options.m} needs ${n} distinct providers.`,
      {
        exitCode: eligible.length === 0 && providers.length > 0 && options.maxPricePerSlotPeriod !== undefined ? EXIT.FUNDS : EXIT.UNAVAILABLE,
        hint: `Lower the redundancy, raise --max-price, or wait for providers.${why ? ` Not eligible: ${why}` : ""}`,
      },
    );
  }
  // Offer the n-th best provider's ask: every provider chosen first accepts it, and it leaves
  // room for the fallbacks that ask no more.
  const chosen = eligible.slice(0, n);
  const pricePerSlotPeriod = chosen.reduce((max, p) => (p.askPerSlotPeriod > max ? p.askPerSlotPeriod : max), 1n);
  const fallbacks = eligible.slice(n).filter((p) => p.askPerSlotPeriod <= pricePerSlotPeriod);
  const escrow = escrowOf({ k: options.k, m: options.m, durationPeriods, pricePerSlotPeriod });
  const symbol = await contracts.read<string>("TesseraToken", "symbol").catch(() => "TSR");
  ctx.info(
    `${options.label}: ${options.k}+${options.m} shards of ${shardSize} bytes for ${durationPeriods} periods at ` +
      `${formatTokens(pricePerSlotPeriod)} ${symbol} per slot-period = ${formatTokens(escrow)} ${symbol} (escrowed now; ` +
      `unproven periods are refunded)`,
  );
  if (options.confirm) await ctx.confirm(`Pay ${formatTokens(escrow)} ${symbol} to store ${options.label}?`);

  const now = (await ctx.publicClient.getBlock()).timestamp;
  const fillDeadline = now + BigInt(options.fillWindowSeconds ?? 3600);
  const { requestId, txHash: createTx } = await createRequest(ctx, {
    k: options.k,
    m: options.m,
    shardSize,
    durationPeriods,
    pricePerSlotPeriod,
    collateralPerSlot: pricePerSlotPeriod * BigInt(durationPeriods),
    fillDeadline,
    roots: options.shards.map((s) => s.root),
    cids: options.shards.map((s) => s.cid),
  });
  const pending: PendingUpload = {
    requestId,
    label: options.label,
    createdAt: new Date().toISOString(),
    shards: options.shards,
    k: options.k,
    m: options.m,
    shardSize: options.shardSize,
    durationPeriods,
    pricePerSlotPeriod: pricePerSlotPeriod.toString(),
    escrow: escrow.toString(),
    slots: [],
    resume: options.resume,
  };
  savePending(ctx, pending);
  options.progress?.log(`storage request ${requestId} (tx ${createTx})`);

  const slots = await uploadSlots(ctx, pending, [...chosen, ...fallbacks], options);
  return { requestId, createTx, durationPeriods, pricePerSlotPeriod, escrow, slots };
}

/**
 * Uploads every slot that is not yet filled on chain. Each slot takes the best provider nobody
 * else is using; on failure it moves to the next unused one. Providers that already hold a
 * slot of this request are skipped (the contract allows one slot per provider).
 */
export async function uploadSlots(
  ctx: Context,
  pending: PendingUpload,
  candidates: RankedProvider[],
  options: { progress?: Progress; stallMs?: number },
): Promise<StoredSlot[]> {
  const contracts = new Contracts(ctx);
  const n = pending.k + pending.m;
  const slotViews = await Promise.all(Array.from({ length: n }, (_, i) => contracts.getSlot(pending.requestId, i)));
  const holders = new Set(slotViews.filter((s) => s.state === 1).map((s) => s.provider.toLowerCase()));
  const done: StoredSlot[] = slotViews.flatMap((s, i) =>
    s.state === 1 ? [{ slot: i, provider: s.provider, endpoint: candidates.find((c) => c.address === s.provider)?.httpEndpoint ?? "" }] : [],
  );
  const queue = candidates.filter((c) => !holders.has(c.address.toLowerCase()));
  const failures: string[] = [];
  const attempts = new Map<string, number>();
  const takeProvider = (): RankedProvider | undefined => queue.shift();
  /** Errors after which the same provider may succeed on a second try (and nothing was stored). */
  const retryable = (error: unknown) =>
    error instanceof ProviderRequestError &&
    ["FILL_FAILED", "BUSY", "NETWORK", "STALLED", "CHAIN_UNAVAILABLE", "UNKNOWN_REQUEST", "HTTP_ERROR"].includes(error.code);

  const uploadOne = async (slot: number): Promise<void> => {
    const shard = pending.shards[slot]!;
    for (;;) {
      const provider = takeProvider();
      if (!provider) {
        throw new CliError(`No provider left for shard ${slot} of ${pending.requestId}.`, {
          exitCode: EXIT.UNAVAILABLE,
          hint: `Tried: ${failures.join("; ")}. Run \`tessera put\` again later to resume this upload (nothing is lost: an unfilled request is refunded after its fill deadline with \`tessera deals --refund\`).`,
        });
      }
      const key = provider.address.toLowerCase();
      attempts.set(key, (attempts.get(key) ?? 0) + 1);
      try {
        const result = await uploadShard(provider.httpEndpoint, pending.requestId, slot, shard.file, shard.size, {
          stallMs: options.stallMs,
          onProgress: (bytes) => options.progress?.update(`upload:${slot}`, `upload shard ${slot}`, bytes, shard.size),
        });
        options.progress?.update(`upload:${slot}`, `upload shard ${slot}`, shard.size, shard.size);
        const stored: StoredSlot = { slot, provider: provider.address, endpoint: provider.httpEndpoint, txHash: result.txHash };
        done.push(stored);
        pending.slots = done;
        savePending(ctx, pending);
        return;
      } catch (error) {
        const message = error instanceof ProviderRequestError ? error.message : `${provider.httpEndpoint}: ${(error as Error).message}`;
        failures.push(`shard ${slot} → ${message}`);
        // The slot may have been filled anyway (e.g. the response was lost): check the chain.
        const view = await contracts.getSlot(pending.requestId, slot).catch(() => undefined);
        if (view?.state === 1) {
          done.push({ slot, provider: view.provider, endpoint: provider.httpEndpoint });
          return;
        }
        if (retryable(error) && (attempts.get(key) ?? 0) < 3) {
          // A transient failure: give the provider another chance after the others.
          queue.push(provider);
          options.progress?.log(`shard ${slot}: ${message}; retrying (another provider first if one is free)`);
          await new Promise((r) => setTimeout(r, 1000 * (attempts.get(key) ?? 1)));
        } else {
          options.progress?.log(`shard ${slot}: ${message}; trying another provider`);
        }
      }
    }
  };

  const open = slotViews.flatMap((s, i) => (s.state === 1 ? [] : [i]));
  const results = await Promise.allSettled(open.map((slot) => uploadOne(slot)));
  const failed = results.flatMap((r) => (r.status === "rejected" ? [r.reason as Error] : []));
  if (failed.length > 0) throw failed[0]!;
  const request = await contracts.getRequest(pending.requestId);
  if (request.filled < n) {
    throw new CliError(`Only ${request.filled} of ${n} slots of ${pending.requestId} are filled.`, { exitCode: EXIT.UNAVAILABLE });
  }
  dropPending(ctx, pending.requestId);
  return done.sort((a, b) => a.slot - b.slot);
}
