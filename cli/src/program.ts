/**
 * The `tessera` command tree. Each command lives in commands/<command>.ts and exports
 * `register(program)`; they share the global options and error handling defined here.
 */
import { Command, CommanderError, Option } from "commander";
import { Context, type GlobalOptions } from "./context.ts";
import { CliError, EXIT, toCliError } from "./errors.ts";
import { register as registerKeys } from "./commands/keys.ts";
import { register as registerPut } from "./commands/put.ts";
import { register as registerLs } from "./commands/ls.ts";
import { register as registerGet } from "./commands/get.ts";
import { register as registerRm } from "./commands/rm.ts";
import { register as registerVerify } from "./commands/verify.ts";
import { register as registerShare } from "./commands/share.ts";
import { register as registerProviders } from "./commands/providers.ts";
import { register as registerDeals } from "./commands/deals.ts";
import { register as registerBalance } from "./commands/balance.ts";
import { register as registerGov } from "./commands/gov.ts";

export const VERSION = "0.1.0";

/** Wraps a command body: builds the Context from the global options and maps errors. */
export function action<A extends unknown[]>(
  body: (ctx: Context, ...args: A) => Promise<void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const ctx = new Context(command.optsWithGlobals() as GlobalOptions);
    await body(ctx, ...(args.slice(0, -1) as A));
  };
}

export function buildProgram(): Command {
  const program = new Command("tessera")
    .description("Tessera — encrypted, erasure-coded storage on a decentralized marketplace")
    .version(VERSION, "-V", "output the version number (also: tessera --version)")
    .option("--json", "print machine-readable JSON on stdout")
    .option("-q, --quiet", "no progress or status lines on stderr")
    .option("-y, --yes", "answer yes to confirmations (env TESSERA_YES=1)")
    .addOption(new Option("--home <dir>", "config and key store directory").env("TESSERA_HOME"))
    .addOption(new Option("--rpc <url>", "chain JSON-RPC URL (default: the local demo)").env("TESSERA_RPC_URL"))
    .addOption(new Option("--private-key <hex>", "account key (prefer the env variable)").env("TESSERA_PRIVATE_KEY"))
    .addOption(new Option("--deployments <dir>", "folder with <chainId>/addresses.json").env("TESSERA_DEPLOYMENTS"))
    .option("--passphrase-file <file>", "read the key-store passphrase from a file (or env TESSERA_PASSPHRASE)")
    .showHelpAfterError("(run with --help for usage)")
    .configureHelp({ showGlobalOptions: true })
    .exitOverride();
  for (const register of [
    registerKeys,
    registerPut,
    registerLs,
    registerGet,
    registerRm,
    registerVerify,
    registerShare,
    registerProviders,
    registerDeals,
    registerBalance,
    registerGov,
  ]) {
    register(program);
  }
  program.addHelpText(
    "after",
    `
Environment: TESSERA_HOME, TESSERA_RPC_URL, TESSERA_PRIVATE_KEY, TESSERA_PASSPHRASE, TESSERA_YES,
TESSERA_DEPLOYMENTS. Exit codes: 0 ok, 1 error, 2 usage, 3 config, 4 not found, 5 funds,
6 data unavailable, 7 integrity/wrong key, 8 declined, 9 chain unreachable.`,
  );
  return program;
}

/** Runs the CLI; resolves with the exit code. */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  // Every subcommand inherits exitOverride so usage errors come back here.
  const override = (cmd: Command) => {
    cmd.exitOverride();
    cmd.commands.forEach(override);
  };
  override(program);
  const json = argv.includes("--json");
  // `--version` is a subcommand option too (get/share/rm/verify --version N): only the bare
  // `tessera --version` prints the CLI's version.
  if (argv.length === 1 && argv[0] === "--version") {
    process.stdout.write(`${VERSION}\n`);
    return EXIT.OK;
  }
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.exitCode === 0) return EXIT.OK;
      return EXIT.USAGE;
    }
    const cliError = toCliError(error);
    if (json) {
      process.stdout.write(
        `${JSON.stringify({ error: { message: cliError.message, hint: cliError.hint, exitCode: cliError.exitCode, ...cliError.details } })}\n`,
      );
    }
    process.stderr.write(`tessera: ${cliError.message}\n`);
    if (cliError.hint) process.stderr.write(`  ${cliError.hint}\n`);
    if (process.env.TESSERA_DEBUG && cliError.cause) process.stderr.write(`${(cliError.cause as Error).stack ?? String(cliError.cause)}\n`);
    return cliError.exitCode;
  }
}

export { CliError, EXIT };
