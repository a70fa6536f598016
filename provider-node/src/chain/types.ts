/**
 * What the HTTP upload path needs from the chain, implemented by ChainService. Kept as an
 * interface so the storage/HTTP layer does not import viem.
 */
import type { ShardMeta } from "../storage/shard-store.ts";

export type SlotOffer = {
  requestId: `0x${string}`;
  slot: number;
  shardSize: number;
  root: `0x${string}`;
  cid: string;
  pricePerSlotPeriod: bigint;
  collateralPerSlot: bigint;
};

export interface UploadAuthority {
  /** Throws ApiError (UNKNOWN_REQUEST, SLOT_OUT_OF_RANGE, SLOT_TAKEN, REQUEST_NOT_OPEN, ALREADY_HOLDING, CHAIN_UNAVAILABLE). */
  getSlotOffer(requestId: `0x${string}`, slot: number): Promise<SlotOffer>;
  /** Fill the slot on chain with collateral and a first proof; resolves with the mined tx hash. Throws ApiError FILL_FAILED. */
  fill(meta: ShardMeta, offer: SlotOffer): Promise<`0x${string}`>;
  /** This node's ask for a shard of `size` bytes per period, in token wei. */
  askFor(size: number): bigint;
}
