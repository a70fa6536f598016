/**
 * The parameters a request was created with, from its `RequestCreated` event — the only place the
 * shard CIDs are published (they are not kept in contract storage). Searches from the deployment
 * block (`addresses.deployBlock`) unless `fromBlock` is given.
 */
import type { Address, Hex } from "viem";
import { marketplaceAbi } from "../generated/abis.ts";
import type { TesseraClient } from "../client/createTesseraClient.ts";
import { ChainError } from "../errors/chain.ts";
import { readOrThrow } from "./internal/write.ts";
import type { RequestId } from "./types.ts";

export type GetRequestCreatedParameters = { requestId: RequestId; fromBlock?: bigint };
export type GetRequestCreatedReturnType = {
  requestId: RequestId;
  client: Address;
  blockNumber: bigint;
  transactionHash: Hex;
  k: number;
  m: number;
  shardSize: bigint;
  durationPeriods: number;
  pricePerSlotPeriod: bigint;
  collateralPerSlot: bigint;
  fillDeadline: bigint;
  roots: readonly Hex[];
  cids: readonly string[];
};
export type GetRequestCreatedErrorType = ChainError;

export async function getRequestCreated(
  client: TesseraClient,
  { requestId, fromBlock }: GetRequestCreatedParameters,
): Promise<GetRequestCreatedReturnType> {
  const logs = await readOrThrow("getContractEvents", () =>
    client.publicClient.getContractEvents({
      address: client.addresses.Marketplace,
      abi: marketplaceAbi,
      eventName: "RequestCreated",
      args: { id: requestId },
      fromBlock: fromBlock ?? BigInt(client.addresses.deployBlock ?? 0),
      toBlock: "latest",
      strict: true,
    }),
  );
  const log = logs[0];
  if (!log)
    throw new ChainError(
      `No RequestCreated event for request ${requestId} on chain ${client.chainId}.`,
    );
  const { id, client: owner, params } = log.args;
  return {
    requestId: id,
    client: owner,
    blockNumber: log.blockNumber,
    transactionHash: log.transactionHash,
    ...params,
  };
}
