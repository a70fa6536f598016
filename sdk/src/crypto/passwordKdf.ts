/**
 * Password-based key derivation: scrypt, RFC 7914 (@noble/hashes, isomorphic, async so a UI stays
 * responsive). Parameters travel with whatever they protect (key file, share link) so they can be
 * raised later without breaking old data.
 *
 * Defaults: N = 2^17, r = 8, p = 1 (128 MiB, the OWASP 2023 minimum for scrypt), 16-byte random salt.
 * Accepted when reading: N a power of two in [2^10, 2^20], r in [1, 32], p in [1, 16],
 * memory 128·N·r ≤ 256 MiB, salt 16–64 bytes. The upper bounds stop a hostile link or file
 * from making the client allocate gigabytes; the lower bound lets tests run fast.
 * Vectors: test/crypto/passwordKdf.test.ts (RFC 7914 §12, cross-checked against node:crypto).
 */
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { KdfParametersError } from "../errors/crypto.ts";
import { fromBase64Url, toBase64Url, utf8 } from "./bytes.ts";
import { randomBytes } from "./random.ts";

export type ScryptParams = {
  alg: "scrypt";
  N: number;
  r: number;
  p: number;
  salt: Uint8Array;
  dkLen: number;
};
/** JSON form of {@link ScryptParams}: the salt as base64url. */
export type ScryptParamsJson = {
  alg: "scrypt";
  N: number;
  r: number;
  p: number;
  salt: string;
  dkLen: number;
};

export const DEFAULT_SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;
const MAX_MEMORY = 256 * 1024 * 1024;

export function newScryptParams(
  options: { N?: number; r?: number; p?: number } = {},
): ScryptParams {
  const params: ScryptParams = {
    alg: "scrypt",
    N: options.N ?? DEFAULT_SCRYPT.N,
    r: options.r ?? DEFAULT_SCRYPT.r,
    p: options.p ?? DEFAULT_SCRYPT.p,
    salt: randomBytes(16),
    dkLen: 32,
  };
  validateScryptParams(params);
  return params;
}

export function validateScryptParams(p: ScryptParams): void {
  if (p.alg !== "scrypt")
    throw new KdfParametersError(`unknown algorithm ${JSON.stringify(p.alg)}`);
  if (!Number.isInteger(p.N) || p.N < 1024 || p.N > 2 ** 20 || (p.N & (p.N - 1)) !== 0) {
    throw new KdfParametersError(`N must be a power of two between 2^10 and 2^20, got ${p.N}`);
  }
  if (!Number.isInteger(p.r) || p.r < 1 || p.r > 32)
    throw new KdfParametersError(`r must be in 1..32, got ${p.r}`);
  if (!Number.isInteger(p.p) || p.p < 1 || p.p > 16)
    throw new KdfParametersError(`p must be in 1..16, got ${p.p}`);
  if (128 * p.N * p.r > MAX_MEMORY)
    throw new KdfParametersError(`N·r needs ${(128 * p.N * p.r) / 2 ** 20} MiB, more than 256 MiB`);
  if (!(p.salt instanceof Uint8Array) || p.salt.length < 16 || p.salt.length > 64) {
    throw new KdfParametersError("salt must be 16 to 64 bytes");
  }
  if (p.dkLen !== 32) throw new KdfParametersError(`dkLen must be 32, got ${p.dkLen}`);
}

/** Derive a 32-byte key from `password` (NFKC-normalised UTF-8) under `params`. */
export async function deriveKeyFromPassword(
  password: string,
  params: ScryptParams,
  options: { onProgress?: (fraction: number) => void } = {},
): Promise<Uint8Array> {
  validateScryptParams(params);
  if (typeof password !== "string" || password.length === 0)
    throw new KdfParametersError("the password is empty");
  const pw = utf8(password.normalize("NFKC"));
  try {
    return await scryptAsync(pw, params.salt, {
      N: params.N,
      r: params.r,
      p: params.p,
      dkLen: params.dkLen,
      maxmem: MAX_MEMORY + 1024 * 1024,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } finally {
    pw.fill(0);
  }
}

export function scryptParamsToJson(p: ScryptParams): ScryptParamsJson {
  return { alg: "scrypt", N: p.N, r: p.r, p: p.p, salt: toBase64Url(p.salt), dkLen: p.dkLen };
}

export function scryptParamsFromJson(j: unknown): ScryptParams {
  const o = j as Partial<ScryptParamsJson> | null;
  if (!o || typeof o !== "object" || typeof o.salt !== "string")
    throw new KdfParametersError("missing or malformed parameters");
  let salt: Uint8Array;
  try {
    salt = fromBase64Url(o.salt);
  } catch {
    throw new KdfParametersError("salt is not base64url");
  }
  const params = { alg: o.alg, N: o.N, r: o.r, p: o.p, salt, dkLen: o.dkLen } as ScryptParams;
  validateScryptParams(params);
  return params;
}
