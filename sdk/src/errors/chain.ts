import { TesseraError } from "./base.ts";

/** A contract call reverted; `errorName`/`args` are the decoded custom error (if known). */
export class ContractRevertError extends TesseraError {
  override name = "ContractRevertError";
  readonly errorName: string | undefined;
  readonly args: readonly unknown[];
  readonly functionName: string | undefined;
  constructor(args: {
    shortMessage: string;
    errorName?: string;
    errorArgs?: readonly unknown[];
    functionName?: string;
    cause?: unknown;
  }) {
    super(args.shortMessage, args.cause === undefined ? {} : { cause: args.cause });
    this.errorName = args.errorName;
    this.args = args.errorArgs ?? [];
    this.functionName = args.functionName;
  }
}

/** The chain or RPC endpoint failed, or the wallet refused (not a revert). */
export class ChainError extends TesseraError {
  override name = "ChainError";
  constructor(shortMessage: string, options: { cause?: unknown; details?: string } = {}) {
    super(shortMessage, options);
  }
}

export class WalletRequiredError extends TesseraError {
  override name = "WalletRequiredError";
  constructor(action: string) {
    super(
      `${action} sends a transaction: create the Tessera client with a wallet client that has an account.`,
    );
  }
}

export class DeploymentNotFoundError extends TesseraError {
  override name = "DeploymentNotFoundError";
  constructor(chainId: number, where: string, options: { cause?: unknown } = {}) {
    super(
      `Tessera is not deployed on chain ${chainId} as far as this client knows (looked in ${where}). Deploy it, or pass the contract addresses explicitly.`,
      options,
    );
  }
}

export class TransactionFailedError extends TesseraError {
  override name = "TransactionFailedError";
  readonly hash: string;
  constructor(hash: string, functionName: string) {
    super(`Transaction ${hash} (${functionName}) was mined but reverted.`);
    this.hash = hash;
  }
}
