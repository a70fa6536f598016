import { sha256 } from "@noble/hashes/sha2.js";
import { base32crockford } from "@scure/base";
import { describe, expect, it } from "vitest";
import { concatBytes, utf8 } from "../../src/crypto/bytes.ts";
import {
  InsufficientSharesError,
  ShareFormatError,
  ShareRecoveryError,
  ShareSetMismatchError,
} from "../../src/errors/shamir.ts";
import { generateMasterKey } from "../../src/keys/masterKey.ts";
import { recoverMasterKey, splitMasterKey } from "../../src/shamir/masterKeyBackup.ts";
import { parseShare, shareToQrString } from "../../src/shamir/shares.ts";

function subsets<T>(xs: T[]): T[][] {
  return xs.reduce<T[][]>((acc, x) => acc.concat(acc.map((s) => [...s, x])), [[]]);
}

/** Re-encode a share with a valid checksum but altered share bytes (what a forged share looks like). */
function forge(text: string): string {
  const m = /^(tessera-share-\d+-of-\d+-t\d+-)(.+)$/.exec(text)!;
  const payload = base32crockford.decode(m[2]!.replace(/-/g, "").toUpperCase());
  const body = payload.slice(0, 45);
  body[20]! ^= 0x55;
  const sum = sha256(concatBytes(utf8("tessera-share/v1\u0000"), body)).subarray(0, 4);
  return (
    m[1] +
    base32crockford
      .encode(concatBytes(body, sum))
      .match(/.{1,4}/g)!
      .join("-")
      .toLowerCase()
  );
}

describe("Shamir master-key backup", async () => {
  const key = generateMasterKey();
  const { shares, threshold, total } = await splitMasterKey(key, { threshold: 3, total: 5 });

  it("formats shares as checked, human-friendly text", () => {
    expect(threshold).toBe(3);
    expect(total).toBe(5);
    shares.forEach((s, i) => {
      expect(s).toMatch(
        new RegExp(
          `^tessera-share-${i + 1}-of-5-t3-([0-9a-hjkmnp-tv-z]{1,4}-)+[0-9a-hjkmnp-tv-z]{1,4}$`,
        ),
      );
      expect(parseShare(s)).toMatchObject({ index: i + 1, total: 5, threshold: 3 });
    });
    expect(new Set(shares.map((s) => parseShare(s).setId)).size).toBe(1);
  });

  it("recovers from every subset of at least 3 shares, and fails clearly for every smaller one", async () => {
    for (const subset of subsets(shares)) {
      if (subset.length >= 3) {
        expect(await recoverMasterKey(subset)).toEqual(key);
      } else {
        await expect(recoverMasterKey(subset)).rejects.toThrow(InsufficientSharesError);
      }
    }
    await expect(recoverMasterKey([shares[0]!, shares[1]!])).rejects.toThrow(
      /3 different shares are needed.*only 2 were given/,
    );
  });

  it("counts a repeated share once", async () => {
    await expect(recoverMasterKey([shares[0]!, shares[0]!, shares[1]!])).rejects.toThrow(
      InsufficientSharesError,
    );
  });

  it("accepts the QR form, any case, extra whitespace, and Crockford look-alikes", async () => {
    const qr = shares.map(shareToQrString);
    expect(qr[0]).toMatch(/^[0-9A-Z-]+$/);
    const messy = shares[2]!
      .replace(/0/g, "O")
      .replace(/1/g, "l")
      .toUpperCase()
      .replace(/-/g, "-\n ");
    expect(await recoverMasterKey([qr[0]!, ` ${shares[1]} `, messy])).toEqual(key);
  });

  it("catches every single-character typo before recovery, naming the share", () => {
    const s = shares[1]!;
    const dataStart = "tessera-share-2-of-5-t3-".length;
    let checked = 0;
    for (let i = dataStart; i < s.length; i++) {
      if (s[i] === "-") continue;
      const replacement = s[i] === "7" ? "8" : "7";
      const typo = s.slice(0, i) + replacement + s.slice(i + 1);
      let err: unknown;
      try {
        parseShare(typo, 1);
      } catch (e) {
        err = e;
      }
      // The last character carries 3 padding bits of 5: some substitutions there are rejected as
      // non-canonical encodings rather than by the checksum; either way the share is refused.
      expect(err, `typo at ${i}`).toBeInstanceOf(ShareFormatError);
      expect((err as ShareFormatError).shortMessage).toMatch(/^Share #2/);
      checked++;
    }
    expect(checked).toBeGreaterThan(70);
    expect(() => parseShare(s.replace("tessera-share-2-of-5", "tessera-share-3-of-5"))).toThrow(
      /header says share 3 of 5/,
    );
    expect(() => parseShare(s.slice(0, -5))).toThrow(/too few characters/);
    expect(() => parseShare("tessera-share-2-of-5-t3-UUUU")).toThrow(
      /"U", a character that cannot appear/,
    );
    expect(() => parseShare("hello")).toThrow(/should start with/);
  });

  it("refuses shares from two different backups", async () => {
    const other = await splitMasterKey(generateMasterKey(), { threshold: 3, total: 5 });
    await expect(recoverMasterKey([shares[0]!, shares[1]!, other.shares[2]!])).rejects.toThrow(
      ShareSetMismatchError,
    );
  });

  it("never returns a wrong key from an inconsistent share, and routes around it when it can", async () => {
    const forged = forge(shares[0]!);
    expect(() => parseShare(forged)).not.toThrow();
    await expect(recoverMasterKey([forged, shares[1]!, shares[2]!])).rejects.toThrow(
      ShareRecoveryError,
    );
    expect(await recoverMasterKey([forged, shares[1]!, shares[2]!, shares[3]!])).toEqual(key);
  });
});
