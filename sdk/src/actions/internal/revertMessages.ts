/**
 * Custom errors of the Tessera contracts (and the OpenZeppelin errors they bubble up) as short
 * sentences a user can act on. Anything not listed falls back to `Name(arg, …)`.
 */
const tok = (v: unknown) => `${formatToken(v)} TSR`;

export function formatToken(v: unknown): string {
  if (typeof v !== "bigint") return String(v);
  const whole = v / 10n ** 18n;
  const frac = (v % 10n ** 18n).toString().padStart(18, "0").replace(/0+$/, "").slice(0, 6);
  return frac ? `${whole}.${frac}` : `${whole}`;
}

const dateOf = (v: unknown) =>
  typeof v === "bigint" ? new Date(Number(v) * 1000).toISOString() : String(v);
const short = (v: unknown) =>
  typeof v === "string" && v.length > 20 ? `${v.slice(0, 10)}…${v.slice(-4)}` : String(v);

type Args = readonly unknown[];
export const REVERT_MESSAGES: Record<string, (a: Args) => string> = {
  // Marketplace
  Marketplace__AlreadyHoldsSlot: (a) =>
    `Provider ${a[1]} holds, or was freed from, a slot of request ${short(a[0])}; a provider may hold only one and never retake a freed one. Choose another request or provider.`,
  Marketplace__ProviderDelinquent: (a) =>
    `Provider ${a[0]} missed ${a[1]} periods in a row (limit ${a[2]}); it must submit proofs for a period before it can take new slots.`,
  Marketplace__AlreadyProven: (a) => `Proofs for period ${a[1]} were already submitted by ${a[0]}.`,
  Marketplace__AlreadyReported: (a) =>
    `The missing proof of ${a[0]} for period ${a[1]} was already reported.`,
  Marketplace__ChallengeExpired: (a) =>
    `Challenge ${a[0]} expired at block ${a[1]}; it can no longer be answered.`,
  Marketplace__ChallengeNotExpired: (a) =>
    `Challenge ${a[0]} can still be answered until block ${a[1]}; wait before marking it failed.`,
  Marketplace__ChallengeNotOpen: (a) =>
    `Challenge ${a[0]} is not open (answered, failed, or unknown).`,
  Marketplace__EscrowOverflow: () => `The total price (slots × price × duration) is too large.`,
  Marketplace__FillDeadlineNotReached: (a) =>
    `The request can be cancelled only after its fill deadline (${dateOf(a[0])}).`,
  Marketplace__FillDeadlinePassed: (a) =>
    `The fill deadline (${dateOf(a[0])}) has passed; create a new request.`,
  Marketplace__InvalidDuration: (a) => `Duration of ${a[0]} periods is not allowed (1 to ${a[1]}).`,
  Marketplace__InvalidProof: (a) =>
    `The storage proof for slot ${a[1]} (leaf ${a[2]}) does not match the shard's root.`,
  Marketplace__InvalidProofLength: (a) => `The proof has ${a[1]} bytes, ${a[0]} were expected.`,
  Marketplace__InvalidRedundancy: (a) =>
    `Redundancy k=${a[0]}, m=${a[1]} is not allowed (need 1 ≤ m ≤ k and k + m ≤ 255).`,
  Marketplace__InvalidShardSize: (a) => `Shard size ${a[0]} bytes is not allowed (1 to ${a[1]}).`,
  Marketplace__LeafOutOfRange: (a) => `Leaf ${a[0]} is outside the shard (${a[1]} leaves).`,
  Marketplace__NotFreeable: (a) => `Slot ${a[1]} cannot be freed: ${a[2]} misses, ${a[3]} needed.`,
  Marketplace__NothingToProve: (a) =>
    `${a[0]} holds no data this period, so there is nothing to prove.`,
  Marketplace__NothingToWithdraw: () => `There is nothing to withdraw for this account.`,
  Marketplace__PeriodNotClosed: (a) => `Period ${a[0]} is not over yet (current period ${a[1]}).`,
  Marketplace__PeriodVoid: (a) =>
    `Period ${a[0]} is void (its seed was never recorded): nothing is due for it.`,
  Marketplace__PriceBelowAsk: (a) =>
    `The price offered (${tok(a[0])}) is below the provider's ask (${tok(a[1])}).`,
  Marketplace__ProofBlockOutOfRange: (a) =>
    `Proof block ${a[0]} must be one of the 256 blocks before ${a[1]}; recompute the proof.`,
  Marketplace__ProofNotMissing: (a) =>
    `${a[0]} did prove period ${a[1]}; there is nothing to report.`,
  Marketplace__ReportTooLate: (a) =>
    `Too late to report period ${a[0]} (now ${a[1]}, grace ${a[2]} periods).`,
  Marketplace__RequestEnded: (a) => `Request ${short(a[0])} ended at period ${a[1]}.`,
  Marketplace__RequestNotEnded: (a) => `Request ${short(a[0])} runs until period ${a[1]}.`,
  Marketplace__SeedUnavailable: (a) =>
    `The challenge seed of period ${a[0]} is not available (too early, or more than 256 blocks late).`,
  Marketplace__SlotClosed: (a) => `Slot ${a[1]} of request ${short(a[0])} is closed.`,
  Marketplace__SlotNotFillable: (a) =>
    `Slot ${a[1]} of request ${short(a[0])} is already filled or cannot be filled now.`,
  Marketplace__SlotNotFilled: (a) => `Slot ${a[1]} of request ${short(a[0])} is not filled.`,
  Marketplace__SlotOutOfRange: (a) =>
    `Slot ${a[1]} does not exist: request ${short(a[0])} has ${a[2]} slots.`,
  Marketplace__UnknownRequest: (a) => `No storage request ${short(a[0])} on this chain.`,
  Marketplace__WrongPeriod: (a) =>
    `Proofs are for period ${a[0]} but the current period is ${a[1]}.`,
  Marketplace__WrongRequestState: (a) =>
    `Request ${short(a[0])} is ${["unknown", "open", "started", "cancelled", "failed"][Number(a[1])] ?? `in state ${a[1]}`}; this action is not possible now.`,
  Marketplace__WrongShardCount: (a) =>
    `${a[1]} shard roots/CIDs were given, ${a[0]} (k + m) are needed.`,
  Marketplace__ZeroPrice: () => `The price per slot and period must be above zero.`,
  Marketplace__ZeroRoot: (a) => `Shard root ${a[0]} is zero.`,
  // Registry
  Registry__AlreadyRegistered: (a) =>
    `${a[0]} is already registered as a provider; use updateProvider.`,
  Registry__CapacityBelowUsed: (a) =>
    `Capacity ${a[0]} bytes is below what is already used (${a[1]}).`,
  Registry__InsufficientCapacity: (a) =>
    `Provider ${a[0]} has ${a[2]} bytes free; ${a[1]} are needed.`,
  Registry__InsufficientStake: (a) =>
    `Cannot unstake ${tok(a[0])}: only ${tok(a[1])} is staked and free.`,
  Registry__NotRegistered: (a) => `${a[0]} is not a registered provider; register first.`,
  Registry__NothingUnbonding: (a) => `${a[0]} has no stake unbonding.`,
  Registry__StakeBelowMinimum: (a) =>
    `A stake of ${tok(a[0])} is below the minimum of ${tok(a[1])}.`,
  Registry__UnbondingNotElapsed: (a) => `The stake unlocks at ${dateOf(a[0])}; try again then.`,
  Registry__ZeroAmount: () => `The amount must be above zero.`,
  // Parameters
  ProtocolParams__NotGuardian: (a) => `${a[0]} is not the guardian.`,
  ProtocolParams__OutOfRange: (a) => `Parameter ${a[0]} = ${a[1]} is outside ${a[2]}..${a[3]}.`,
  ProtocolParams__Paused: () => `New storage requests are paused by governance; try again later.`,
  ProtocolParams__ZeroAddress: (a) => `${a[0]} must not be the zero address.`,
  // FileIndex
  FileIndex__CidTooLong: (a) => `The file-index CID is ${a[0]} bytes; at most ${a[1]} are allowed.`,
  FileIndex__EmptyCid: () => `The file-index CID is empty.`,
  FileIndex__VersionNotIncreasing: (a) =>
    `File-index version ${a[1]} is not above the current version ${a[0]}; another device may have updated it — reload the index first.`,
  // OpenZeppelin
  ERC20InsufficientAllowance: (a) =>
    `The marketplace may spend only ${tok(a[1])} of your tokens, ${tok(a[2])} are needed; approve more.`,
  ERC20InsufficientBalance: (a) => `${a[0]} holds ${tok(a[1])}, ${tok(a[2])} are needed.`,
  ERC2612ExpiredSignature: (a) => `The permit signature expired at ${dateOf(a[0])}; sign again.`,
  ERC2612InvalidSigner: () => `The permit was signed by another account.`,
  OwnableUnauthorizedAccount: (a) => `${a[0]} is not allowed to do this (owner only: governance).`,
  ReentrancyGuardReentrantCall: () => `Re-entrant call refused.`,
  SafeERC20FailedOperation: (a) => `A token transfer of ${a[0]} failed.`,
};

export function revertMessage(errorName: string, args: Args): string {
  const f = REVERT_MESSAGES[errorName];
  if (f) return f(args);
  const shown = args
    .map((v) =>
      typeof v === "bigint" ? v.toString() : typeof v === "string" ? short(v) : JSON.stringify(v),
    )
    .join(", ");
  return `The contract refused: ${errorName}(${shown}).`;
}
