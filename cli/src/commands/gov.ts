/**
 * `tessera gov` — governance from the terminal (docs/governance.md): delegate votes, propose a
 * parameter change or a treasury payment, vote with a reason, queue, execute, list proposals.
 * Everything goes through the sdk's governance actions; their errors already say what to do
 * instead and are printed as is, with an exit code: 2 bad input, 3 governance not deployed,
 * 4 unknown proposal, 5 treasury too small, 1 the wrong moment (too early, too late, already done).
 */
import type { Command } from "commander";
import { getAddress, isAddress, parseUnits, type Address } from "viem";
import { createTesseraClient, type TesseraClient } from "@tessera/sdk/client/createTesseraClient";
import type { TesseraAddresses } from "@tessera/sdk/deployments/index";
import {
  castVote,
  delegate,
  executeProposal,
  formatDuration,
  formatTsr,
  formatWhen,
  getProposal,
  getVotingPower,
  GovernanceError,
  listProposals,
  PROPOSAL_STATES,
  proposeParameterChange,
  proposeTreasurySpend,
  queueProposal,
  scanProposalsCreated,
  type ProposalInfo,
  type ProposalStateName,
} from "@tessera/sdk/actions/governance/index";
import { tesseraGovernorAbi } from "@tessera/sdk/generated/abis";
import { action } from "../program.ts";
import type { Context } from "../context.ts";
import { CliError, EXIT, type ExitCode } from "../errors.ts";

/** Exit code of each governance error (anything else: 1). */
const EXIT_OF: Record<string, ExitCode> = {
  GovernanceNotDeployedError: EXIT.CONFIG,
  ProposalNotFoundError: EXIT.NOT_FOUND,
  InvalidParameterChangeError: EXIT.USAGE,
  ParameterOutOfRangeError: EXIT.USAGE,
  InvalidVoteError: EXIT.USAGE,
  TreasuryInsufficientError: EXIT.FUNDS,
};

/** Runs a gov command body; sdk governance errors become CLI errors with their name as `code`. */
function govAction<A extends unknown[]>(body: (ctx: Context, ...args: A) => Promise<void>) {
  return action<A>(async (ctx, ...args) => {
    try {
      await body(ctx, ...args);
    } catch (error) {
      if (error instanceof GovernanceError)
        throw new CliError(error.shortMessage, {
          exitCode: EXIT_OF[error.name] ?? EXIT.ERROR,
          details: { code: error.name },
          cause: error,
        });
      throw error;
    }
  });
}

async function govClient(ctx: Context, withWallet: boolean): Promise<TesseraClient> {
  const deployment = await ctx.deployment();
  if (!deployment.TesseraGovernor || !deployment.TesseraTimelock)
    throw new CliError(
      `The deployment of chain ${deployment.chainId} has no TesseraGovernor/TesseraTimelock.`,
      {
        exitCode: EXIT.CONFIG,
        hint: "Redeploy with the governance contracts (`npm run deploy`), or point --deployments at a deployment that has them.",
      },
    );
  return createTesseraClient({
    publicClient: ctx.publicClient,
    ...(withWallet ? { walletClient: await ctx.walletClient() } : {}),
    addresses: deployment as TesseraAddresses,
  });
}

/** The configured account if there is one (for "you voted"); reading needs none. */
async function maybeAccount(ctx: Context): Promise<Address | undefined> {
  try {
    return (await ctx.account()).address;
  } catch {
    return undefined;
  }
}

async function chainNow(ctx: Context): Promise<bigint> {
  return (await ctx.publicClient.getBlock()).timestamp;
}

/**
 * A proposal id from the command line: the full id, or a unique prefix of it (ids are 77-digit
 * numbers) matched against the proposals listed from the logs.
 */
