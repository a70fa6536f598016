/**
 * Reed-Solomon erasure code over GF(2^8), k data + m parity shards: any k of the n = k + m
 * shards rebuild the data. The code is the systematic Vandermonde construction of
 * reed-solomon-erasure (Rust; Backblaze/klauspost layout), run as WebAssembly through
 * @digitaldefiance/reed-solomon-erasure.wasm, so Node and browsers produce the same parity and
 * repair each other's shards. test/erasure.test.ts checks the parity against an independent
 * GF(2^8) matrix implementation.
 *
 * Data layout of one stripe: a contiguous buffer of n pieces of `pieceBytes` each, data pieces
 * first; encode() fills the parity pieces in place, reconstruct() fills missing pieces in place.
 */
import { ReedSolomonErasure } from "@digitaldefiance/reed-solomon-erasure.wasm";
import { loadWasmBytes } from "#rs-wasm";
import { ErasureParamsError, NotEnoughShardsError } from "./errors.ts";

export * from "./errors.ts";

export const DEFAULT_DATA_SHARDS = 10;
export const DEFAULT_PARITY_SHARDS = 4;
/** n = k + m limit: GF(2^8) allows 256; 255 keeps every slot index a byte (manifest schema too). */
export const MAX_SHARDS = 255;

export type ErasureParams = { k: number; m: number };

/** Throws ErasureParamsError unless 1 ≤ k, 1 ≤ m and k + m ≤ 255. */
export function validateErasureParams({ k, m }: ErasureParams): void {
  const bad = (why: string) => {
    throw new ErasureParamsError(`Invalid redundancy k=${k}, m=${m}: ${why}.`);
  };
  if (!Number.isInteger(k) || k < 1 || k > 255)
    bad("k (data shards) must be an integer from 1 to 255");
  if (!Number.isInteger(m) || m < 1 || m > 255)
    bad("m (parity shards) must be an integer from 1 to 255");
  if (k + m > MAX_SHARDS) bad(`k + m must be at most ${MAX_SHARDS}`);
}

export type ErasureCoder = {
  readonly k: number;
  readonly m: number;
  readonly n: number;
  /** Fill the m parity pieces of `stripe` (n × pieceBytes) from its k data pieces. */
  encode(stripe: Uint8Array): void;
  /** Rebuild every piece (data and parity) marked absent in `present` (length n) in place; needs ≥ k present. */
  reconstruct(stripe: Uint8Array, present: readonly boolean[]): void;
  /**
   * Like reconstruct() but only the data pieces are guaranteed afterwards (missing parity pieces
   * may be left as they were): about half the work when parity shards are missing too.
   */
  reconstructData(stripe: Uint8Array, present: readonly boolean[]): void;
};

let wasm: Promise<ReedSolomonErasure> | undefined;

type RsExports = {
  memory: WebAssembly.Memory;
  reconstruct(
    shards: number,
    shardsLength: number,
    k: number,
    m: number,
    flags: number,
    flagsLength: number,
  ): number;
  __wbindgen_malloc(size: number): number;
  __wbindgen_free(pointer: number, size: number): void;
};

/**
 * reconstruct() straight on the WASM exports. The package's own wrapper frees the availability
 * flags after the call, but the Rust side already took ownership of (and dropped) that buffer:
 * the double free corrupts the allocator and every later reconstruct fails with "too few shards
 * present" (found by test/erasure.test.ts). Here the flags buffer is left to Rust.
 */
function reconstructInPlace(
  rs: ReedSolomonErasure,
  stripe: Uint8Array,
  k: number,
  m: number,
  present: readonly boolean[],
): number {
  const ex = (rs as unknown as { exports: RsExports }).exports;
  const shards = ex.__wbindgen_malloc(stripe.length);
  new Uint8Array(ex.memory.buffer).set(stripe, shards);
  const flags = ex.__wbindgen_malloc(present.length);
  new Uint8Array(ex.memory.buffer).set(
    present.map((p) => (p ? 1 : 0)),
    flags,
  );
  const code = ex.reconstruct(shards, stripe.length, k, m, flags, present.length);
  if (code === 0) stripe.set(new Uint8Array(ex.memory.buffer, shards, stripe.length));
  ex.__wbindgen_free(shards, stripe.length);
  return code;
}

