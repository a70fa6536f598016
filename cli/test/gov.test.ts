/**
 * `tessera gov` end to end: a real in-process Hardhat chain (the protocol deployed through the
 * real Ignition module, 60 s voting delay, 300 s voting period, 60 s timelock delay) served over
 * HTTP to the CLI, which runs as a separate process like a user's: delegate → propose a fee change
 * → vote from three accounts → list → queue → execute after the delay → the fee changed; and the
 * bad inputs, each printing what to do instead with a non-zero exit code.
 */
import type {} from "@nomicfoundation/hardhat-toolbox-viem";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Address, type Hex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { marketplaceAbi, tesseraTokenAbi } from "@tessera/sdk/generated/abis";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(REPO, "cli", "src", "bin.ts");
const M = 1_000_000n * 10n ** 18n;

type Conn = Awaited<ReturnType<Awaited<typeof import("hardhat")>["network"]["create"]>>;

/** Hardhat's development accounts (public keys, local chain only). */
function devKey(index: number): { address: Address; key: Hex } {
  const a = mnemonicToAccount("test test test test test test test test test test test junk", {
    addressIndex: index,
  });
  return { address: a.address, key: `0x${Buffer.from(a.getHdKey().privateKey!).toString("hex")}` };
}

describe("tessera gov (CLI against a Hardhat chain)", () => {
  let conn: Conn;
  let server: Server;
  let rpcUrl: string;
  let home: string;
  let deploymentsDir: string;
  let addresses: Record<string, Address | number>;
  const [deployer, alice, bob, carol] = [0, 1, 2, 3].map(devKey) as [
    ReturnType<typeof devKey>,
    ReturnType<typeof devKey>,
    ReturnType<typeof devKey>,
    ReturnType<typeof devKey>,
  ];

  function tessera(
    who: { key: Hex },
    args: string[],
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        {
          env: {
            ...process.env,
            TESSERA_HOME: home,
            TESSERA_RPC_URL: rpcUrl,
            TESSERA_DEPLOYMENTS: deploymentsDir,
            TESSERA_PRIVATE_KEY: who.key,
          },
        },
        (error, stdout, stderr) => {
          if (process.env.GOV_TEST_DEBUG)
            console.log(
              `$ tessera ${args.join(" ")}\n${stdout}${stderr}[exit ${error ? error.code : 0}]`,
            );
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
        },
      );
    });
  }

  const increase = (s: number) => conn.networkHelpers.time.increase(s);

  beforeAll(async () => {
    process.chdir(REPO);
    const hre = await import("hardhat");
    if (
      !existsSync(`${REPO}/artifacts/contracts/governance/TesseraGovernor.sol/TesseraGovernor.json`)
    )
      await hre.tasks.getTask("build").run({ quiet: true });
    conn = await hre.network.create();
    // The real Ignition module with the local parameters; voting opens after 60 s.
    const { deployTessera } = await import("../../test/contracts/helpers/tessera.ts");
    const t = await deployTessera(conn, { governance: { votingDelay: 60n } });
    const publicClient = await conn.viem.getPublicClient();
    const [w0] = await conn.viem.getWalletClients();
    expect(w0!.account.address.toLowerCase()).toBe(deployer.address.toLowerCase());
    addresses = {
      chainId: await publicClient.getChainId(),
      deployBlock: 0,
      TesseraToken: t.token.address,
      Marketplace: t.marketplace.address,
      FileIndex: t.fileIndex.address,
      TesseraGovernor: t.governor.address,
      TesseraTimelock: t.timelock.address,
    };
    for (const [who, amount] of [
      [alice, 30n * M],
      [bob, 15n * M],
      [carol, 10n * M],
    ] as const)
      await w0!.writeContract({
        address: t.token.address,
        abi: tesseraTokenAbi,
        functionName: "transfer",
        args: [who.address, amount],
        chain: null,
      });

    home = mkdtempSync(join(tmpdir(), "tessera-gov-"));
    deploymentsDir = join(home, "deployments");
    mkdirSync(join(deploymentsDir, String(addresses.chainId)), { recursive: true });
    writeFileSync(
      join(deploymentsDir, String(addresses.chainId), "addresses.json"),
      JSON.stringify(addresses),
    );

    // Serve the in-process chain's EIP-1193 provider as JSON-RPC over HTTP for the CLI processes.
    const provider = conn.provider as unknown as {
      request(a: { method: string; params?: unknown[] }): Promise<unknown>;
    };
    type Rpc = { id: unknown; method: string; params?: unknown[] };
    const handle = async (m: Rpc) => {
      try {
        return { jsonrpc: "2.0", id: m.id, result: await provider.request(m) };
      } catch (e) {
        const err = e as { code?: number; message?: string; data?: unknown };
        return {
          jsonrpc: "2.0",
          id: m.id,
          error: { code: err.code ?? -32000, message: err.message ?? String(e), data: err.data },
        };
      }
    };
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", async () => {
        const msg = JSON.parse(body) as Rpc | Rpc[];
        const out = Array.isArray(msg) ? await Promise.all(msg.map(handle)) : await handle(msg);
        res.setHeader("content-type", "application/json");
        res.end(
          JSON.stringify(out, (_k, v: unknown) =>
            typeof v === "bigint" ? `0x${v.toString(16)}` : v,
          ),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    rpcUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 120_000);

  afterAll(async () => {
    if (server) {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    await conn?.close?.();
  });

  let id: string;

  it("lists nothing, and refuses to propose before the votes are delegated", async () => {
    const [empty, r] = await Promise.all([
      tessera(alice, ["gov", "list"]),
      tessera(alice, ["gov", "propose", "--set", "protocolFeeBps=250"]),
    ]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain("No proposals yet. Create one with `tessera gov propose`.");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("tessera: Proposing needs 1,000,000 TSR of delegated votes;");
    expect(r.stderr).toContain("delegate them to yourself (`tessera gov delegate`)");
  }, 60_000);

  it("delegates three accounts", async () => {
    const results = await Promise.all(
      [alice, bob, carol].map((w) => tessera(w, ["gov", "delegate"])),
    );
    for (const r of results) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/now vote for yourself/);
    }
    await conn.networkHelpers.mine();
    const status = await tessera(alice, ["--json", "gov", "status"]);
    expect(JSON.parse(status.stdout)).toMatchObject({
      votes: (30n * M).toString(),
      canPropose: true,
      delegatee: alice.address,
    });
  }, 60_000);

  it("refuses out-of-bounds and malformed proposals with exit code 2", async () => {
    const [out, json, unknown, none, dry, pay] = await Promise.all([
      tessera(alice, ["gov", "propose", "--set", "protocolFeeBps=5000"]),
      tessera(alice, ["--json", "gov", "propose", "--set", "slashBps=60%"]),
      tessera(alice, ["gov", "propose", "--set", "fee=1"]),
      tessera(alice, ["gov", "propose"]),
      tessera(alice, ["gov", "propose", "--set", "minStake=200tsr", "--dry-run"]),
      tessera(alice, ["gov", "propose", "--pay", "10", "--to", bob.address]),
    ]);
    expect(pay!.code).toBe(5);
    expect(pay!.stderr).toMatch(
      /The treasury \(the Timelock 0x\w+\) is empty, so it cannot pay 10 TSR\./,
    );
    expect(dry!.code, dry!.stderr).toBe(0);
    expect(dry!.stdout).toContain("Dry run: the change is within the hard limits.");
    expect(dry!.stdout).toContain("  | - minStake: 100 TSR → 200 TSR");
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(
      "protocolFeeBps = 5000 is outside its hard limits 0..1000; the change could never be executed. Propose a value in 0..1000.",
    );
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).error).toMatchObject({
      code: "ParameterOutOfRangeError",
      exitCode: 2,
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown parameter "fee"');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--set name=value (parameters) or --pay N --to ADDRESS");
  }, 60_000);

  it("proposes a fee change; a vote before the start is refused with the opening time", async () => {
    const r = await tessera(alice, [
      "--json",
      "gov",
      "propose",
      "--set",
      "protocolFeeBps=2.5%",
      "-m",
      "Fund audits.",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const body = JSON.parse(r.stdout) as {
      proposalId: string;
      changes: string[];
      description: string;
    };
    id = body.proposalId;
    expect(body.changes).toEqual(["protocolFeeBps: 100 (1 %) → 250 (2.5 %)"]);
    expect(body.description).toContain("Fund audits.");

    const early = await tessera(bob, ["gov", "vote", id, "for"]);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(
      /tessera: Voting has not started: it opens at \S+Z \(in (1 min|5\d s|1 min \d s)\)\. Vote after that\./,
    );
  }, 60_000);

  it("votes from three accounts; a second vote is refused", async () => {
    await increase(61);
    const votes = await Promise.all([
      tessera(alice, ["gov", "vote", id, "for", "--reason", "audits matter"]),
      tessera(bob, ["gov", "vote", id, "against"]),
      tessera(carol, ["gov", "vote", id, "abstain"]),
    ]);
    for (const v of votes) expect(v.code, v.stderr).toBe(0);
    expect(votes[0]!.stdout).toContain("Voted for proposal");
    expect(votes[1]!.stdout).toContain("Voted against proposal");
    expect(votes[0]!.stdout).toContain("with 30,000,000 TSR (reason: audits matter)");

    const [twice, list] = await Promise.all([
      tessera(bob, ["gov", "vote", id, "for"]),
      tessera(carol, ["--json", "gov", "list", "--block-range", "3"]),
    ]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain("has already voted on proposal");
    expect(twice.stderr).toContain("votes are final");

    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject([
      {
        id,
        state: "active",
        votes: {
          for: (30n * M).toString(),
          against: (15n * M).toString(),
          abstain: (10n * M).toString(),
        },
        quorum: (40n * M).toString(),
        hasVoted: true,
      },
    ]);
  }, 60_000);

  it("queues after the vote, refuses an early execute, executes after the delay", async () => {
    const open = await tessera(alice, ["gov", "queue", id]);
    expect(open.code).toBe(1);
    expect(open.stderr).toMatch(
      /Voting is still open until .*; queue the proposal after it closes/,
    );

    await increase(301);
    const q = await tessera(bob, ["gov", "queue", id.slice(0, 8)]); // a unique prefix works
    expect(q.code, q.stderr).toBe(0);
    expect(q.stdout).toMatch(/Queued proposal \d+: executable from \S+Z \(in (1 min|5\d s)\)\./);

    const early = await tessera(bob, ["--json", "gov", "execute", id]);
    expect(early.code).toBe(1);
    expect(JSON.parse(early.stdout).error).toMatchObject({ code: "TimelockNotReadyError" });
    expect(early.stderr).toMatch(
      /The timelock delay has not passed: the proposal can be executed at .*\. Execute it after that\./,
    );

    await increase(61);
    const done = await tessera(carol, ["gov", "execute", id]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain(`Executed proposal ${id}.`);
    const publicClient = await conn.viem.getPublicClient();
    const params = await publicClient.readContract({
      address: addresses.Marketplace as Address,
      abi: marketplaceAbi,
      functionName: "params",
    });
    expect(params.protocolFeeBps).toBe(250);

    const [list, late, missing] = await Promise.all([
      tessera(alice, ["gov", "list"]),
      tessera(bob, ["gov", "vote", id, "for"]),
      tessera(alice, ["gov", "show", "42"]),
    ]);
    expect(list.stdout).toContain(
      "EXECUTED  Change protocol parameters: protocolFeeBps: 100 → 250",
    );
    expect(list.stdout).toContain("→ Marketplace.setParams(the parameters now in effect)");
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(
      /Voting closed at \S+Z \(.* ago\); the proposal is executed\. Votes can no longer be cast\./,
    );
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain("No proposal 42");
  }, 60_000);
});
