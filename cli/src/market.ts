/**
 * Paying for storage, through the sdk's actions (sdk/src/actions): a storage request with the
 * escrow taken by ERC-2612 permit (one transaction, no separate approve), falling back to
 * approve + createRequest for tokens or wallets that cannot sign permits. Also the refund path for
 * requests that never filled. Reverts come back as the sdk's decoded errors.
 */
import type { Hex } from "viem";
import { createStorageRequest, escrowFor, type CreateStorageRequestParameters } from "@tessera/sdk/actions/createStorageRequest";
import { cancelRequest } from "@tessera/sdk/actions/cancelRequest";
import { getBalance } from "@tessera/sdk/actions/getBalance";
import { withdraw } from "@tessera/sdk/actions/withdraw";
import { TransactionFailedError } from "@tessera/sdk/errors/chain";
import type { Context } from "./context.ts";
import { Contracts, type RequestView } from "./chain.ts";
import { CliError, EXIT } from "./errors.ts";

/** What upload.ts asks for (the sdk's parameters, every field given). */
export type RequestParams = Required<
  Pick<CreateStorageRequestParameters, "k" | "m" | "durationPeriods" | "pricePerSlotPeriod" | "collateralPerSlot" | "fillDeadline" | "roots" | "cids">
> & { shardSize: bigint };

export { escrowFor as escrowOf };

export async function createRequest(ctx: Context, params: RequestParams): Promise<{ requestId: Hex; txHash: Hex }> {
  const client = await ctx.tesseraClient();
  const owner = client.walletClient!.account.address;
  const value = escrowFor(params);
  const { token: balance } = await getBalance(client, { account: owner });
  if (balance < value) {
    throw new CliError(`Not enough tokens: the deal costs ${value} wei of TSR, the account ${owner} holds ${balance}.`, {
      exitCode: EXIT.FUNDS,
      hint: "Fund the account (the demo funds its test accounts), shorten --duration or lower the redundancy.",
    });
  }
  const sentBefore = await ctx.publicClient.getTransactionCount({ address: owner, blockTag: "pending" });
  try {
    const { requestId, txHash } = await createStorageRequest(client, { ...params, payment: "permit" });
    return { requestId, txHash };
  } catch (permitError) {
    // Falls back to approve + createRequest only when the permit path failed before sending
    // anything (no permit support, a refused signature, a refused simulation). Once a
    // transaction left the wallet — mined and reverted, or sent and then unconfirmed because the
    // RPC failed — a retry could escrow a second time, so the error is reported instead.
    if (permitError instanceof TransactionFailedError) throw permitError;
    const sentAfter = await ctx.publicClient.getTransactionCount({ address: owner, blockTag: "pending" });
    if (sentAfter !== sentBefore) {
      throw new CliError("The storage request was sent but could not be confirmed; it was not retried, so nothing is paid twice.", {
        exitCode: EXIT.CHAIN,
        hint: "Check `tessera deals`: a request that never fills is refunded in full after its fill deadline (`tessera deals --refund`).",
        cause: permitError,
      });
    }
    const { requestId, txHash } = await createStorageRequest(client, { ...params, payment: "approve" });
    return { requestId, txHash };
  }
}

/** Cancels an unfilled request after its deadline and withdraws the refund. */
export async function refundIfExpired(ctx: Context, requestId: Hex): Promise<{ refunded: boolean; view: RequestView }> {
  const contracts = new Contracts(ctx);
  const view = await contracts.getRequest(requestId);
  const now = (await ctx.publicClient.getBlock()).timestamp;
  if (view.state !== 1 || now <= view.fillDeadline) return { refunded: false, view };
  const client = await ctx.tesseraClient();
  await cancelRequest(client, { requestId });
  const { withdrawable } = await getBalance(client);
  if (withdrawable > 0n) await withdraw(client);
  return { refunded: true, view: await contracts.getRequest(requestId) };
}
