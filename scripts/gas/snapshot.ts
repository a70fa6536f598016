/**
 * Gas snapshot of the Marketplace's main calls, measured as real transaction gas (receipt
 * gasUsed: intrinsic cost, calldata at EIP-7623 pricing and execution) on the in-process Hardhat
 * chain (EVM prague). Shards are 16 MiB (2^18 segments, depth 18): every segment of a shard is the
 * same random 64 bytes, so each leaf has the same 352-byte proof and the script builds a depth-18
 * tree with 18 hashes; calldata is as non-zero as a real proof's.
 *
 *   npx hardhat run scripts/gas/snapshot.ts            # writes gas-snapshot/marketplace.json
 *   GAS_CHECK=1 npx hardhat run scripts/gas/snapshot.ts  # fails if a figure moved by more than 1 %
 *
 * (Suggested root script: "gas": "hardhat build && hardhat run scripts/gas/snapshot.ts".)
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { network } from "hardhat";
import type { Address, Hex } from "viem";
import { bytesToHex, concatHex, encodeAbiParameters, keccak256 } from "viem";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const OUT = join(ROOT, "gas-snapshot", "marketplace.json");
// `hardhat run` does not pass extra arguments through, so the check mode is an env variable.
const CHECK = process.env.GAS_CHECK === "1";

const DEPTH = 18;
const SHARD_SIZE = 64n << BigInt(DEPTH); // 16 MiB
const N_LEAVES = 1n << BigInt(DEPTH);
const PERIOD_BLOCKS = 300n; // long enough to prove, report and challenge inside one period
const TOKEN = 10n ** 18n;

const sha = (b: Uint8Array) => new Uint8Array(createHash("sha256").update(b).digest());
const NODE_PAD = new Uint8Array(32);
NODE_PAD[0] = 1;

/** A uniform depth-18 shard: root and the one proof every leaf shares. */
function uniformShard(): { root: Hex; proof: Hex } {
  const segment = randomBytes(64);
  let h = sha(segment).subarray(0, 16);
  const parts: Uint8Array[] = [segment];
  for (let d = 0; d < DEPTH; d++) {
    parts.push(h);
    const msg = new Uint8Array(64);
    msg.set(h, 0);
    msg.set(h, 16);
    msg.set(NODE_PAD, 32);
    h = sha(msg).subarray(0, 16);
  }
  return { root: bytesToHex(h), proof: bytesToHex(Buffer.concat(parts)) };
}

const params = {
  protocolFeeBps: 100,
  slashBps: 500,
  reporterRewardBps: 5000,
  repairBountyBps: 5000,
  maxMisses: 3,
  challengesPerPeriod: 1,
  missGracePeriods: 16,
  challengeWindowBlocks: 50,
  unbondingDelay: 0n,
  maxShardSize: 1n << 28n,
  maxDurationPeriods: 3650,
  targetedBond: TOKEN,
  minStake: 10n * TOKEN,
};

const connection = await network.create();
const { viem } = connection;
const publicClient = await viem.getPublicClient();
const testClient = await viem.getTestClient();
const wallets = await viem.getWalletClients();
const [deployer, client, reporter, measured, ...others] = wallets.map((w) => w.account.address);
const treasury = others.pop() as Address;

const token = await viem.deployContract("TesseraToken", [deployer]);
const market = await viem.deployContract("Marketplace", [
  token.address,
  deployer,
  treasury,
  PERIOD_BLOCKS,
  params,
]);
const as = async (account: Address) =>
  viem.getContractAt("Marketplace", market.address, {
    client: { wallet: await viem.getWalletClient(account) },
  });

const gas: Record<string, number> = {};
async function measure(name: string, tx: Promise<Hex>): Promise<bigint> {
  const receipt = await publicClient.waitForTransactionReceipt({ hash: await tx });
  if (receipt.status !== "success") throw new Error(`${name} reverted`);
  gas[name] = Number(receipt.gasUsed);
  return receipt.gasUsed;
}
async function send(tx: Promise<Hex>) {
  const receipt = await publicClient.waitForTransactionReceipt({ hash: await tx });
  if (receipt.status !== "success") throw new Error("setup transaction reverted");
}
async function mineTo(block: bigint) {
  const now = await publicClient.getBlockNumber();
  if (block > now) await testClient.mine({ blocks: Number(block - now) });
}
async function period(): Promise<bigint> {
  return (await publicClient.getBlockNumber()) / PERIOD_BLOCKS;
}
async function nextPeriod(offset = 1n) {
  await mineTo(((await period()) + 1n) * PERIOD_BLOCKS + offset);
}

// Accounts: everyone gets tokens, approves, providers register.
const providers = [measured, ...others];
for (const a of [client, reporter, ...providers]) {
  await send(token.write.transfer([a, 1_000_000n * TOKEN]));
  const t = await viem.getContractAt("TesseraToken", token.address, {
    client: { wallet: await viem.getWalletClient(a) },
  });
  await send(t.write.approve([market.address, 2n ** 256n - 1n]));
}
for (const p of providers) {
  await send(
    (await as(p)).write.register([
      100n * TOKEN,
      2n ** 63n,
      0n,
      "http://provider.example:8080",
      "/ip4/10.0.0.1/tcp/4001",
    ]),
  );
}

