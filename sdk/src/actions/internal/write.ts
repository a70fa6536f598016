/**
 * Send a contract write the same way for every action: simulate first (a revert is reported with
 * a decoded reason before anything is signed), send, wait for the receipt, check its status.
 */
import type {
  Abi,
  Address,
  ContractFunctionArgs,
  ContractFunctionName,
  Hash,
  TransactionReceipt,
} from "viem";
import { requireWallet, type TesseraClient } from "../../client/createTesseraClient.ts";
import { ContractRevertError, TransactionFailedError } from "../../errors/chain.ts";
import { decodeChainError } from "./decodeError.ts";

export type WriteOptions = { signal?: AbortSignal; confirmations?: number };

export async function writeAndWait<
  const abi extends Abi,
  functionName extends ContractFunctionName<abi, "nonpayable" | "payable">,
>(
  client: TesseraClient,
  call: {
    address: Address;
    abi: abi;
    functionName: functionName;
    args: ContractFunctionArgs<abi, "nonpayable" | "payable", functionName>;
  },
  options: WriteOptions = {},
): Promise<{ hash: Hash; receipt: TransactionReceipt; result: unknown }> {
  const { wallet, account } = requireWallet(client, String(call.functionName));
  if (options.signal?.aborted)
    throw decodeChainError(options.signal.reason, String(call.functionName));
  let hash: Hash;
  let result: unknown;
  try {
    const sim = (await client.publicClient.simulateContract({
      ...(call as object),
      account,
    } as never)) as unknown as {
      result: unknown;
      request: Parameters<typeof wallet.writeContract>[0];
    };
    result = sim.result;
    hash = await wallet.writeContract(sim.request);
  } catch (e) {
    throw decodeChainError(e, String(call.functionName));
  }
  let receipt: TransactionReceipt;
  try {
    receipt = await client.publicClient.waitForTransactionReceipt({
      hash,
      confirmations: options.confirmations ?? 1,
    });
  } catch (e) {
    throw decodeChainError(e, String(call.functionName));
  }
  if (receipt.status !== "success")
    throw new TransactionFailedError(hash, String(call.functionName));
  return { hash, receipt, result };
}

export async function readOrThrow<T>(functionName: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw decodeChainError(e, functionName);
  }
}

/**
 * A write that pulls `amount` tokens from the sender: simulated first, and only if the single
 * reason it would fail is the token allowance is the marketplace approved for `amount` (then the
 * call is sent). So a call that would fail for any other reason leaves no allowance behind.
 */
export async function writeWithAllowance<
  const abi extends Abi,
  functionName extends ContractFunctionName<abi, "nonpayable" | "payable">,
>(
  client: TesseraClient,
  call: {
    address: Address;
    abi: abi;
    functionName: functionName;
    args: ContractFunctionArgs<abi, "nonpayable" | "payable", functionName>;
  },
  amount: bigint,
  options: WriteOptions & { approve?: boolean } = {},
): Promise<{ hash: Hash; receipt: TransactionReceipt; result: unknown; approveTxHash?: Hash }> {
  const { account } = requireWallet(client, String(call.functionName));
  if (amount > 0n && options.approve !== false) {
    try {
      await client.publicClient.simulateContract({ ...(call as object), account } as never);
    } catch (e) {
      const decoded = decodeChainError(e, String(call.functionName));
      if (!(
        decoded instanceof ContractRevertError && decoded.errorName === "ERC20InsufficientAllowance"
      ))
        throw decoded;
      const { ensureAllowance } = await import("./ensureAllowance.ts");
      const approveTxHash = await ensureAllowance(client, amount, options);
      const sent = await writeAndWait(client, call, options);
      return approveTxHash ? { ...sent, approveTxHash } : sent;
    }
  }
  return writeAndWait(client, call, options);
}
