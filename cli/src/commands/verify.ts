import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import type { Address, Hex } from "viem";
import { challengeSlot } from "@tessera/sdk/actions/challengeSlot";
import { markChallengeFailed } from "@tessera/sdk/actions/markChallengeFailed";
import { getTargetedChallenge } from "@tessera/sdk/actions/getTargetedChallenge";
import { action } from "../program.ts";
import type { Context } from "../context.ts";
import { Contracts, REQUEST_STATES, SLOT_STATES, table } from "../chain.ts";
import { CliError, EXIT } from "../errors.ts";
import { unlockMasterKey } from "../keystore.ts";
import { fetchShard } from "../transport.ts";

const SEGMENT = 64;

type ShardCheck = {
  shard: number;
  slotState: string;
  provider?: Address;
  endpoint?: string;
  misses?: number;
  status: "ok" | "unreachable" | "corrupt" | "vacant";
  reason?: string;
  badLeaf?: number;
  file?: string;
  challengeId?: string;
};

type ChallengeRecord = { id: string; requestId: Hex; slot: number; leaf: number; provider: Address; deadlineBlock: string };

function challengesFile(ctx: Context): string {
  return ctx.path("challenges.json");
}

function readChallenges(ctx: Context): ChallengeRecord[] {
  const file = challengesFile(ctx);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as ChallengeRecord[]) : [];
}

/** Marks our expired, unanswered targeted challenges as failed (the provider is slashed). */
export async function settleChallenges(ctx: Context): Promise<Array<ChallengeRecord & { status: string; settledTx?: Hex }>> {
  const records = readChallenges(ctx);
  const out: Array<ChallengeRecord & { status: string; settledTx?: Hex }> = [];
  const block = await ctx.publicClient.getBlockNumber();
  for (const record of records) {
    const c = await getTargetedChallenge(await ctx.readClient(), { challengeId: BigInt(record.id) });
    let status: string = c.status;
    let settledTx: Hex | undefined;
    if (status === "open" && block > c.deadlineBlock) {
      settledTx = (await markChallengeFailed(await ctx.tesseraClient(), { challengeId: BigInt(record.id) })).txHash;
      status = "failed";
    }
    out.push({ ...record, status, ...(settledTx ? { settledTx } : {}) });
  }
  return out;
}

/** Streams a shard into a file while hashing it; returns why it does not match, if it does not. */
async function checkShard(
  endpoint: string,
  commitment: { cid?: string; root?: string },
  shardSize: number,
  file: string,
): Promise<string | undefined> {
  const { MerkleBuilder, ShardCidBuilder, bytesToHex, CID } = await import("../sdk.ts");
  const merkle = new MerkleBuilder();
  const cid = new ShardCidBuilder();
  const handle = await open(file, "w");
  let size = 0;
  try {
    const stream = await fetchShard(endpoint, commitment.cid!, { timeoutMs: 60_000 });
    for await (const piece of stream as unknown as AsyncIterable<Uint8Array>) {
      size += piece.length;
      if (size > shardSize) return `longer than the committed ${shardSize} bytes`;
      merkle.update(piece);
      await cid.write(piece);
      await handle.write(piece);
    }
  } finally {
    await handle.close();
  }
  if (size !== shardSize) return `${size} bytes instead of ${shardSize}`;
  const root = bytesToHex(merkle.digest().root);
  if (commitment.root && root !== commitment.root.toLowerCase()) return `Merkle root ${root} ≠ on-chain ${commitment.root}`;
  const got = await cid.end();
  if (commitment.cid && !got.equals(CID.parse(commitment.cid))) return `CID ${got} ≠ ${commitment.cid}`;
  return undefined;
}

/**
 * The first leaf (64-byte segment) where a bad shard differs from what it should be, found by
 * rebuilding the shard from k good ones with the erasure code, stripe by stripe.
 */
