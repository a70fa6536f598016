import { TesseraError } from "./base.ts";

/** An AEAD tag did not verify: the data was modified, or the wrong key was used. */
export class DecryptionError extends TesseraError {
  override name = "DecryptionError";
  constructor(what: string, options: { cause?: unknown; details?: string } = {}) {
    super(
      `Could not decrypt ${what}: it was modified, or it was encrypted under a different key.`,
      options,
    );
  }
}

/** A serialized object (wrapped key, sealed box, key file, …) is not in a format we can read. */
export class InvalidFormatError extends TesseraError {
  override name = "InvalidFormatError";
  constructor(what: string, reason: string, options: { cause?: unknown } = {}) {
    super(`Invalid ${what}: ${reason}.`, options);
  }
}

/** Key-derivation parameters outside the accepted range (too weak, or too costly to evaluate). */
export class KdfParametersError extends TesseraError {
  override name = "KdfParametersError";
  constructor(reason: string) {
    super(`Unsupported password-KDF parameters: ${reason}.`);
  }
}

/** A password or passphrase did not open the protected key. */
export class WrongPasswordError extends TesseraError {
  override name = "WrongPasswordError";
  constructor(what: string, options: { cause?: unknown } = {}) {
    super(`Wrong password for ${what}. Check the password and try again.`, options);
  }
}