export async function resolveProposalId(client: TesseraClient, text: string): Promise<bigint> {
  const arg = text.trim();
  if (!/^(\d+|0x[0-9a-fA-F]+)$/.test(arg))
    throw usage(`Proposal id "${text}" is not a number; copy it from \`tessera gov list\`.`);
  const full = BigInt(arg);
  const snapshot = await client.publicClient.readContract({
    address: client.addresses.TesseraGovernor!,
    abi: tesseraGovernorAbi,
    functionName: "proposalSnapshot",
    args: [full],
  });
  // A known id, or too short to be a useful prefix: the action reports an unknown one.
  if (snapshot !== 0n || arg.startsWith("0x") || arg.length < 4) return full;
  const ids: bigint[] = [];
  await scanProposalsCreated(client, {
    visit: (log) => {
      if (log.id.toString().startsWith(arg)) ids.push(log.id);
    },
  });
  if (ids.length === 1) return ids[0]!;
  if (ids.length > 1)
    throw usage(
      `"${arg}" is the start of ${ids.length} proposal ids; give more digits.`,
      ids.map((id) => id.toString()).join("\n  "),
    );
  return full;
}

function usage(message: string, hint?: string): CliError {
  return new CliError(message, { exitCode: EXIT.USAGE, ...(hint ? { hint } : {}) });
}

/** `name=value`: value as an integer, `2.5%` for a *Bps parameter, `100tsr` for a token amount. */
export function parseSetting(text: string): [string, bigint] {
  const m = /^\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(.+?)\s*$/.exec(text);
  if (!m) throw usage(`--set "${text}" is not name=value.`, "Example: --set protocolFeeBps=250");
  const [, name, raw] = m as unknown as [string, string, string];
  try {
    const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(raw);
    if (pct) {
      if (!name.endsWith("Bps"))
        throw usage(`${name} is not in basis points; give it as a number.`);
      const bps = Number(pct[1]) * 100;
      if (!Number.isInteger(bps)) throw usage(`${raw} is finer than one basis point (0.01 %).`);
      return [name, BigInt(bps)];
    }
    const tsr = /^(\d+(?:\.\d+)?)\s*tsr$/i.exec(raw);
    if (tsr) return [name, parseUnits(tsr[1]!, 18)];
    if (!/^\d+$/.test(raw)) throw new Error();
    return [name, BigInt(raw)];
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw usage(
      `--set ${name}=${raw}: the value must be a whole number (or N% for *Bps, N tsr for token amounts).`,
    );
  }
}

function parseAmount(text: string): bigint {
  if (!/^\d+(\.\d{1,18})?$/.test(text.trim()))
    throw usage(`"${text}" is not a token amount; write e.g. 1500 or 12.5 (TSR).`);
  return parseUnits(text.trim(), 18);
}