/**
 * Provide the Reed-Solomon WASM binary (`reed_solomon_erasure_bg.wasm` from
 * @digitaldefiance/reed-solomon-erasure.wasm) where the sdk cannot locate it itself — e.g. a
 * bundle served without `import.meta.resolve`: `setErasureWasm(fetch(wasmUrl).then(r => r.arrayBuffer()))`.
 */
export function setErasureWasm(
  bytes: BufferSource | Uint8Array | Promise<BufferSource | Uint8Array>,
): void {
  wasm = Promise.resolve(bytes).then((b) => ReedSolomonErasure.fromBytes(b));
}

function instance(bytes?: BufferSource | Uint8Array): Promise<ReedSolomonErasure> {
  if (bytes) return Promise.resolve(ReedSolomonErasure.fromBytes(bytes));
  wasm ??= loadWasmBytes().then((b) => ReedSolomonErasure.fromBytes(b));
  return wasm;
}

/** An erasure coder for k + m (validated). Loads the WASM module once per process. */
export async function loadErasureCoder(
  params: ErasureParams,
  options: { wasm?: BufferSource | Uint8Array } = {},
): Promise<ErasureCoder> {
  validateErasureParams(params);
  const { k, m } = params;
  const n = k + m;
  const rs = await instance(options.wasm);
  const check = (stripe: Uint8Array) => {
    if (stripe.length === 0 || stripe.length % n !== 0)
      throw new ErasureParamsError(
        `A stripe must be n = ${n} equal non-empty pieces; got ${stripe.length} bytes.`,
      );
  };
  const run = (stripe: Uint8Array, present: readonly boolean[], reportAs: readonly boolean[]) => {
    check(stripe);
    if (present.length !== n)
      throw new ErasureParamsError(`Expected ${n} availability flags, got ${present.length}.`);
    const available = reportAs.flatMap((p, i) => (p ? [i] : []));
    if (available.length < k) throw new NotEnoughShardsError({ k, n, available });
    if (present.every(Boolean)) return;
    const code = reconstructInPlace(rs, stripe, k, m, present);
    if (code !== ReedSolomonErasure.RESULT_OK)
      throw new NotEnoughShardsError({
        k,
        n,
        available,
        cause: new Error(ReedSolomonErasure.getResultMessage(code)),
      });
  };
  const coder: ErasureCoder = {
    k,
    m,
    n,
    encode(stripe) {
      check(stripe);
      const code = rs.encode(stripe, k, m);
      if (code !== ReedSolomonErasure.RESULT_OK)
        throw new ErasureParamsError(
          `Reed-Solomon encode failed: ${ReedSolomonErasure.getResultMessage(code)}`,
        );
    },
    reconstructData(stripe, present) {
      // The decoder inverts the rows of the first k present pieces (in index order) and then
      // recomputes every piece flagged absent. Flagging the absent pieces after the k-th present
      // one as present leaves the decoding rows unchanged and skips recomputing them.
      const flags = [...present];
      let seen = 0;
      for (let i = 0; i < flags.length; i++) {
        if (seen >= k) flags[i] = true;
        else if (flags[i]) seen++;
      }
      run(stripe, flags, present);
    },
    reconstruct(stripe, present) {
      // The WASM decoder leaves absent *parity* pieces wrong (seen with {4} and {0, 4} absent at
      // 4+2), so rebuild the data and, if any parity piece was absent, re-encode the parity from
      // it: correct by construction, and no slower than decoding the parity rows.
      coder.reconstructData(stripe, present);
      if (present.slice(k).some((p) => !p)) coder.encode(stripe);
    },
  };
  return coder;
}
