import { describe, expect, it } from "vitest";
import { formatBytes, formatTokens } from "../src/chain.ts";
import { parseDuration, parseRedundancy } from "../src/duration.ts";
import { CliError } from "../src/errors.ts";
import { rankProviders, reputationOf } from "../src/select.ts";
import { parsePointer } from "../src/files.ts";

const provider = (over: Partial<Parameters<typeof reputationOf>[0]> & { address?: `0x${string}` } = {}) => ({
  address: "0x0000000000000000000000000000000000000001" as `0x${string}`,
  registered: true,
  stake: 10n ** 20n,
  unbonding: 0n,
  unbondingReadyAt: 0n,
  capacityBytes: 1n << 30n,
  usedBytes: 0n,
  pricePerBytePeriod: 1n,
  httpEndpoint: "", // no endpoint: never pinged
  multiaddr: "",
  slotsFilled: 0,
  proofsSubmitted: 0,
  proofsMissed: 0,
  slashes: 0,
  repairs: 0,
  consecutiveMisses: 0,
  activeSlots: 0,
  ...over,
});

describe("argument parsing", () => {
  it("reads durations in time units or periods", () => {
    expect(parseDuration("30d")).toEqual({ seconds: 30 * 86400 });
    expect(parseDuration("12h")).toEqual({ seconds: 12 * 3600 });
    expect(parseDuration("40p")).toEqual({ periods: 40 });
    expect(parseDuration("7 periods")).toEqual({ periods: 7 });
    expect(() => parseDuration("soon")).toThrow(CliError);
  });

  it("accepts k+m with 1 ≤ m ≤ k and refuses the rest with a usage error", () => {
    expect(parseRedundancy("4+2")).toEqual({ k: 4, m: 2 });
    expect(parseRedundancy("10 + 4")).toEqual({ k: 10, m: 4 });
    for (const bad of ["4", "2+4", "0+0", "200+100", "a+b"]) {
      expect(() => parseRedundancy(bad), bad).toThrow(/redundancy/);
    }
  });

  it("parses only well-formed index pointers", () => {
    const id = `0x${"ab".repeat(32)}`;
    expect(parsePointer(`tsi1:${id}:AAAAAAAAAAAAAAAAAAAAAA`)).toEqual({ requestId: id, fileId: "AAAAAAAAAAAAAAAAAAAAAA" });
    expect(parsePointer("bafy...")).toBeUndefined();
    expect(parsePointer(`tsi1:${id}`)).toBeUndefined();
  });
});

describe("formatting", () => {
  it("formats token amounts and byte sizes for people", () => {
    expect(formatTokens(1_500_000_000_000_000_000n)).toBe("1.5");
    expect(formatTokens(0n)).toBe("0");
    expect(formatTokens(262_144n)).toBe("262144 wei");
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(64n << 20n)).toBe("64.0 MiB");
  });
});

describe("provider ranking", () => {
  it("scores a clean proof record above misses and slashes", () => {
    expect(reputationOf(provider())).toBe(1);
    expect(reputationOf(provider({ proofsSubmitted: 9, proofsMissed: 1 }))).toBeCloseTo(0.9);
    expect(reputationOf(provider({ proofsSubmitted: 10, slashes: 1 }))).toBe(0.5);
  });

  it("marks unreachable, full and too-expensive providers ineligible, each with its reason", async () => {
    const ranked = await rankProviders(
      [
        provider({ address: "0x00000000000000000000000000000000000000a1", registered: false }),
        provider({ address: "0x00000000000000000000000000000000000000a2" }),
      ],
      { shardSize: 1024n, maxPricePerSlotPeriod: 10n },
    );
    expect(ranked.map((p) => p.eligible)).toEqual([false, false]);
    expect(ranked.map((p) => p.reason).sort()).toEqual(["endpoint unreachable", "not registered"]);
  });
});
