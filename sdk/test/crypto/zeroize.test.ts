import { describe, expect, it } from "vitest";
import { withSecret, zeroize } from "../../src/crypto/zeroize.ts";

describe("zeroize", () => {
  it("clears buffers, also when the callback throws", async () => {
    const a = new Uint8Array([1, 2, 3]);
    zeroize(a, undefined);
    expect([...a]).toEqual([0, 0, 0]);
    const b = new Uint8Array([9, 9]);
    await expect(withSecret(b, () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect([...b]).toEqual([0, 0]);
    const c = new Uint8Array([5]);
    expect(await withSecret(c, (s) => s[0])).toBe(5);
    expect(c[0]).toBe(0);
  });
});
