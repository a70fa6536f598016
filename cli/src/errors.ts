/**
 * Exit codes of `tessera` (documented in cli/README.md). Scripts can rely on them.
 */
export const EXIT = {
  OK: 0,
  /** Anything not covered below (a bug, an unexpected chain error). */
  ERROR: 1,
  /** Bad flags or arguments (commander also exits with 1 for these; we map to 2). */
  USAGE: 2,
  /** Missing configuration: no master key, no deployment for the chain, no passphrase without a TTY. */
  CONFIG: 3,
  /** The path, version, deal or provider does not exist. */
  NOT_FOUND: 4,
  /** Not enough tokens, allowance or price too low for the providers. */
  FUNDS: 5,
  /** Data unavailable: fewer than k shards reachable, providers down. */
  UNAVAILABLE: 6,
  /** Integrity failure: wrong password or key, a shard that fails verification. */
  INTEGRITY: 7,
  /** The user declined a confirmation (or a prompt was needed without a terminal). */
  DECLINED: 8,
  /** The chain RPC could not be reached. */
  CHAIN: 9,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error with a message a person can act on and the exit code it maps to. */
export class CliError extends Error {
  override name = "CliError";
  readonly exitCode: ExitCode;
  readonly hint?: string;
  readonly details?: Record<string, unknown>;

  constructor(
    message: string,
    options: { exitCode?: ExitCode; hint?: string; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options.exitCode ?? EXIT.ERROR;
    if (options.hint !== undefined) this.hint = options.hint;
    if (options.details !== undefined) this.details = options.details;
  }
}

/** Maps sdk / viem / system errors onto CLI errors with exit codes. */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  const err = error as { name?: string; shortMessage?: string; message?: string; code?: string; cause?: unknown };
  const name = err?.name ?? "";
  const message = err?.shortMessage ?? err?.message ?? String(error);
  if (err?.code === "ENOENT") return new CliError(message, { exitCode: EXIT.NOT_FOUND, cause: error });
  // The sdk's actions wrap viem's errors (ChainError with a cause): look through the causes too.
  const unreachable = causeChain(error).find((e) => {
    const m = e.shortMessage ?? e.message ?? "";
    return /ECONNREFUSED|fetch failed|HttpRequestError/.test(`${e.name ?? ""} ${m}`) && /8545|rpc|HTTP request failed/i.test(m);
  });
  if (unreachable) {
    return new CliError(`Cannot reach the chain: ${unreachable.shortMessage ?? unreachable.message}`, {
      exitCode: EXIT.CHAIN,
      hint: "Start the local network with `npm run demo`, or set TESSERA_RPC_URL / --rpc.",
      cause: error,
    });
  }
  if (/FileNotFoundInIndexError/.test(name)) {
    return new CliError(message, { exitCode: EXIT.NOT_FOUND, hint: "List your files with `tessera ls`.", cause: error });
  }
  if (/PasswordRequiredError/.test(name)) {
    return new CliError(message, { exitCode: EXIT.INTEGRITY, hint: "Pass --password or set TESSERA_SHARE_PASSWORD.", cause: error });
  }
  if (/InvalidShareLinkError|InvalidPathError|ErasureParamsError|PipelineParamsError/.test(name)) {
    return new CliError(message, { exitCode: EXIT.USAGE, cause: error });
  }
  if (/KeyFileNotFound|KeyFileExists|KeyFilePermissions/.test(name)) return new CliError(message, { exitCode: EXIT.CONFIG, cause: error });
  if (/Share(s)?(Format|SetMismatch|Recovery)Error|InsufficientSharesError|WrongPassword|KeyMismatch/.test(name)) {
    return new CliError(message, { exitCode: EXIT.INTEGRITY, cause: error });
  }
  if (/NotEnoughShards|InsufficientShards|Unavailable/i.test(name)) return new CliError(message, { exitCode: EXIT.UNAVAILABLE, cause: error });
  if (/Decrypt|Integrity|Verification|Password|WrongKey|Tag|Checksum|Shamir/i.test(name)) {
    return new CliError(message, { exitCode: EXIT.INTEGRITY, cause: error });
  }
  if (/Insufficient|Allowance|Balance|PriceTooHigh/i.test(name)) return new CliError(message, { exitCode: EXIT.FUNDS, cause: error });
  return new CliError(message, { exitCode: EXIT.ERROR, cause: error });
}

function causeChain(error: unknown): Array<{ name?: string; shortMessage?: string; message?: string }> {
  const out: Array<{ name?: string; shortMessage?: string; message?: string; cause?: unknown }> = [];
  let e = error as { name?: string; shortMessage?: string; message?: string; cause?: unknown } | undefined;
  while (e && typeof e === "object" && out.length < 8) {
    out.push(e);
    e = e.cause as typeof e;
  }
  return out;
}
