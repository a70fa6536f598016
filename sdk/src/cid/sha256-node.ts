import { createHash } from "node:crypto";

/** Incremental SHA-256 (node:crypto, native). */
export function createSha256(): { update(data: Uint8Array): void; digest(): Uint8Array } {
  const h = createHash("sha256");
  return {
    update: (data) => void h.update(data),
    digest: () => new Uint8Array(h.digest()),
  };
}
