/**
 * Choosing providers for an upload: only registered providers with a reachable HTTP endpoint,
 * enough free capacity for one shard and an ask within the client's price; ranked by a score
 * that prefers a low price, a clean proof record, more free space and a low round-trip time.
 * The list is returned best-first; the uploader takes the first n and falls back to the rest
 * when one fails or is slow.
 */
import type { Address } from "viem";
import type { ProviderView } from "./chain.ts";

export type RankedProvider = ProviderView & {
  address: Address;
  latencyMs: number | undefined;
  /** This provider's ask for one slot for one period: pricePerBytePeriod × shardSize. */
  askPerSlotPeriod: bigint;
  reputation: number;
  score: number;
  eligible: boolean;
  reason?: string;
};

/** Round-trip time of GET /status, or undefined when the endpoint does not answer in time. */
export async function pingProvider(endpoint: string, timeoutMs = 2000): Promise<number | undefined> {
  const started = performance.now();
  try {
    const response = await fetch(new URL("/status", endpoint), { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.ok ? performance.now() - started : undefined;
  } catch {
    return undefined;
  }
}

/** 1.0 for a perfect record, lower with missed proofs and slashes. */
export function reputationOf(p: ProviderView): number {
  const proofs = Number(p.proofsSubmitted) + Number(p.proofsMissed);
  const proofRate = proofs === 0 ? 1 : Number(p.proofsSubmitted) / proofs;
  return proofRate / (1 + Number(p.slashes)) / (1 + Number(p.consecutiveMisses));
}

export async function rankProviders(
  providers: Array<ProviderView & { address: Address }>,
  options: { shardSize: bigint; maxPricePerSlotPeriod?: bigint; exclude?: ReadonlySet<string> },
): Promise<RankedProvider[]> {
  const latencies = await Promise.all(providers.map((p) => (p.registered && p.httpEndpoint ? pingProvider(p.httpEndpoint) : undefined)));
  const ranked = providers.map((p, i): RankedProvider => {
    const latencyMs = latencies[i];
    const ask = p.pricePerBytePeriod * options.shardSize;
    const free = p.capacityBytes - p.usedBytes;
    const reputation = reputationOf(p);
    let reason: string | undefined;
    if (!p.registered) reason = "not registered";
    else if (options.exclude?.has(p.address.toLowerCase())) reason = "excluded";
    else if (latencyMs === undefined) reason = "endpoint unreachable";
    else if (free < options.shardSize) reason = "not enough free capacity";
    else if (options.maxPricePerSlotPeriod !== undefined && ask > options.maxPricePerSlotPeriod) reason = "price above --max-price";
    // Lower is better for price and latency, higher for reputation and free space; each term is
    // normalised to roughly [0, 1] so none dominates.
    const priceTerm = Number(ask) / Number(maxBig(providers.map((q) => q.pricePerBytePeriod * options.shardSize), 1n));
    const latencyTerm = Math.min((latencyMs ?? 5000) / 500, 1);
    const freeTerm = Number(free) / Number(maxBig(providers.map((q) => q.capacityBytes - q.usedBytes), 1n));
    const score = 2 * reputation + freeTerm * 0.5 - priceTerm - latencyTerm * 0.5;
    return { ...p, latencyMs, askPerSlotPeriod: ask, reputation, score, eligible: reason === undefined, reason };
  });
  return ranked.sort((a, b) => Number(b.eligible) - Number(a.eligible) || b.score - a.score);
}

function maxBig(values: bigint[], floor: bigint): bigint {
  return values.reduce((a, b) => (b > a ? b : a), floor);
}
