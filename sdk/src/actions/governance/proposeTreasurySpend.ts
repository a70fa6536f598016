/**
 * Propose a payment from the treasury (the Timelock's tokens): `token.transfer(to, amount)`,
 * preceded by `marketplace.withdraw()` when the fees the Timelock has accrued in the marketplace
 * are needed to cover it. Refused up front if the treasury cannot pay that much.
 */
import { encodeFunctionData, getAddress, zeroAddress, type Address, type Hex } from "viem";
import { marketplaceAbi, tesseraTokenAbi } from "../../generated/abis.ts";
import type { TesseraClient } from "../../client/createTesseraClient.ts";
import type { WriteOptions } from "../internal/write.ts";
import { readOrThrow } from "../internal/write.ts";
import {
  createProposal,
  type CreateProposalErrorType,
  type CreateProposalReturnType,
} from "./createProposal.ts";
import { formatTsr, GovernanceError, TreasuryInsufficientError } from "./errors.ts";
import { governanceAddresses } from "./internal.ts";

export type ProposeTreasurySpendParameters = {
  to: Address;
  /** Token units (18 decimals). */
  amount: bigint;
  /** First line of the description (default: "Pay <amount> TSR to <to>"). */
  title?: string;
  /** Why: free text placed under the title. */
  description?: string;
};
export type ProposeTreasurySpendReturnType = CreateProposalReturnType & {
  /** The Timelock's token balance and its unclaimed marketplace fees when proposed. */
  treasury: { tokens: bigint; fees: bigint };
  withdrawsFees: boolean;
};
export type ProposeTreasurySpendErrorType = TreasuryInsufficientError | CreateProposalErrorType;

export async function proposeTreasurySpend(
  client: TesseraClient,
  parameters: ProposeTreasurySpendParameters,
  options: WriteOptions = {},
): Promise<ProposeTreasurySpendReturnType> {
  const { timelock } = governanceAddresses(client);
  const { TesseraToken: token, Marketplace: marketplace } = client.addresses;
  const to = getAddress(parameters.to);
  if (to === zeroAddress) throw new GovernanceError("The recipient must not be the zero address.");
  if (parameters.amount <= 0n) throw new GovernanceError("The amount to pay must be above zero.");
  const [tokens, fees] = await readOrThrow("balanceOf", () =>
    Promise.all([
      client.publicClient.readContract({
        address: token,
        abi: tesseraTokenAbi,
        functionName: "balanceOf",
        args: [timelock],
      }),
      client.publicClient.readContract({
        address: marketplace,
        abi: marketplaceAbi,
        functionName: "balanceOf",
        args: [timelock],
      }),
    ]),
  );
  if (tokens + fees === 0n)
    throw new TreasuryInsufficientError(
      `The treasury (the Timelock ${timelock}) is empty, so it cannot pay ${formatTsr(parameters.amount)} TSR. Propose a spend once protocol fees or transfers have reached it.`,
    );
  if (tokens + fees < parameters.amount)
    throw new TreasuryInsufficientError(
      `The treasury holds ${formatTsr(tokens)} TSR (plus ${formatTsr(fees)} TSR of fees in the marketplace); it cannot pay ${formatTsr(parameters.amount)} TSR. Propose at most ${formatTsr(tokens + fees)} TSR.`,
    );
  const withdrawsFees = tokens < parameters.amount;
  const targets: Address[] = [];
  const calldatas: Hex[] = [];
  if (withdrawsFees) {
    targets.push(marketplace);
    calldatas.push(encodeFunctionData({ abi: marketplaceAbi, functionName: "withdraw", args: [] }));
  }
  targets.push(token);
  calldatas.push(
    encodeFunctionData({
      abi: tesseraTokenAbi,
      functionName: "transfer",
      args: [to, parameters.amount],
    }),
  );
  const title =
    parameters.title?.trim() ||
    `Pay ${formatTsr(parameters.amount)} TSR from the treasury to ${to}`;
  const description = [
    `# ${title}`,
    ...(parameters.description?.trim() ? ["", parameters.description.trim()] : []),
    "",
    "## Calls (run by the Timelock)",
    ...(withdrawsFees
      ? [`- Marketplace.withdraw(): collect the treasury's ${formatTsr(fees)} TSR of protocol fees`]
      : []),
    `- TesseraToken.transfer(${to}, ${formatTsr(parameters.amount)} TSR)`,
  ].join("\n");
  const created = await createProposal(
    client,
    { targets, values: targets.map(() => 0n), calldatas, description },
    options,
  );
  return { ...created, treasury: { tokens, fees }, withdrawsFees };
}
