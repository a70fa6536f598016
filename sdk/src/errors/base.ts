/**
 * Base class of every error the sdk throws. After viem: a `shortMessage` a person can act on,
 * optional `details`, and the underlying `cause`.
 */
export class TesseraError extends Error {
  override name = "TesseraError";
  readonly shortMessage: string;
  readonly details?: string;

  constructor(shortMessage: string, options: { cause?: unknown; details?: string } = {}) {
    const message = options.details ? `${shortMessage}\n\nDetails: ${options.details}` : shortMessage;
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.shortMessage = shortMessage;
    if (options.details !== undefined) this.details = options.details;
  }
}
