/**
 * Batch SHA-256 over 64-byte messages. Both implementations hash `input.length / 64`
 * independent one-block messages and write the 32-byte digests contiguously into `output`.
 *
 * - Node: `@chainsafe/hashtree` (native, SIMD, one call hashes a whole layer).
 * - Browser / any runtime: `@chainsafe/as-sha256` (WebAssembly, 4-way SIMD batches).
 *
 * `#merkle-hasher` (package.json "imports") resolves to the native one under the `node`
 * condition and to the WASM one elsewhere, so bundlers never see the native addon.
 */
export type Sha256Batch64 = (input: Uint8Array, output: Uint8Array) => void;
