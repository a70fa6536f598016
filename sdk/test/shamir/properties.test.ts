import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InsufficientSharesError, ShareFormatError } from "../../src/errors/shamir.ts";
import { parseShare, recoverSecret, splitSecret } from "../../src/shamir/shares.ts";

describe("Shamir properties (fast-check)", () => {
  it("any t or more distinct shares recover the secret; fewer fail clearly", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((s) => s.some((b) => b !== 0)),
        fc
          .integer({ min: 2, max: 7 })
          .chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 2, max: n }))),
        fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
        async (secret, [n, t], rnd) => {
          const { shares } = await splitSecret(secret, { threshold: t, total: n });
          const shuffled = shares
            .map((s) => [rnd.next().value as number, s] as const)
            .sort((a, b) => a[0] - b[0])
            .map(([, s]) => s);
          const count = 1 + Math.floor((rnd.next().value as number) * n);
          const subset = shuffled.slice(0, count);
          if (count >= t) expect(await recoverSecret(subset)).toEqual(secret);
          else await expect(recoverSecret(subset)).rejects.toThrow(InsufficientSharesError);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("any substitution of one data character is caught before recovery", async () => {
    const { shares } = await splitSecret(new Uint8Array(32).fill(9), { threshold: 2, total: 3 });
    const share = shares[0]!;
    const start = share.indexOf("-t2-") + 4;
    const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
    fc.assert(
      fc.property(
        fc.integer({ min: start, max: share.length - 1 }),
        fc.integer({ min: 0, max: 31 }),
        (i, a) => {
          if (share[i] === "-" || alphabet[a] === share[i]) return;
          const typo = share.slice(0, i) + alphabet[a] + share.slice(i + 1);
          expect(() => parseShare(typo)).toThrow(ShareFormatError);
        },
      ),
      { numRuns: 200 },
    );
  });
});
