/**
 * Create a storage request: escrow `n · pricePerSlotPeriod · durationPeriods` tokens and publish the
 * shard roots (and CIDs, in the RequestCreated event) so providers can fill the n = k + m slots.
 * Payment: `"permit"` (default; one transaction, an EIP-2612 signature) or `"approve"` (approve, then
 * create). If the allowance already covers the escrow neither is needed.
 */
import { parseEventLogs, type Hash, type Hex } from "viem";
import { marketplaceAbi, tesseraTokenAbi } from "../generated/abis.ts";
import { requireWallet, type TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError, ContractRevertError, WalletRequiredError } from "../errors/chain.ts";
import { decodeChainError } from "./internal/decodeError.ts";
import {
  readOrThrow,
  writeAndWait,
  writeWithAllowance,
  type WriteOptions,
} from "./internal/write.ts";
import type { RequestId } from "./types.ts";

export type CreateStorageRequestParameters = {
  k: number;
  m: number;
  shardSize: bigint | number;
  durationPeriods: number;
  pricePerSlotPeriod: bigint;
  collateralPerSlot: bigint;
  /** Unix seconds by which all slots must be filled. Default: now + 1 hour (chain time). */
  fillDeadline?: bigint;
  /** n = k + m shard Merkle roots (bytes16 hex), data shards first. */
  roots: readonly Hex[];
  /** n shard CIDs (emitted in the event for providers), or empty. */
  cids?: readonly string[];
  payment?: "permit" | "approve";
  /** Permit signature validity, seconds (default 1 hour). */
  permitTtlSeconds?: number;
};

export type CreateStorageRequestReturnType = {
  requestId: RequestId;
  txHash: Hash;
  escrow: bigint;
  approveTxHash?: Hash;
};
export type CreateStorageRequestErrorType = ContractRevertError | ChainError | WalletRequiredError;

export function escrowFor(p: {
  k: number;
  m: number;
  pricePerSlotPeriod: bigint;
  durationPeriods: number;
}): bigint {
  return BigInt(p.k + p.m) * p.pricePerSlotPeriod * BigInt(p.durationPeriods);
}

export async function createStorageRequest(
  client: TesseraClient,
  parameters: CreateStorageRequestParameters,
  options: WriteOptions & {
    onProgress?: (event: {
      type: "request:approve" | "request:permit" | "request:create";
      hash?: Hash;
    }) => void;
  } = {},
): Promise<CreateStorageRequestReturnType> {
  const { wallet, account, address: owner } = requireWallet(client, "createStorageRequest");
  const { Marketplace: market, TesseraToken: token } = client.addresses;
  const escrow = escrowFor(parameters);
  const block = await readOrThrow("getBlock", () => client.publicClient.getBlock());
  const p = {
    k: parameters.k,
    m: parameters.m,
    shardSize: BigInt(parameters.shardSize),
    durationPeriods: parameters.durationPeriods,
    pricePerSlotPeriod: parameters.pricePerSlotPeriod,
    collateralPerSlot: parameters.collateralPerSlot,
    fillDeadline: parameters.fillDeadline ?? block.timestamp + 3600n,
    roots: parameters.roots,
    cids: parameters.cids ?? [],
  } as const;

  const allowance = await readOrThrow("allowance", () =>
    client.publicClient.readContract({
      address: token,
      abi: tesseraTokenAbi,
      functionName: "allowance",
      args: [owner, market],
    }),
  );
  let approveTxHash: Hash | undefined;
  let result: { hash: Hash; receipt: Awaited<ReturnType<typeof writeAndWait>>["receipt"] };
  if (allowance < escrow && (parameters.payment ?? "permit") === "permit") {
    options.onProgress?.({ type: "request:permit" });
    const deadline = block.timestamp + BigInt(parameters.permitTtlSeconds ?? 3600);
    const [nonce, domain] = await readOrThrow("permit domain", () =>
      Promise.all([
        client.publicClient.readContract({
          address: token,
          abi: tesseraTokenAbi,
          functionName: "nonces",
          args: [owner],
        }),
        client.publicClient.readContract({
          address: token,
          abi: tesseraTokenAbi,
          functionName: "eip712Domain",
        }),
      ]),
    );
    let signature: Hex;
    try {
      signature = await wallet.signTypedData({
        account,
        domain: {
          name: domain[1],
          version: domain[2],
          chainId: Number(domain[3]),
          verifyingContract: domain[4],
        },
        types: {
          Permit: [
            { name: "owner", type: "address" },
            { name: "spender", type: "address" },
            { name: "value", type: "uint256" },
            { name: "nonce", type: "uint256" },
            { name: "deadline", type: "uint256" },
          ],
        },
        primaryType: "Permit",
        message: { owner, spender: market, value: escrow, nonce, deadline },
      });
    } catch (e) {
      throw decodeChainError(e, "permit");
    }
    const r = `0x${signature.slice(2, 66)}` as Hex;
    const s = `0x${signature.slice(66, 130)}` as Hex;
    const v = Number.parseInt(signature.slice(130, 132), 16);
    options.onProgress?.({ type: "request:create" });
    result = await writeAndWait(
      client,
      {
        address: market,
        abi: marketplaceAbi,
        functionName: "createRequestWithPermit",
        args: [p, deadline, v < 27 ? v + 27 : v, r, s],
      },
      options,
    );
  } else {
    // Approves only if the request is otherwise valid (simulated first): a refused request leaves no allowance.
    if (allowance < escrow) options.onProgress?.({ type: "request:approve" });
    const sent = await writeWithAllowance(
      client,
      { address: market, abi: marketplaceAbi, functionName: "createRequest", args: [p] },
      escrow,
      options,
    );
    approveTxHash = sent.approveTxHash;
    result = sent;
  }
  const [event] = parseEventLogs({
    abi: marketplaceAbi,
    eventName: "RequestCreated",
    logs: result.receipt.logs,
  });
  if (!event)
    throw decodeChainError(
      new Error(`no RequestCreated event in ${result.hash}`),
      "createStorageRequest",
    );
  options.onProgress?.({ type: "request:create", hash: result.hash });
  return {
    requestId: event.args.id,
    txHash: result.hash,
    escrow,
    ...(approveTxHash ? { approveTxHash } : {}),
  };
}
