import { SHA256 } from "@chainsafe/as-sha256";

/**
 * Incremental SHA-256 (@chainsafe/as-sha256, WebAssembly; one instance per hasher).
 * as-sha256's update() is only correct when every call but the last has a length that is a
 * multiple of 64 (found by test/cid.test.ts), so input is re-blocked here.
 */
export function createSha256(): { update(data: Uint8Array): void; digest(): Uint8Array } {
  const h = new SHA256().init();
  const pending = new Uint8Array(64);
  let pendingLength = 0;
  return {
    update(data) {
      let off = 0;
      if (pendingLength > 0) {
        const take = Math.min(64 - pendingLength, data.length);
        pending.set(data.subarray(0, take), pendingLength);
        pendingLength += take;
        off = take;
        if (pendingLength < 64) return;
        h.update(pending);
        pendingLength = 0;
      }
      const aligned = off + Math.floor((data.length - off) / 64) * 64;
      if (aligned > off) h.update(data.subarray(off, aligned));
      pending.set(data.subarray(aligned), 0);
      pendingLength = data.length - aligned;
    },
    digest() {
      if (pendingLength > 0) h.update(pending.subarray(0, pendingLength));
      pendingLength = 0;
      return h.final();
    },
  };
}
