/**
 * Shamir backup of the master key: t-of-n shares with `shamir-secret-sharing` (audited; GF(2^8),
 * random x-coordinates, share = y-bytes ‖ x), encoded as text a person can copy by hand or scan.
 *
 * Share payload (49 bytes):
 *   version (1) = 1 ‖ setId (4, random per backup) ‖ t (1) ‖ n (1) ‖ index (1, 1..n) ‖
 *   keyCheck (4, crypto/keyCheck.ts of the secret) ‖ shamir share (33) ‖ checksum (4)
 *   checksum = SHA-256("tessera-share/v1" ‖ 0x00 ‖ the first 45 bytes)[0:4]
 *
 * Text form: `tessera-share-<index>-of-<n>-t<t>-` + Crockford base32 of the payload in groups of 4,
 * e.g. `tessera-share-2-of-5-t3-0A1B-…-XY`. Crockford's alphabet has no I, L, O or U and decoding
 * maps I/L→1 and O→0, and is case-insensitive, so the common misreadings are harmless; anything else
 * is caught by the 32-bit checksum before recovery (and the header must agree with the payload).
 * QR form: the same text in upper case, which is all in the QR alphanumeric set (compact codes).
 *
 * Recovery checks that all shares belong to one backup (setId), that at least t distinct shares are
 * given, and verifies the reconstructed key against keyCheck: a wrong set fails, it never returns a
 * wrong key. With more than t shares, a share that is internally valid but inconsistent (forged or
 * from a bug) is identified by trying t-subsets.
 */
import { base32crockford } from "@scure/base";
import { combine, split } from "shamir-secret-sharing";
import { concatBytes, equalBytes, toHex, utf8 } from "../crypto/bytes.ts";
import { keyCheckValue } from "../crypto/keyCheck.ts";
import { randomBytes } from "../crypto/random.ts";
import { sha256 } from "@noble/hashes/sha2.js";
import { zeroize } from "../crypto/zeroize.ts";
import {
  InsufficientSharesError,
  ShareFormatError,
  ShareRecoveryError,
  ShareSetMismatchError,
} from "../errors/shamir.ts";

export const SHARE_VERSION = 1;
const SECRET_BYTES = 32;
const BODY_BYTES = 1 + 4 + 1 + 1 + 1 + 4 + (SECRET_BYTES + 1);
const PAYLOAD_BYTES = BODY_BYTES + 4;
const PAYLOAD_CHARS = Math.ceil((PAYLOAD_BYTES * 8) / 5);
const CHECKSUM_LABEL = utf8("tessera-share/v1\u0000");
const HEADER = /^tessera-share-(\d{1,3})-of-(\d{1,3})-t(\d{1,3})-(.+)$/;

export type ParsedShare = {
  index: number;
  total: number;
  threshold: number;
  /** Identifies the backup the share belongs to (hex, 8 chars). */
  setId: string;
  keyCheck: Uint8Array;
  /** The raw share for shamir-secret-sharing (33 bytes). */
  share: Uint8Array;
};

export type SplitResult = { shares: string[]; setId: string; threshold: number; total: number };

const checksum = (body: Uint8Array) => sha256(concatBytes(CHECKSUM_LABEL, body)).subarray(0, 4);

function encodeShare(p: ParsedShare, setId: Uint8Array): string {
  const body = concatBytes(
    Uint8Array.of(SHARE_VERSION),
    setId,
    Uint8Array.of(p.threshold, p.total, p.index),
    p.keyCheck,
    p.share,
  );
  const payload = concatBytes(body, checksum(body));
  const groups = base32crockford
    .encode(payload)
    .match(/.{1,4}/g)!
    .join("-");
  return `tessera-share-${p.index}-of-${p.total}-t${p.threshold}-${groups}`.toLowerCase();
}

/** Split a 32-byte key into `total` shares, any `threshold` of which recover it (2 ≤ t ≤ n ≤ 255). */
export async function splitSecret(
  secret: Uint8Array,
  options: { threshold: number; total: number },
): Promise<SplitResult> {
  const { threshold, total } = options;
  if (!(secret instanceof Uint8Array) || secret.length !== SECRET_BYTES)
    throw new RangeError(`the secret must be ${SECRET_BYTES} bytes`);
  if (
    !Number.isInteger(threshold) ||
    !Number.isInteger(total) ||
    threshold < 2 ||
    total < threshold ||
    total > 255
  ) {
    throw new RangeError(
      `need 2 ≤ threshold ≤ total ≤ 255, got threshold ${threshold}, total ${total}`,
    );
  }
  const raw = await split(secret, total, threshold);
  const setId = randomBytes(4);
  const keyCheck = keyCheckValue(secret);
  const shares = raw.map((share, i) =>
    encodeShare({ index: i + 1, total, threshold, setId: toHex(setId), keyCheck, share }, setId),
  );
  zeroize(...raw);
  return { shares, setId: toHex(setId), threshold, total };
}

