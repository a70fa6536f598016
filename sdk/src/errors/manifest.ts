import { TesseraError } from "./base.ts";

/** A manifest, file index or share payload does not match its schema. */
export class SchemaValidationError extends TesseraError {
  override name = "SchemaValidationError";
  readonly issues: readonly string[];
  constructor(what: string, issues: readonly string[], options: { cause?: unknown } = {}) {
    super(
      `Invalid ${what}: ${issues.slice(0, 3).join("; ")}${issues.length > 3 ? ` (and ${issues.length - 3} more)` : ""}.`,
      {
        ...options,
        details: issues.join("\n"),
      },
    );
    this.issues = issues;
  }
}

export class UnsupportedVersionError extends TesseraError {
  override name = "UnsupportedVersionError";
  constructor(what: string, version: unknown, supported: readonly number[]) {
    super(
      `This ${what} has format version ${String(version)}, but this version of Tessera reads only ${supported.join(", ")}. Upgrade Tessera to read it.`,
    );
  }
}

export class InvalidPathError extends TesseraError {
  override name = "InvalidPathError";
  constructor(path: string, reason: string) {
    super(
      `Invalid file path ${JSON.stringify(path.length > 80 ? path.slice(0, 80) + "…" : path)}: ${reason}.`,
    );
  }
}

export class FileNotFoundInIndexError extends TesseraError {
  override name = "FileNotFoundInIndexError";
  constructor(path: string, version?: number) {
    super(
      version === undefined
        ? `No file at ${path} in the file index.`
        : `No version ${version} of ${path} in the file index.`,
    );
  }
}
