/**
 * Turn viem errors into Tessera errors: a revert with a decoded custom error becomes a
 * ContractRevertError with a short sentence (revertMessages.ts); anything else a ChainError.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  UserRejectedRequestError,
  type Abi,
  type Hex,
} from "viem";
import { fileIndexAbi, marketplaceAbi, tesseraTokenAbi } from "../../generated/abis.ts";
import { ChainError, ContractRevertError } from "../../errors/chain.ts";
import { TesseraError } from "../../errors/base.ts";
import { revertMessage } from "./revertMessages.ts";

/** Every error any Tessera contract can revert with (the marketplace bubbles up token errors). */
export const allErrorsAbi = [...marketplaceAbi, ...tesseraTokenAbi, ...fileIndexAbi].filter(
  (e) => e.type === "error",
) as Abi;

export function decodeChainError(error: unknown, functionName?: string): TesseraError {
  if (error instanceof TesseraError) return error;
  if (error instanceof BaseError) {
    const reverted = error.walk(
      (e) => e instanceof ContractFunctionRevertedError,
    ) as ContractFunctionRevertedError | null;
    if (reverted) {
      let name = reverted.data?.errorName;
      let args: readonly unknown[] = reverted.data?.args ?? [];
      const raw = (reverted as { raw?: Hex }).raw;
      if ((!name || (name === "Error" && !args.length)) && raw && raw !== "0x") {
        try {
          const d = decodeErrorResult({ abi: allErrorsAbi, data: raw });
          name = d.errorName;
          args = d.args ?? [];
        } catch {
          /* unknown selector */
        }
      }
      if (name === "Error")
        return new ContractRevertError({
          shortMessage: `The contract refused: ${String(args[0])}`,
          errorName: name,
          errorArgs: args,
          ...(functionName ? { functionName } : {}),
          cause: error,
        });
      if (name)
        return new ContractRevertError({
          shortMessage: revertMessage(name, args),
          errorName: name,
          errorArgs: args,
          ...(functionName ? { functionName } : {}),
          cause: error,
        });
      const reason = reverted.reason ?? reverted.signature ?? "no reason given";
      return new ContractRevertError({
        shortMessage: `The contract refused ${functionName ?? "the call"}: ${reason}.`,
        ...(functionName ? { functionName } : {}),
        cause: error,
      });
    }
    if (error.walk((e) => e instanceof UserRejectedRequestError))
      return new ChainError("The transaction was rejected in the wallet.", { cause: error });
    return new ChainError(`${functionName ? `${functionName}: ` : ""}${error.shortMessage}`, {
      cause: error,
      ...(error.details ? { details: error.details } : {}),
    });
  }
  return new ChainError(
    `${functionName ? `${functionName}: ` : ""}${(error as Error)?.message ?? String(error)}`,
    { cause: error },
  );
}
