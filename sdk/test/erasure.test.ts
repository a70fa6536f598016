import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ErasureParamsError,
  NotEnoughShardsError,
  loadErasureCoder,
  validateErasureParams,
} from "../src/erasure/index.ts";

/**
 * Independent reference: systematic Reed-Solomon over GF(2^8) (polynomial x^8+x^4+x^3+x^2+1,
 * 0x11D, generator 2) from a Vandermonde matrix V (n × k, V[r][c] = r^c) made systematic as
 * V · inverse(top k × k of V) — the construction of Backblaze / klauspost / reed-solomon-erasure,
 * written here from scratch with log/exp tables and Gauss-Jordan inversion.
 */
const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255]!;
}
const mul = (a: number, b: number) => (a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!);
const pow = (a: number, e: number) => (e === 0 ? 1 : a === 0 ? 0 : EXP[(LOG[a]! * e) % 255]!);
const inv = (a: number) => EXP[255 - LOG[a]!]!;

function invert(matrix: number[][]): number[][] {
  const size = matrix.length;
  const a = matrix.map((row, i) => [
    ...row,
    ...Array.from({ length: size }, (_, j) => (i === j ? 1 : 0)),
  ]);
  for (let c = 0; c < size; c++) {
    const p = a.findIndex((row, r) => r >= c && row[c] !== 0);
    if (p < 0) throw new Error("singular");
    [a[c], a[p]] = [a[p]!, a[c]!];
    const f = inv(a[c]![c]!);
    a[c] = a[c]!.map((v) => mul(v, f));
    for (let r = 0; r < size; r++) {
      if (r === c || a[r]![c] === 0) continue;
      const g = a[r]![c]!;
      a[r] = a[r]!.map((v, j) => v ^ mul(g, a[c]![j]!));
    }
  }
  return a.map((row) => row.slice(size));
}

function referenceParity(data: Uint8Array[], k: number, m: number): Uint8Array[] {
  const n = k + m;
  const vandermonde = Array.from({ length: n }, (_, r) =>
    Array.from({ length: k }, (_, c) => pow(r, c)),
  );
  const topInverse = invert(vandermonde.slice(0, k));
  const coding = vandermonde.map((row) =>
    Array.from({ length: k }, (_, c) =>
      row.reduce((acc, v, j) => acc ^ mul(v, topInverse[j]![c]!), 0),
    ),
  );
  const size = data[0]!.length;
  return coding.slice(k).map((row) => {
    const out = new Uint8Array(size);
    for (let j = 0; j < k; j++) {
      const coef = row[j]!;
      const d = data[j]!;
      for (let b = 0; b < size; b++) out[b]! ^= mul(coef, d[b]!);
    }
    return out;
  });
}

describe("erasure: Reed-Solomon", () => {
  it.each([
    [10, 4],
    [4, 2],
    [1, 1],
    [3, 5],
    [20, 10],
  ])("k=%i m=%i: parity equals the independent GF(2^8) reference", async (k, m) => {
    const coder = await loadErasureCoder({ k, m });
    const piece = 257;
    const stripe = new Uint8Array((k + m) * piece);
    stripe.set(randomBytes(k * piece));
    coder.encode(stripe);
    const data = Array.from({ length: k }, (_, i) => stripe.subarray(i * piece, (i + 1) * piece));
    const expected = referenceParity(data, k, m);
    expected.forEach((p, j) =>
      expect(Buffer.from(stripe.subarray((k + j) * piece, (k + j + 1) * piece)).equals(p)).toBe(
        true,
      ),
    );
  });

  it("property: any k of n pieces rebuild the stripe (10+4)", async () => {
    const coder = await loadErasureCoder({ k: 10, m: 4 });
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray([...Array(14).keys()], { minLength: 10, maxLength: 10 }),
        fc.integer({ min: 1, max: 300 }),
        async (keep, piece) => {
          const stripe = new Uint8Array(14 * piece);
          stripe.set(randomBytes(10 * piece));
          coder.encode(stripe);
          const damaged = stripe.slice();
          const present = Array.from({ length: 14 }, (_, i) => keep.includes(i));
          present.forEach((p, i) => p || damaged.fill(0xee, i * piece, (i + 1) * piece));
          coder.reconstruct(damaged, present);
          // every piece, parity included (a repairer rebuilds parity shards too)
          expect(Buffer.from(damaged).equals(stripe)).toBe(true);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("property: reconstructData rebuilds the data pieces from any k or more of n (10+4, 4+3)", async () => {
    for (const [k, m] of [
      [10, 4],
      [4, 3],
    ] as const) {
      const n = k + m;
      const coder = await loadErasureCoder({ k, m });
      await fc.assert(
        fc.asyncProperty(
          fc.shuffledSubarray([...Array(n).keys()], { minLength: k, maxLength: n }),
          fc.integer({ min: 1, max: 200 }),
          async (keep, piece) => {
            const stripe = new Uint8Array(n * piece);
            stripe.set(randomBytes(k * piece));
            coder.encode(stripe);
            const damaged = stripe.slice();
            const present = Array.from({ length: n }, (_, i) => keep.includes(i));
            present.forEach((p, i) => p || damaged.fill(0xee, i * piece, (i + 1) * piece));
            coder.reconstructData(damaged, present);
            expect(
              Buffer.from(damaged.subarray(0, k * piece)).equals(stripe.subarray(0, k * piece)),
            ).toBe(true);
          },
        ),
        { numRuns: 40 },
      );
    }
  });

  it("k−1 pieces fail with NotEnoughShardsError naming the missing shards", async () => {
    const coder = await loadErasureCoder({ k: 4, m: 2 });
    const stripe = new Uint8Array(6 * 10);
    const present = [true, false, true, false, true, false];
    const error = (() => {
      try {
        coder.reconstruct(stripe, present);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NotEnoughShardsError);
    expect((error as NotEnoughShardsError).missing).toEqual([1, 3, 5]);
    expect((error as NotEnoughShardsError).message).toContain("missing shards: 1, 3, 5");
  });

  it("validates k and m", () => {
    expect(() => validateErasureParams({ k: 10, m: 4 })).not.toThrow();
    for (const bad of [
      { k: 0, m: 4 },
      { k: 10, m: 0 },
      { k: 1.5, m: 2 },
      { k: 200, m: 56 },
      { k: 256, m: 1 },
      { k: NaN, m: 1 },
    ])
      expect(() => validateErasureParams(bad)).toThrow(ErasureParamsError);
  });
});