const mClient = await as(client);
type Shard = { root: Hex; proof: Hex };
const requests: { id: Hex; shards: Shard[] }[] = [];
async function createRequest(k: number, m: number, name?: string) {
  const shards = Array.from({ length: k + m }, uniformShard);
  const block = await publicClient.getBlock();
  const p = {
    k,
    m,
    shardSize: SHARD_SIZE,
    durationPeriods: 30,
    pricePerSlotPeriod: TOKEN,
    collateralPerSlot: 10n * TOKEN,
    fillDeadline: block.timestamp + 86_400n,
    roots: shards.map((s) => s.root),
    cids: shards.map(
      (_, i) => `bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku${i % 10}`,
    ),
  };
  const nonce = await market.read.clientNonce([client]);
  const tx = mClient.write.createRequest([p]);
  if (name) await measure(name, tx);
  else await send(tx);
  const id = keccak256(
    encodeAbiParameters([{ type: "address" }, { type: "uint256" }], [client, nonce]),
  );
  requests.push({ id, shards });
  return requests[requests.length - 1]!;
}
async function fill(
  req: { id: Hex; shards: Shard[] },
  slot: number,
  provider: Address,
  name?: string,
) {
  const proofBlock = (await publicClient.getBlockNumber()) - 1n;
  const tx = (await as(provider)).write.fillSlot([
    req.id,
    BigInt(slot),
    proofBlock,
    req.shards[slot]!.proof,
  ]);
  if (name) return measure(name, tx);
  return send(tx);
}
async function proofsOf(provider: Address, p: bigint): Promise<Hex> {
  const cs = await market.read.challengesFor([provider, p]);
  return concatHex(
    cs.map((c) => requests.find((r) => r.id === c.id)!.shards[Number(c.slot)]!.proof),
  );
}

// ---- createRequest (n = 14) and fills
const big = await createRequest(10, 4, "createRequest (k=10, m=4, 16 MiB shards)");
await fill(big, 0, providers[0]!, "fillSlot (16 MiB shard, 4 units)");
for (let s = 1; s < 13; s++) await fill(big, s, providers[s]!);
await fill(big, 13, providers[13]!, "fillSlot (last slot: starts the deal)");

// The measured provider also holds one slot in 19 more requests: 20 slots, 80 units.
for (let i = 0; i < 19; i++) {
  const r = await createRequest(1, 1);
  await fill(r, 0, measured);
}

// ---- submitProofs, 1 challenge (second period in the bitmap word: the usual case)
const mMeasured = await as(measured);
await nextPeriod();
await send(market.write.recordSeed([await period()]));
await send(
  mMeasured.write.submitProofs([await period(), await proofsOf(measured, await period())]),
);
await nextPeriod();
await send(market.write.recordSeed([await period()]));
await measure(
  "submitProofs (1 challenge, depth 18)",
  mMeasured.write.submitProofs([await period(), await proofsOf(measured, await period())]),
);

// ---- submitProofs, 8 challenges (the default c)
await send(market.write.setParams([{ ...params, challengesPerPeriod: 8 }]));
await nextPeriod();
await send(market.write.recordSeed([await period()]));
await measure(
  "submitProofs (8 challenges, depth 18)",
  mMeasured.write.submitProofs([await period(), await proofsOf(measured, await period())]),
);

// ---- submitProofs, 50 challenges
await send(market.write.setParams([{ ...params, challengesPerPeriod: 50 }]));
await nextPeriod();
await send(market.write.recordSeed([await period()]));
const batch = await proofsOf(measured, await period());
const g50 = await measure(
  "submitProofs (50 challenges, depth 18)",
  mMeasured.write.submitProofs([await period(), batch]),
);
gas["submitProofs (50 challenges) per challenge"] = Math.round(Number(g50) / 50);

// ---- markProofAsMissing (providers[1] did not prove the last closed period) and withdraw
const missed = await period();
await nextPeriod();
await measure("recordSeed", market.write.recordSeed([await period()]));
await measure(
  "markProofAsMissing",
  (await as(reporter)).write.markProofAsMissing([providers[1]!, missed]),
);
await measure("withdraw", (await as(reporter)).write.withdraw());

// ---- targeted challenge and answer
const leaf = 123_456n;
await measure(
  "challengeSlot (targeted)",
  (await as(reporter)).write.challengeSlot([big.id, 2n, leaf]),
);
const challengeId = 1n;
await measure(
  "answerChallenge (depth 18)",
  (await as(providers[2]!)).write.answerChallenge([challengeId, big.shards[2]!.proof]),
);

// ---- claimSlot mid-deal
await measure("claimSlot (mid-deal)", (await as(providers[0]!)).write.claimSlot([big.id, 0n]));

const snapshot = {
  note: "receipt gasUsed on the in-process Hardhat chain, EVM prague (EIP-7623 calldata floor), solc 0.8.30; regenerate with scripts/gas/snapshot.ts",
  calldataBytesPerChallenge: 64 + 16 * DEPTH,
  nLeaves: Number(N_LEAVES),
  gas,
};
console.log(JSON.stringify(snapshot, null, 2));

if (CHECK) {
  if (!existsSync(OUT)) throw new Error(`${OUT} is missing: run without --check first`);
  const old = JSON.parse(readFileSync(OUT, "utf8")) as typeof snapshot;
  const moved = Object.entries(gas).filter(([k, v]) => {
    const before = old.gas[k];
    return before === undefined || Math.abs(v - before) > before * 0.01;
  });
  if (moved.length > 0) {
    console.error(
      "gas moved by more than 1 %:",
      moved.map(([k, v]) => `${k}: ${old.gas[k]} → ${v}`).join("; "),
    );
    process.exit(1);
  }
} else {
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(snapshot, null, 2) + "\n");
  console.error(`wrote ${OUT}`);
}
