import { TesseraError } from "./base.ts";

/** A share's text cannot be read, or its checksum does not match (a typo). */
export class ShareFormatError extends TesseraError {
  override name = "ShareFormatError";
  readonly position: number | undefined;
  constructor(reason: string, options: { position?: number; cause?: unknown } = {}) {
    const where =
      options.position === undefined
        ? "The share"
        : `Share #${options.position + 1} (in the order given)`;
    super(
      `${where} is not valid: ${reason}`,
      options.cause === undefined ? {} : { cause: options.cause },
    );
    this.position = options.position;
  }
}

export class InsufficientSharesError extends TesseraError {
  override name = "InsufficientSharesError";
  readonly needed: number;
  readonly given: number;
  constructor(needed: number, given: number) {
    super(
      `${needed} different shares are needed to recover the key, but only ${given} ${given === 1 ? "was" : "were"} given.`,
    );
    this.needed = needed;
    this.given = given;
  }
}

export class ShareSetMismatchError extends TesseraError {
  override name = "ShareSetMismatchError";
  constructor(details: string) {
    super(
      `These shares come from different backups and cannot be combined (${details}). Use shares from one backup only.`,
    );
  }
}

/** The shares were well-formed but do not reconstruct the key they were made from. */
export class ShareRecoveryError extends TesseraError {
  override name = "ShareRecoveryError";
  constructor(reason: string) {
    super(`The shares do not reconstruct the original key: ${reason}. No key was returned.`);
  }
}
