/**
 * The user's view of the whole system: real chain, deployed contracts, six provider processes
 * and the `tessera` CLI. Files of 0 B, 1 B, 1 MiB + 1 and 64 MiB go up and come back identical;
 * share links open with and without a password; a fresh device recovers the master key from
 * 3 of 5 Shamir shares and finds every file; with 4+2, two providers down is survivable and a
 * third is not (the error names the missing shards).
 */
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { client, ok, startTestStack, type Client, type TestStack } from "./helpers.ts";

async function sha256(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Writes `size` random bytes without holding them in memory. */
async function randomFile(path: string, size: number): Promise<void> {
  const out = createWriteStream(path);
  for (let left = size; left > 0; ) {
    const n = Math.min(left, 1 << 20);
    if (!out.write(randomBytes(n))) await new Promise<void>((r) => out.once("drain", () => r()));
    left -= n;
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

describe("tessera end to end", () => {
  let stack: TestStack;
  let alice: Client;
  let work: string;

  beforeAll(async () => {
    stack = await startTestStack("files");
    alice = client(stack, 0);
    work = mkdtempSync(join(stack.tmp, "files-"));
    await ok(alice, ["keys", "init"]);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const sizes: Array<[string, number]> = [
    ["empty", 0],
    ["one-byte", 1],
    ["mib-plus-one", (1 << 20) + 1],
    ["sixty-four-mib", 64 << 20],
  ];

  it("stores files of 0 B, 1 B, 1 MiB + 1 and 64 MiB and returns them byte for byte", async () => {
    for (const [name, size] of sizes) {
      const source = join(work, name);
      await randomFile(source, size);
      const put = await ok(alice, ["--json", "put", source, "--redundancy", "4+2", "--duration", "2000p"]);
      expect(put.json.files[0]).toMatchObject({ path: name, version: 1, size });
      expect(put.json.files[0].requestId).toMatch(/^0x[0-9a-f]{64}$/);
    }
    const ls = await ok(alice, ["--json", "ls"]);
    expect(ls.json.files.map((f: { path: string }) => f.path).sort()).toEqual(sizes.map(([n]) => n).sort());
    for (const [name] of sizes) {
      const out = join(work, `${name}.out`);
      await ok(alice, ["get", name, "-o", out]);
      expect(await sha256(out), name).toBe(await sha256(join(work, name)));
    }
  });

  it("keeps versions: a second put of a path adds version 2, and --version 1 still returns the first", async () => {
    const path = join(work, "notes.txt");
    writeFileSync(path, "first version\n");
    await ok(alice, ["put", path, "--duration", "2000p"]);
    writeFileSync(path, "second version\n");
    const put = await ok(alice, ["--json", "put", path, "--duration", "2000p"]);
    expect(put.json.files[0].version).toBe(2);
    await ok(alice, ["get", "notes.txt", "-o", join(work, "v1"), "--version", "1"]);
    await ok(alice, ["get", "notes.txt", "-o", join(work, "v2")]);
    expect(readFileSync(join(work, "v1"), "utf8")).toBe("first version\n");
    expect(readFileSync(join(work, "v2"), "utf8")).toBe("second version\n");

    await ok(alice, ["rm", "notes.txt", "--version", "1"]);
    const versions = await ok(alice, ["--json", "ls", "--all-versions"]);
    expect(versions.json.files.filter((f: { path: string }) => f.path === "notes.txt").map((f: { version: number }) => f.version)).toEqual([2]);
    const gone = await alice.run(["get", "notes.txt", "--version", "1", "-o", join(work, "v1-again")]);
    expect(gone.code).toBe(4);
  });

  it("stores a directory file by file under its name (or --as)", async () => {
    const dir = join(work, "album");
    mkdirSync(join(dir, "2024"), { recursive: true });
    writeFileSync(join(dir, "cover.txt"), "cover\n");
    writeFileSync(join(dir, "2024", "track.txt"), "track\n");
    const put = await ok(alice, ["--json", "put", dir, "--as", "music/album", "--duration", "2000p"]);
    expect(put.json.files.map((f: { path: string }) => f.path).sort()).toEqual(["music/album/2024/track.txt", "music/album/cover.txt"]);
    const ls = await ok(alice, ["--json", "ls", "music"]);
    expect(ls.json.files).toHaveLength(2);
    await ok(alice, ["get", "music/album/2024/track.txt", "-o", join(work, "track.out")]);
    expect(readFileSync(join(work, "track.out"), "utf8")).toBe("track\n");
  });

  it("shares a file by link, with and without a password; a wrong password is refused", async () => {
    const stranger = client(stack, 1); // another account, no master key at all
    const plain = (await ok(alice, ["share", "mib-plus-one"])).stdout.trim();
    expect(plain).toMatch(/^tessera:\/\/share\/i\/.+#k=/);
    await ok(stranger, ["get", plain, "-o", join(work, "shared-plain")]);
    expect(await sha256(join(work, "shared-plain"))).toBe(await sha256(join(work, "mib-plus-one")));

    const locked = (await ok(alice, ["share", "mib-plus-one", "--password", "open sesame"])).stdout.trim();
    const wrong = await stranger.run(["get", locked, "-o", join(work, "shared-wrong"), "--password", "open barley"]);
    expect(wrong.code).toBe(7);
    expect(wrong.stderr).toMatch(/wrong password/i);
    const none = await stranger.run(["get", locked, "-o", join(work, "shared-none")]);
    expect(none.code).toBe(7);
    expect(none.stderr).toMatch(/password/i);
    await ok(stranger, ["get", locked, "-o", join(work, "shared-locked"), "--password", "open sesame"]);
    expect(await sha256(join(work, "shared-locked"))).toBe(await sha256(join(work, "mib-plus-one")));
  });

  it("recovers on a new device from 3 of 5 Shamir shares: ls shows every file and get returns it", async () => {
    const split = await ok(alice, ["--json", "keys", "split", "--shares", "5", "--threshold", "3"]);
    const shares: string[] = split.json.shares;
    expect(shares).toHaveLength(5);
    const laptop = client(stack, 0); // same wallet, empty TESSERA_HOME
    const noKey = await laptop.run(["ls"]);
    expect(noKey.code).toBe(3);
    const twoOnly = await laptop.run(["keys", "recover", "--share", shares[0]!, "--share", shares[3]!]);
    expect(twoOnly.code).toBe(7);
    await ok(laptop, ["keys", "recover", "--share", shares[4]!, "--share", shares[1]!, "--share", shares[2]!]);
    const ls = await ok(laptop, ["--json", "ls"]);
    expect(ls.json.files.map((f: { path: string }) => f.path)).toEqual(expect.arrayContaining([...sizes.map(([n]) => n), "notes.txt"]));
    await ok(laptop, ["get", "mib-plus-one", "-o", join(work, "recovered")]);
    expect(await sha256(join(work, "recovered"))).toBe(await sha256(join(work, "mib-plus-one")));
  });

  it("with 4+2, still downloads with two providers stopped; a third stopped fails naming the missing shards", async () => {
    const deals = await ok(alice, ["--json", "deals", "--slots"]);
    const ls = await ok(alice, ["--json", "ls"]);
    const requestId = ls.json.files.find((f: { path: string }) => f.path === "sixty-four-mib").requestId;
    const deal = deals.json.deals.find((d: { id: string }) => d.id === requestId);
    const holder = (slot: number) => deal.slots[slot].provider.toLowerCase();
    const indexOf = (address: string) => stack.providers.findIndex((p) => p.account.address.toLowerCase() === address);
    // With three providers down the file index may be unreadable too (its shards live on the same
    // six providers), so the last step reads the file through a share link made now.
    const link = (await ok(alice, ["share", "sixty-four-mib"])).stdout.trim();

    await stack.stopProvider(indexOf(holder(0)));
    await stack.stopProvider(indexOf(holder(3)));
    await ok(alice, ["get", "sixty-four-mib", "-o", join(work, "degraded")]);
    expect(await sha256(join(work, "degraded"))).toBe(await sha256(join(work, "sixty-four-mib")));

    await ok(alice, ["get", link, "-o", join(work, "degraded-link")]);

    await stack.stopProvider(indexOf(holder(5)));
    const failed = await alice.run(["get", link, "-o", join(work, "lost")]);
    expect(failed.code).toBe(6);
    expect(failed.stderr).toMatch(/Cannot rebuild/);
    for (const shard of [0, 3, 5]) expect(failed.stderr).toContain(`shard ${shard}`);
  });
});
