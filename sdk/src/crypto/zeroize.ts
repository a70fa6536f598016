/**
 * Zeroing of secrets after use.
 *
 * JavaScript gives no guarantee that a secret was never copied (the GC may move buffers, strings
 * are immutable), so this is best effort: every function in the sdk that derives or unwraps a key
 * overwrites its own intermediate buffers, and callers get `withSecret` to do the same.
 */
export function zeroize(...buffers: ReadonlyArray<Uint8Array | undefined>): void {
  for (const b of buffers) if (b) b.fill(0);
}

/** Run `fn(secret)` and zero `secret` afterwards, whether `fn` succeeded or threw. */
export async function withSecret<T>(
  secret: Uint8Array,
  fn: (secret: Uint8Array) => T | Promise<T>,
): Promise<T> {
  try {
    return await fn(secret);
  } finally {
    secret.fill(0);
  }
}
