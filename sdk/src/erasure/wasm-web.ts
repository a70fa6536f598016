/**
 * The Reed-Solomon WASM binary in a browser: fetched next to the package entry. Bundlers that
 * do not support `import.meta.resolve` must pass the bytes to `loadErasureCoder({ wasm })`.
 */
export async function loadWasmBytes(): Promise<Uint8Array> {
  const resolve = (import.meta as { resolve?: (s: string) => string }).resolve;
  if (!resolve)
    throw new Error(
      "Pass the Reed-Solomon WASM bytes to loadErasureCoder({ wasm }) in this runtime.",
    );
  const url = new URL(
    "./reed_solomon_erasure_bg.wasm",
    resolve("@digitaldefiance/reed-solomon-erasure.wasm"),
  );
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Could not load ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