async function findBadLeaf(
  layout: { k: number; m: number; pieceBytes: number; shardSize: number },
  bad: number,
  badFile: string,
  goodFiles: Map<number, string>,
): Promise<number> {
  const { loadErasureCoder } = await import("../sdk.ts");
  const { k, m, pieceBytes, shardSize } = layout;
  const n = k + m;
  const coder = await loadErasureCoder({ k, m });
  const sources = [...goodFiles.entries()].slice(0, k);
  const handles = new Map(await Promise.all(sources.map(async ([i, f]) => [i, await open(f, "r")] as const)));
  const badHandle = await open(badFile, "r");
  try {
    const stripes = Math.max(1, Math.ceil(shardSize / pieceBytes));
    for (let s = 0; s < stripes; s++) {
      const offset = s * pieceBytes;
      const piece = s < stripes - 1 ? pieceBytes : shardSize - offset;
      const stripe = new Uint8Array(n * piece);
      const present = Array.from({ length: n }, () => false);
      for (const [i, h] of handles) {
        await h.read(stripe, i * piece, piece, offset);
        present[i] = true;
      }
      if (present.slice(0, k).some((p) => !p)) coder.reconstruct(stripe, present);
      coder.encode(stripe); // parity from the (complete) data pieces
      const expected = stripe.subarray(bad * piece, (bad + 1) * piece);
      const actual = new Uint8Array(piece);
      await badHandle.read(actual, 0, piece, offset);
      for (let at = 0; at < piece; at += SEGMENT) {
        const end = Math.min(at + SEGMENT, piece);
        for (let b = at; b < end; b++) {
          if (expected[b] !== actual[b]) return Math.floor((offset + at) / SEGMENT);
        }
      }
    }
    return 0; // differs only in length: any leaf fails
  } finally {
    for (const h of handles.values()) await h.close();
    await badHandle.close();
  }
}