function parseAddress(text: string, what: string): Address {
  if (!isAddress(text, { strict: false })) throw usage(`${what} "${text}" is not a 0x address.`);
  return getAddress(text);
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Where a proposal stands, in one line, with the next step. */
function nextStep(p: ProposalInfo): string {
  const when = (t: bigint) => formatWhen(t, p.now);
  switch (p.state) {
    case "pending":
      return `voting opens ${when(p.snapshot + 1n)}, closes ${when(p.deadline)}`;
    case "active":
      return `voting open until ${when(p.deadline)}; vote with \`tessera gov vote ${p.id} for|against|abstain\``;
    case "succeeded":
      return `passed; queue it with \`tessera gov queue ${p.id}\``;
    case "queued":
      return p.eta !== undefined && p.now < p.eta
        ? `queued; executable from ${when(p.eta)}`
        : `ready: execute it with \`tessera gov execute ${p.id}\`${p.expiry !== undefined ? ` before ${when(p.expiry)}` : ""}`;
    case "expired":
      return `expired${p.expiry !== undefined ? ` at ${when(p.expiry)}` : ""}; propose again`;
    case "defeated":
      return p.votes.for <= p.votes.against
        ? "defeated: not more for than against"
        : "defeated: quorum not reached";
    case "canceled":
      return "canceled by the proposer";
    case "executed":
      return "executed: in effect";
  }
}

function tally(p: ProposalInfo): string {
  const v = p.votes;
  const quorum =
    p.quorum === undefined
      ? ""
      : ` · quorum ${formatTsr(p.quorum)} (${v.for + v.abstain >= p.quorum ? "reached" : `${formatTsr(p.quorum - v.for - v.abstain)} missing`})`;
  return `for ${formatTsr(v.for)} · against ${formatTsr(v.against)} · abstain ${formatTsr(v.abstain)}${quorum}`;
}

function describeProposal(p: ProposalInfo, full = false): string {
  const lines = [
    `${p.id}`,
    `  ${p.state.toUpperCase()}  ${p.title}`,
    `  by ${p.proposer} · ${tally(p)}${p.hasVoted ? " · you voted" : ""}`,
    `  ${nextStep(p)}`,
    ...p.actions.map((a) => `  → ${a.summary}`),
  ];
  if (full) lines.push("", ...p.description.split("\n").map((l) => `  | ${l}`));
  return lines.join("\n");
}

function proposalJson(p: ProposalInfo) {
  return {
    id: p.id,
    state: p.state,
    title: p.title,
    description: p.description,
    proposer: p.proposer,
    votes: p.votes,
    quorum: p.quorum,
    snapshot: p.snapshot,
    deadline: p.deadline,
    eta: p.eta,
    expiry: p.expiry,
    hasVoted: p.hasVoted,
    actions: p.actions,
    createdBlock: p.createdBlock,
    createdTxHash: p.createdTxHash,
  };
}

export function register(program: Command): void {
  const gov = program
    .command("gov")
    .description("governance: delegate votes, propose, vote, queue, execute, list proposals")
    .addHelpText(
      "after",
      `
<proposalId> is the id shown by \`tessera gov list\`, or any unique start of it (4 digits or more).
Times are the chain's clock. Exit codes: 2 bad input, 3 governance not deployed, 4 unknown proposal,
5 treasury too small, 1 not possible now (too early, too late, already done) — the message says when.`,
    );

  gov
    .command("status")
    .description(
      "your votes and delegate, and the governance settings (threshold, quorum, delays, treasury)",
    )
    .option("--account <address>", "show another account")
    .action(
      govAction(async (ctx, opts: { account?: string }) => {
        const client = await govClient(ctx, false);
        const account = opts.account
          ? parseAddress(opts.account, "--account")
          : await maybeAccount(ctx);
        if (!account) throw usage("No account: pass --account or set TESSERA_PRIVATE_KEY.");
        const s = await getVotingPower(client, { account });
        ctx.print(
          [
            `account          ${s.account}`,
            `tokens           ${formatTsr(s.balance)} TSR`,
            `delegated to     ${s.delegatee === undefined ? "nobody — your tokens do not vote; run `tessera gov delegate`" : s.delegatee === s.account ? "yourself" : s.delegatee}`,
            `voting power     ${formatTsr(s.votes)} TSR${s.canPropose ? " (enough to propose)" : ` (proposing needs ${formatTsr(s.proposalThreshold)})`}`,
            `quorum           ${formatTsr(s.quorum)} TSR of for + abstain votes`,
            `voting           opens ${formatDuration(s.votingDelay)} after a proposal, lasts ${formatDuration(s.votingPeriod)}`,
            `timelock         ${formatDuration(s.timelockDelay)} before execution, then ${formatDuration(s.gracePeriod)} to execute`,
            `treasury         ${formatTsr(s.treasury)} TSR (${s.timelock})`,
          ].join("\n"),
          s,
        );
      }),
    );

  gov
    .command("delegate [address]")
    .description("let your tokens vote: delegate them to yourself (default) or to another address")
    .action(
      govAction(async (ctx, to: string | undefined) => {
        const client = await govClient(ctx, true);
        const r = await delegate(client, to ? { to: parseAddress(to, "Delegate") } : {});
        const self = r.delegatee === client.walletClient!.account.address;
        ctx.print(
          [
            `Your ${formatTsr(r.balance)} TSR now vote for ${self ? "yourself" : r.delegatee}.`,
            `Voting power of ${r.delegatee}: ${formatTsr(r.votes)} TSR; it counts for proposals created from the next block on.`,
            `tx ${r.txHash}`,
          ].join("\n"),
          r,
        );
      }),
    );

  gov
    .command("propose")
    .description(
      "propose a parameter change (--set name=value …) or a treasury payment (--pay N --to ADDRESS)",
    )
    .option(
      "--set <name=value>",
      "new value of a Marketplace parameter (repeatable); N% for *Bps, N tsr for amounts",
      collect,
    )
    .option("--pay <amount>", "pay this many TSR from the treasury")
    .option("--to <address>", "recipient of --pay")
    .option("--title <text>", "first line of the description (default: a summary of the change)")
    .option("-m, --description <text>", "why: the text voters read under the title")
    .option("--dry-run", "check the change and print the description; send nothing")
    .addHelpText(
      "after",
      `
Parameters: protocolFeeBps slashBps reporterRewardBps repairBountyBps maxMisses challengesPerPeriod
missGracePeriods challengeWindowBlocks unbondingDelay maxShardSize maxDurationPeriods targetedBond minStake.
The change is checked against the hard limits (run as the Timelock) before it is proposed.

Examples:
  tessera gov propose --set protocolFeeBps=250 -m "Fund two audits a year"
  tessera gov propose --pay 5000 --to 0xabc… --title "Grant: dApp translations"`,
    )
    .action(
      govAction(
        async (
          ctx,
          opts: {
            set?: string[];
            pay?: string;
            to?: string;
            title?: string;
            description?: string;
            dryRun?: boolean;
          },
        ) => {
          if (opts.set?.length && opts.pay !== undefined)
            throw usage(
              "Propose either --set (parameters) or --pay (treasury), not both: make two proposals.",
            );
          if (!opts.set?.length && opts.pay === undefined)
            throw usage(
              "Nothing to propose.",
              "Use --set name=value (parameters) or --pay N --to ADDRESS (treasury).",
            );
          const client = await govClient(ctx, true);
          const text = {
            ...(opts.title !== undefined ? { title: opts.title } : {}),
            ...(opts.description !== undefined ? { description: opts.description } : {}),
          };
          if (opts.pay !== undefined) {
            if (!opts.to) throw usage("--pay needs --to <address>.");
            if (opts.dryRun) throw usage("--dry-run applies to --set only.");
            const r = await proposeTreasurySpend(client, {
              to: parseAddress(opts.to, "--to"),
              amount: parseAmount(opts.pay),
              ...text,
            });
            const now = await chainNow(ctx);
            ctx.print(
              [
                `Proposal ${r.proposalId} created.`,
                ...r.description.split("\n").map((l) => `  | ${l}`),
                `Voting opens ${formatWhen(r.voteStart + 1n, now)} and closes ${formatWhen(r.voteEnd, now)}.`,
                `Vote with: tessera gov vote ${r.proposalId} for|against|abstain`,
                `tx ${r.txHash}`,
              ].join("\n"),
              r,
            );
            return;
          }
          const changes = Object.fromEntries(opts.set!.map(parseSetting));
          const r = await proposeParameterChange(client, {
            changes,
            ...text,
            ...(opts.dryRun ? { dryRun: true } : {}),
          });
          if (r.proposalId === undefined) {
            ctx.print(
              [
                "Dry run: the change is within the hard limits. This description would be proposed:",
                ...r.description.split("\n").map((l) => `  | ${l}`),
              ].join("\n"),
              r,
            );
            return;
          }
          const now = await chainNow(ctx);
          ctx.print(
            [
              `Proposal ${r.proposalId} created.`,
              ...r.changes.map((c) => `  ${c}`),
              `Voting opens ${formatWhen(r.voteStart! + 1n, now)} and closes ${formatWhen(r.voteEnd!, now)}.`,
              `Vote with: tessera gov vote ${r.proposalId} for|against|abstain`,
              `tx ${r.txHash}`,
            ].join("\n"),
            r,
          );
        },
      ),
    );

  gov
    .command("vote <proposalId> <support>")
    .description("vote on a proposal: support is for, against or abstain")
    .option("-r, --reason <text>", "why (recorded on chain with the vote)")
    .action(
      govAction(async (ctx, proposalId: string, support: string, opts: { reason?: string }) => {
        const client = await govClient(ctx, true);
        const r = await castVote(client, {
          proposalId: await resolveProposalId(client, proposalId),
          support,
          ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
        });
        const [against, inFavour, abstain] = await ctx.publicClient.readContract({
          address: client.addresses.TesseraGovernor!,
          abi: tesseraGovernorAbi,
          functionName: "proposalVotes",
          args: [r.proposalId],
        });
        ctx.print(
          [
            `Voted ${r.support === "abstain" ? "abstain on" : r.support} proposal ${r.proposalId} with ${formatTsr(r.weight)} TSR${r.reason ? ` (reason: ${r.reason})` : ""}.`,
            `Tally: for ${formatTsr(inFavour)} · against ${formatTsr(against)} · abstain ${formatTsr(abstain)}.`,
            `tx ${r.txHash}`,
          ].join("\n"),
          { ...r, votes: { for: inFavour, against, abstain } },
        );
      }),
    );

  gov
    .command("queue <proposalId>")
    .description("queue a passed proposal in the timelock (anyone may)")
    .action(
      govAction(async (ctx, proposalId: string) => {
        const client = await govClient(ctx, true);
        const r = await queueProposal(client, {
          proposalId: await resolveProposalId(client, proposalId),
        });
        const now = await chainNow(ctx);
        ctx.print(
          [
            `Queued proposal ${r.proposalId}: executable from ${formatWhen(r.eta, now)}.`,
            `Then run: tessera gov execute ${r.proposalId}`,
            `tx ${r.txHash}`,
          ].join("\n"),
          r,
        );
      }),
    );

  gov
    .command("execute <proposalId>")
    .description("execute a queued proposal once the timelock delay has passed (anyone may)")
    .action(
      govAction(async (ctx, proposalId: string) => {
        const client = await govClient(ctx, true);
        const r = await executeProposal(client, {
          proposalId: await resolveProposalId(client, proposalId),
        });
        ctx.print([`Executed proposal ${r.proposalId}.`, `tx ${r.txHash}`].join("\n"), r);
      }),
    );

  gov
    .command("list")
    .description("proposals with their state, tallies and next step (oldest first)")
    .option(
      "--state <states>",
      `only these states, comma-separated (${PROPOSAL_STATES.join(", ")})`,
    )
    .option("--limit <n>", "only the newest n")
    .option("--from-block <n>", "start the event scan here (default: the deployment block)")
    .option("--block-range <n>", "blocks per eth_getLogs request", "10000")
    .action(
      govAction(
        async (
          ctx,
          opts: { state?: string; limit?: string; fromBlock?: string; blockRange: string },
        ) => {
          const states = opts.state
            ?.split(",")
            .map((s) => s.trim().toLowerCase())
            .filter(Boolean);
          for (const s of states ?? [])
            if (!PROPOSAL_STATES.includes(s as ProposalStateName))
              throw usage(`Unknown state "${s}": use ${PROPOSAL_STATES.join(", ")}.`);
          const int = (v: string | undefined, what: string) => {
            if (v === undefined) return undefined;
            if (!/^\d+$/.test(v)) throw usage(`${what} must be a whole number.`);
            return BigInt(v);
          };
          const blockRange = int(opts.blockRange, "--block-range")!;
          if (blockRange < 1n) throw usage("--block-range must be at least 1.");
          const client = await govClient(ctx, false);
          const account = await maybeAccount(ctx);
          const fromBlock = int(opts.fromBlock, "--from-block");
          const limit = int(opts.limit, "--limit");
          const proposals = await listProposals(client, {
            blockRange,
            ...(fromBlock !== undefined ? { fromBlock } : {}),
            ...(limit !== undefined ? { limit: Number(limit) } : {}),
            ...(states ? { states: states as ProposalStateName[] } : {}),
            ...(account ? { account } : {}),
          });
          ctx.print(
            () =>
              proposals.length === 0
                ? states
                  ? `No proposals in state ${states.join(", ")}.`
                  : "No proposals yet. Create one with `tessera gov propose`."
                : proposals.map((p) => describeProposal(p)).join("\n\n"),
            proposals.map(proposalJson),
          );
        },
      ),
    );

  gov
    .command("show <proposalId>")
    .description("one proposal: state, tallies, times, calls and the full description")
    .action(
      govAction(async (ctx, proposalId: string) => {
        const client = await govClient(ctx, false);
        const account = await maybeAccount(ctx);
        const p = await getProposal(client, {
          proposalId: await resolveProposalId(client, proposalId),
          ...(account ? { account } : {}),
        });
        ctx.print(describeProposal(p, true), proposalJson(p));
      }),
    );
}
