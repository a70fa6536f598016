/**
 * Paying for storage: a storage request with the escrow taken by ERC-2612 permit (one
 * transaction, no separate approve), falling back to approve + createRequest for tokens or
 * wallets that cannot sign permits. Also the refund path for requests that never filled.
 */
import { decodeEventLog, parseSignature, type Address, type Hex } from "viem";
import type { Context } from "./context.ts";
import { Contracts, type RequestView } from "./chain.ts";
import { CliError, EXIT } from "./errors.ts";

export type RequestParams = {
  k: number;
  m: number;
  shardSize: bigint;
  durationPeriods: number;
  pricePerSlotPeriod: bigint;
  collateralPerSlot: bigint;
  fillDeadline: bigint;
  roots: Hex[];
  cids: string[];
};

export function escrowOf(p: Pick<RequestParams, "k" | "m" | "durationPeriods" | "pricePerSlotPeriod">): bigint {
  return BigInt(p.k + p.m) * p.pricePerSlotPeriod * BigInt(p.durationPeriods);
}

export async function createRequest(ctx: Context, params: RequestParams): Promise<{ requestId: Hex; txHash: Hex }> {
  const deployment = await ctx.deployment();
  const wallet = await ctx.walletClient();
  const owner = wallet.account.address;
  const contracts = new Contracts(ctx);
  const [tokenAbi, marketAbi] = await Promise.all([ctx.abi("TesseraToken"), ctx.abi("Marketplace")]);
  const value = escrowOf(params);
  const balance = await contracts.read<bigint>("TesseraToken", "balanceOf", [owner]);
  if (balance < value) {
    throw new CliError(`Not enough tokens: the deal costs ${value} wei of TSR, the account ${owner} holds ${balance}.`, {
      exitCode: EXIT.FUNDS,
      hint: "Fund the account (the demo funds its test accounts), shorten --duration or lower the redundancy.",
    });
  }
  let txHash: Hex;
  try {
    const [domain, nonce] = await Promise.all([
      contracts.read<readonly [Hex, string, string, bigint, Address]>("TesseraToken", "eip712Domain"),
      contracts.read<bigint>("TesseraToken", "nonces", [owner]),
    ]);
    const block = await ctx.publicClient.getBlock();
    const deadline = block.timestamp + 3600n;
    const signature = await wallet.signTypedData({
      account: wallet.account,
      domain: { name: domain[1], version: domain[2], chainId: Number(domain[3]), verifyingContract: domain[4] },
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
      message: { owner, spender: deployment.Marketplace, value, nonce, deadline },
    });
    const { v, r, s, yParity } = parseSignature(signature);
    txHash = await wallet.writeContract({
      address: deployment.Marketplace,
      abi: marketAbi,
      functionName: "createRequestWithPermit",
      account: wallet.account,
      args: [params, deadline, Number(v ?? BigInt(yParity + 27)), r, s],
      chain: null,
    });
  } catch (permitError) {
    if (permitError instanceof CliError) throw permitError;
    // Fallback: approve + createRequest.
    const allowance = await contracts.read<bigint>("TesseraToken", "allowance", [owner, deployment.Marketplace]);
    if (allowance < value) {
      await contracts.write("TesseraToken", "approve", [deployment.Marketplace, value]);
    }
    txHash = await wallet.writeContract({
      address: deployment.Marketplace,
      abi: marketAbi,
      functionName: "createRequest",
      args: [params],
      account: wallet.account,
      chain: null,
    });
  }
  const receipt = await ctx.publicClient.waitForTransactionReceipt({ hash: txHash, pollingInterval: 200 });
  if (receipt.status !== "success") throw new CliError(`The storage request transaction ${txHash} reverted.`);
  for (const log of receipt.logs) {
    try {
      const event = decodeEventLog({ abi: marketAbi, data: log.data, topics: log.topics });
      if (event.eventName === "RequestCreated") return { requestId: (event.args as unknown as { id: Hex }).id, txHash };
    } catch {
      /* another contract's event */
    }
  }
  throw new CliError(`No RequestCreated event in ${txHash}.`);
}

/** Cancels an unfilled request after its deadline and withdraws the refund. */
export async function refundIfExpired(ctx: Context, requestId: Hex): Promise<{ refunded: boolean; view: RequestView }> {
  const contracts = new Contracts(ctx);
  const view = await contracts.getRequest(requestId);
  const now = (await ctx.publicClient.getBlock()).timestamp;
  if (view.state !== 1 || now <= view.fillDeadline) return { refunded: false, view };
  await contracts.write("Marketplace", "cancelRequest", [requestId]);
  const account = await ctx.account();
  const balance = await contracts.read<bigint>("Marketplace", "balanceOf", [account.address]);
  if (balance > 0n) await contracts.write("Marketplace", "withdraw");
  return { refunded: true, view: await contracts.getRequest(requestId) };
}