export function register(program: Command): void {
  program
    .command("verify")
    .description("check that every shard of a file is available and intact, and the deal's proof status")
    .argument("<path>", "path in your file index")
    .option("--version <n>", "a specific version (default: the latest)")
    .option("--challenge", "raise a targeted on-chain challenge on every slot whose shard is corrupt (posts the bond)")
    .addHelpText(
      "after",
      `
Every shard is downloaded from the provider holding its slot and checked against the Merkle root on
chain and its CID. For a corrupt shard the first bad 64-byte segment is located by rebuilding the
shard from k good ones; --challenge then calls challengeSlot on exactly that leaf. The provider must
answer within the challenge window; running verify again afterwards marks an unanswered challenge
as failed, which slashes the provider's collateral and returns your bond plus a reward.
Exit code 0 when all shards are intact, 7 when one is corrupt, 6 when one is unreachable.`,
    )
    .action(
      action(async (ctx, path: string, opts: { version?: string; challenge?: boolean }) => {
        const files = await import("../files.ts");
        const sdk = await import("../sdk.ts");
        const contracts = new Contracts(ctx);
        // Challenges raised earlier: settle the ones whose window passed.
        const settled = await settleChallenges(ctx);

        const masterKey = await unlockMasterKey(ctx);
        let manifest;
        try {
          const { index } = await files.loadIndex(ctx, masterKey);
          const version = sdk.getFileVersion(index, path, opts.version !== undefined ? Number(opts.version) : undefined);
          if (!("inline" in version.manifest)) throw new CliError(`The manifest of ${path} is stored by reference.`, { exitCode: EXIT.NOT_FOUND });
          manifest = version.manifest.inline;
        } finally {
          masterKey.fill(0);
        }
        const requestId = manifest.storage?.requestId as Hex | undefined;
        if (!requestId) throw new CliError(`${path} has no storage request recorded.`, { exitCode: EXIT.NOT_FOUND });
        const layout = files.layoutOf(manifest);
        const n = layout.k + layout.m;
        const [request, currentPeriod] = await Promise.all([
          contracts.getRequest(requestId),
          contracts.currentPeriod(),
        ]);
        const { holders } = await files.shardSources(ctx, layout, requestId, []);
        const slots = await Promise.all(Array.from({ length: n }, (_, i) => contracts.getSlot(requestId, i)));
        const dir = mkdtempSync(join(tmpdir(), "tessera-verify-"));
        try {
          const checks: ShardCheck[] = await Promise.all(
            holders.map(async (h): Promise<ShardCheck> => {
              const slot = slots[h.shard]!;
              const base: ShardCheck = {
                shard: h.shard,
                slotState: SLOT_STATES[slot.state] ?? String(slot.state),
                ...(slot.state === 1 ? { provider: slot.provider } : {}),
                ...(h.endpoint ? { endpoint: h.endpoint } : {}),
                misses: slot.misses,
                status: "ok",
              };
              if (slot.state !== 1 || !h.endpoint) return { ...base, status: "vacant", reason: "no provider holds this slot" };
              const file = join(dir, `shard-${h.shard}`);
              try {
                const reason = await checkShard(h.endpoint, layout.shards[h.shard]!, layout.shardSize, file);
                return reason ? { ...base, status: "corrupt", reason, file } : { ...base, file };
              } catch (error) {
                return { ...base, status: "unreachable", reason: (error as Error).message };
              }
            }),
          );
          const good = new Map(checks.filter((c) => c.status === "ok").map((c) => [c.shard, c.file!] as const));
          for (const c of checks.filter((x) => x.status === "corrupt")) {
            if (good.size >= layout.k) c.badLeaf = await findBadLeaf(layout, c.shard, c.file!, good);
          }
          // Targeted challenges on corrupt slots.
          if (opts.challenge) {
            const records = readChallenges(ctx);
            for (const c of checks.filter((x) => x.status === "corrupt" && x.provider)) {
              const leaf = c.badLeaf ?? 0;
              // Posts the targeted-challenge bond (approved first if the allowance is short).
              const challenge = await challengeSlot(await ctx.tesseraClient(), { requestId, slot: c.shard, leaf: BigInt(leaf) });
              c.challengeId = challenge.challengeId.toString();
              records.push({
                id: c.challengeId,
                requestId,
                slot: c.shard,
                leaf,
                provider: c.provider!,
                deadlineBlock: challenge.deadlineBlock.toString(),
              });
            }
            writeFileSync(challengesFile(ctx), JSON.stringify(records, null, 2));
          }
          const proofs = await Promise.all(
            checks.map(async (c) =>
              c.provider && currentPeriod > 0n
                ? contracts.read<boolean>("Marketplace", "isProven", [c.provider, currentPeriod - 1n]).catch(() => undefined)
                : undefined,
            ),
          );
          const result = {
            path: sdk.normalizePath(path),
            requestId,
            state: REQUEST_STATES[request.state] ?? String(request.state),
            filled: request.filled,
            freed: request.freed,
            startPeriod: request.startPeriod,
            endPeriod: request.endPeriod,
            currentPeriod,
            shards: checks.map((c, i) => ({ ...c, file: undefined, provenLastPeriod: proofs[i] })),
            challenges: settled,
          };
          const corrupt = checks.filter((c) => c.status === "corrupt");
          const missing = checks.filter((c) => c.status === "unreachable" || c.status === "vacant");
          ctx.print(
            () =>
              [
                `${result.path}: deal ${requestId} ${result.state}, ${request.filled}/${n} slots filled` +
                  (request.state === 2 ? `, periods ${request.startPeriod}–${request.endPeriod} (now ${currentPeriod})` : ""),
                table([
                  ["SHARD", "SLOT", "PROVIDER", "STATUS", "PROVEN LAST PERIOD", "MISSES", "DETAIL"],
                  ...result.shards.map((c) => [
                    String(c.shard),
                    c.slotState,
                    c.provider ?? "-",
                    c.status,
                    c.provenLastPeriod === undefined ? "-" : c.provenLastPeriod ? "yes" : "no",
                    String(c.misses ?? 0),
                    [
                      c.reason ?? "",
                      c.badLeaf !== undefined ? `first bad leaf ${c.badLeaf}` : "",
                      c.challengeId ? `challenge #${c.challengeId} raised` : "",
                    ]
                      .filter(Boolean)
                      .join("; "),
                  ]),
                ]),
                ...settled.map((s) => `challenge #${s.id} (slot ${s.slot}, leaf ${s.leaf}): ${s.status}${s.settledTx ? " — marked failed, provider slashed" : ""}`),
                corrupt.length && !opts.challenge ? "Corrupt shards found: run again with --challenge to make the provider prove them on chain." : "",
              ]
                .filter(Boolean)
                .join("\n"),
            result,
          );
          if (corrupt.length > 0) process.exitCode = EXIT.INTEGRITY;
          else if (missing.length > 0) process.exitCode = EXIT.UNAVAILABLE;
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
    );
}
