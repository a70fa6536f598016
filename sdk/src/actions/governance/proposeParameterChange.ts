/**
 * Propose a change of Marketplace parameters: the changes are merged into the current `params()`
 * (setParams takes the whole struct), the merged struct is simulated as `setParams` from the
 * Timelock — so a value outside the hard limits is refused now, not after a week of voting — and
 * the proposal gets a readable description listing every change with its old and new value.
 */
import { encodeFunctionData, type Hex } from "viem";
import { marketplaceAbi } from "../../generated/abis.ts";
import type { TesseraClient } from "../../client/createTesseraClient.ts";
import type { WriteOptions } from "../internal/write.ts";
import {
  createProposal,
  type CreateProposalErrorType,
  type CreateProposalReturnType,
} from "./createProposal.ts";
import { InvalidParameterChangeError, type ParameterOutOfRangeError } from "./errors.ts";
import { readMarketParams } from "./getProposal.ts";
import { diffParams, governanceAddresses, governanceError } from "./internal.ts";
import type { MarketParamName, MarketParams } from "./types.ts";

export type ProposeParameterChangeParameters = {
  /** The fields to change (others keep their current value), e.g. `{ protocolFeeBps: 250 }`. */
  changes: Partial<Record<MarketParamName, bigint | number | string>>;
  /** First line of the description (default: the list of changes). */
  title?: string;
  /** Why: free text placed under the title. */
  description?: string;
  /** Only build and check the proposal, send nothing. */
  dryRun?: boolean;
};
export type ProposeParameterChangeReturnType = Omit<
  CreateProposalReturnType,
  "proposalId" | "txHash" | "voteStart" | "voteEnd"
> & {
  /** Undefined for a dry run. */
  proposalId: bigint | undefined;
  txHash: Hex | undefined;
  voteStart: bigint | undefined;
  voteEnd: bigint | undefined;
  before: MarketParams;
  after: MarketParams;
  /** `protocolFeeBps: 100 (1 %) → 250 (2.5 %)`, one per change. */
  changes: string[];
};
export type ProposeParameterChangeErrorType =
  InvalidParameterChangeError | ParameterOutOfRangeError | CreateProposalErrorType;

/** Merge `changes` into `current`, checking names and integer values. */
export function mergeParams(
  current: MarketParams,
  changes: ProposeParameterChangeParameters["changes"],
): MarketParams {
  const names = Object.keys(current) as MarketParamName[];
  const merged = { ...current } as Record<string, bigint | number>;
  const entries = Object.entries(changes).filter(([, v]) => v !== undefined);
  if (entries.length === 0)
    throw new InvalidParameterChangeError(
      `No parameter to change: name at least one of ${names.join(", ")}.`,
    );
  for (const [name, raw] of entries) {
    if (!names.includes(name as MarketParamName))
      throw new InvalidParameterChangeError(
        `Unknown parameter "${name}": the Marketplace parameters are ${names.join(", ")}.`,
      );
    let value: bigint;
    try {
      value = BigInt(typeof raw === "string" ? raw.trim() : (raw as bigint | number));
    } catch {
      throw new InvalidParameterChangeError(`${name} = "${String(raw)}" is not a whole number.`);
    }
    if (value < 0n)
      throw new InvalidParameterChangeError(
        `${name} = ${value} is negative; parameters are unsigned.`,
      );
    const asNumber = typeof current[name as MarketParamName] === "number";
    if (asNumber && value > BigInt(Number.MAX_SAFE_INTEGER))
      throw new InvalidParameterChangeError(
        `${name} = ${value} is far too large for this parameter.`,
      );
    merged[name] = asNumber ? Number(value) : value;
  }
  return merged as MarketParams;
}

/** The readable description: title, reason, the changes, and what runs. */
export function parameterChangeDescription(args: {
  title?: string;
  description?: string;
  changes: string[];
  marketplace: string;
}): string {
  const title =
    args.title?.trim() ||
    `Change protocol parameters: ${args.changes.map((c) => c.replace(/ \([^)]*\)/g, "")).join("; ")}`;
  return [
    `# ${title}`,
    ...(args.description?.trim() ? ["", args.description.trim()] : []),
    "",
    "## Changes",
    ...args.changes.map((c) => `- ${c}`),
    "",
    `Runs \`setParams\` on the Marketplace (${args.marketplace}) from the Timelock; running deals keep the parameters they started with.`,
  ].join("\n");
}

export async function proposeParameterChange(
  client: TesseraClient,
  parameters: ProposeParameterChangeParameters,
  options: WriteOptions = {},
): Promise<ProposeParameterChangeReturnType> {
  const { timelock } = governanceAddresses(client);
  const marketplace = client.addresses.Marketplace;
  const before = await readMarketParams(client);
  const after = mergeParams(before, parameters.changes);
  const changes = diffParams(before, after);
  if (changes.length === 0)
    throw new InvalidParameterChangeError(
      `Nothing would change: ${Object.keys(parameters.changes).join(", ")} already ${Object.keys(parameters.changes).length > 1 ? "have" : "has"} that value.`,
    );
  let calldata: Hex;
  try {
    calldata = encodeFunctionData({
      abi: marketplaceAbi,
      functionName: "setParams",
      args: [after],
    });
  } catch (cause) {
    throw new InvalidParameterChangeError(
      `A value does not fit its parameter's type (${(cause as { shortMessage?: string }).shortMessage ?? String(cause)}).`,
      { cause },
    );
  }
  // Run setParams as the Timelock will: an out-of-range value reverts with ProtocolParams__OutOfRange.
  try {
    await client.publicClient.simulateContract({
      account: timelock,
      address: marketplace,
      abi: marketplaceAbi,
      functionName: "setParams",
      args: [after],
    });
  } catch (e) {
    throw governanceError(e, "setParams");
  }
  const description = parameterChangeDescription({
    ...(parameters.title !== undefined ? { title: parameters.title } : {}),
    ...(parameters.description !== undefined ? { description: parameters.description } : {}),
    changes,
    marketplace,
  });
  const call = { targets: [marketplace], values: [0n], calldatas: [calldata], description };
  if (parameters.dryRun)
    return {
      ...call,
      proposalId: undefined,
      txHash: undefined,
      voteStart: undefined,
      voteEnd: undefined,
      before,
      after,
      changes,
    };
  const created = await createProposal(client, call, options);
  return { ...created, before, after, changes };
}
