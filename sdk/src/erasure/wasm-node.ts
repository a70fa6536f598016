import { readFile } from "node:fs/promises";

/** The Reed-Solomon WASM binary from the installed package (Node). */
export async function loadWasmBytes(): Promise<Uint8Array> {
  const entry = import.meta.resolve("@digitaldefiance/reed-solomon-erasure.wasm");
  return new Uint8Array(await readFile(new URL("./reed_solomon_erasure_bg.wasm", entry)));
}