/** The QR-ready form of a share (upper case: QR alphanumeric mode). */
export function shareToQrString(share: string): string {
  return share.trim().toUpperCase();
}

/** Parse and check one share's text (any case, surrounding or inner whitespace ignored). */
export function parseShare(text: string, position?: number): ParsedShare {
  const opt = position === undefined ? {} : { position };
  if (typeof text !== "string") throw new ShareFormatError("it is not text", opt);
  const normalized = text.replace(/\s+/g, "").toLowerCase();
  const m = HEADER.exec(normalized);
  if (!m) throw new ShareFormatError('it should start with "tessera-share-<i>-of-<n>-t<t>-"', opt);
  const [, hIndex, hTotal, hThreshold, data] = m;
  const chars = data!.replace(/-/g, "").toUpperCase();
  const bad = /[^0-9A-TV-Z]/.exec(chars);
  if (bad)
    throw new ShareFormatError(
      `it contains "${bad[0]}", a character that cannot appear in a share (check for typos)`,
      opt,
    );
  if (chars.length !== PAYLOAD_CHARS) {
    throw new ShareFormatError(
      `it has ${chars.length < PAYLOAD_CHARS ? "too few" : "too many"} characters (${chars.length} instead of ${PAYLOAD_CHARS}: a character or group is missing or doubled)`,
      opt,
    );
  }
  let payload: Uint8Array;
  try {
    payload = base32crockford.decode(chars);
  } catch (cause) {
    throw new ShareFormatError(
      "its last character is not possible in a share: a character was mistyped",
      { ...opt, cause },
    );
  }
  const body = payload.subarray(0, BODY_BYTES);
  if (!equalBytes(checksum(body), payload.subarray(BODY_BYTES))) {
    throw new ShareFormatError(
      "its checksum does not match: a character was mistyped. Compare it with the original",
      opt,
    );
  }
  if (body[0] !== SHARE_VERSION)
    throw new ShareFormatError(`unknown share version ${body[0]}`, opt);
  const threshold = body[5]!;
  const total = body[6]!;
  const index = body[7]!;
  if (Number(hIndex) !== index || Number(hTotal) !== total || Number(hThreshold) !== threshold) {
    throw new ShareFormatError(
      `its header says share ${hIndex} of ${hTotal} (threshold ${hThreshold}) but its data says share ${index} of ${total} (threshold ${threshold}); fix the header`,
      opt,
    );
  }
  return {
    index,
    total,
    threshold,
    setId: toHex(body.subarray(1, 5)),
    keyCheck: body.slice(8, 12),
    share: body.slice(12, BODY_BYTES),
  };
}

/**
 * Recover the key from shares (text). Throws ShareFormatError (typo, with the share's position),
 * ShareSetMismatchError, InsufficientSharesError or ShareRecoveryError; never returns a wrong key.
 */
export async function recoverSecret(shares: readonly string[]): Promise<Uint8Array> {
  const parsed = shares.map((s, i) => parseShare(s, i));
  if (parsed.length === 0) throw new InsufficientSharesError(2, 0);
  const first = parsed[0]!;
  for (const p of parsed) {
    if (
      p.setId !== first.setId ||
      p.threshold !== first.threshold ||
      p.total !== first.total ||
      !equalBytes(p.keyCheck, first.keyCheck)
    ) {
      throw new ShareSetMismatchError(
        `backup ${first.setId} (${first.threshold}-of-${first.total}) and backup ${p.setId} (${p.threshold}-of-${p.total})`,
      );
    }
  }
  const byIndex = new Map<number, ParsedShare>();
  for (const p of parsed) {
    const seen = byIndex.get(p.index);
    if (seen && !equalBytes(seen.share, p.share))
      throw new ShareRecoveryError(`two different shares claim to be share ${p.index}`);
    byIndex.set(p.index, p);
  }
  const distinct = [...byIndex.values()];
  if (distinct.length < first.threshold)
    throw new InsufficientSharesError(first.threshold, distinct.length);

  const attempt = async (set: ParsedShare[]): Promise<Uint8Array | undefined> => {
    let key: Uint8Array;
    try {
      key = await combine(set.map((p) => p.share));
    } catch {
      return undefined;
    }
    if (equalBytes(keyCheckValue(key, first.keyCheck.length), first.keyCheck)) return key;
    zeroize(key);
    return undefined;
  };

  const all = await attempt(distinct);
  if (all) return all;
  if (distinct.length > first.threshold) {
    for (const subset of combinations(distinct, first.threshold)) {
      const key = await attempt(subset);
      if (key) return key;
    }
  }
  throw new ShareRecoveryError(
    "at least one share is inconsistent with the others although its checksum is valid",
  );
}

function* combinations<T>(
  items: readonly T[],
  k: number,
  start = 0,
  acc: T[] = [],
): Generator<T[]> {
  if (acc.length === k) {
    yield [...acc];
    return;
  }
  for (let i = start; i <= items.length - (k - acc.length); i++) {
    acc.push(items[i]!);
    yield* combinations(items, k, i + 1, acc);
    acc.pop();
  }
}
