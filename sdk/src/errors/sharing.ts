import { TesseraError } from "./base.ts";

export class InvalidShareLinkError extends TesseraError {
  override name = "InvalidShareLinkError";
  constructor(reason: string, options: { cause?: unknown } = {}) {
    super(
      `This is not a valid Tessera share link: ${reason}. Ask the sender for the full link (including the part after #).`,
      options,
    );
  }
}

export class PasswordRequiredError extends TesseraError {
  override name = "PasswordRequiredError";
  constructor() {
    super(
      "This share link is protected by a password. Ask the sender for it and enter it to open the file.",
    );
  }
}
