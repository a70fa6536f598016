import { TesseraError } from "./base.ts";

export class KeyFileNotFoundError extends TesseraError {
  override name = "KeyFileNotFoundError";
  constructor(path: string) {
    super(
      `No master key at ${path}. Create one (tessera keys init) or recover it from Shamir shares.`,
    );
  }
}

export class KeyFileExistsError extends TesseraError {
  override name = "KeyFileExistsError";
  constructor(path: string) {
    super(
      `A master key already exists at ${path}; refusing to overwrite it. Move it away first if you really mean to replace it.`,
    );
  }
}

export class KeyFilePermissionsError extends TesseraError {
  override name = "KeyFilePermissionsError";
  constructor(path: string, mode: number) {
    super(
      `The master key file ${path} is readable by other users (mode ${(mode & 0o777).toString(8)}). Run: chmod 600 ${path}`,
    );
  }
}

/** An unlocked or recovered key does not match the fingerprint recorded with it. */
export class KeyMismatchError extends TesseraError {
  override name = "KeyMismatchError";
  constructor(what: string, expected: string, actual: string) {
    super(
      `The ${what} does not match its recorded fingerprint (expected ${expected}, got ${actual}); it was not used.`,
    );
  }
}

export class KeyStoreUnavailableError extends TesseraError {
  override name = "KeyStoreUnavailableError";
  constructor(reason: string, options: { cause?: unknown } = {}) {
    super(`The browser key store is unavailable: ${reason}.`, options);
  }
}
