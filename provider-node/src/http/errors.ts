/** Errors the HTTP API returns: a stable `code` a client acts on, a status, a sentence. */
export type ApiErrorCode =
  | "INVALID_ARGUMENT"
  | "UNKNOWN_REQUEST"
  | "SLOT_OUT_OF_RANGE"
  | "SLOT_TAKEN"
  | "REQUEST_NOT_OPEN"
  | "ALREADY_HOLDING"
  | "PRICE_BELOW_ASK"
  | "NO_CAPACITY"
  | "LENGTH_REQUIRED"
  | "SIZE_MISMATCH"
  | "ROOT_MISMATCH"
  | "CID_MISMATCH"
  | "BUSY"
  | "FILL_FAILED"
  | "CHAIN_UNAVAILABLE"
  | "NOT_FOUND"
  | "NOT_ACCEPTABLE"
  | "RANGE_NOT_SATISFIABLE"
  | "INTERNAL";

export const STATUS: Record<ApiErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  UNKNOWN_REQUEST: 404,
  SLOT_OUT_OF_RANGE: 400,
  SLOT_TAKEN: 409,
  REQUEST_NOT_OPEN: 409,
  ALREADY_HOLDING: 409,
  PRICE_BELOW_ASK: 402,
  NO_CAPACITY: 507,
  LENGTH_REQUIRED: 411,
  SIZE_MISMATCH: 413,
  ROOT_MISMATCH: 422,
  CID_MISMATCH: 422,
  BUSY: 429,
  FILL_FAILED: 502,
  CHAIN_UNAVAILABLE: 503,
  NOT_FOUND: 404,
  NOT_ACCEPTABLE: 406,
  RANGE_NOT_SATISFIABLE: 416,
  INTERNAL: 500,
};

export class ApiError extends Error {
  override name = "ApiError";
  readonly code: ApiErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(
    code: ApiErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.details) this.details = options.details;
  }
  get status(): number {
    return STATUS[this.code];
  }
  toJSON() {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details ? { details: this.details } : {}),
      },
    };
  }
}
