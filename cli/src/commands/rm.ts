import type { Command } from "commander";
import { action } from "../program.ts";
import { CliError, EXIT } from "../errors.ts";

export function register(program: Command): void {
  program
    .command("rm")
    .description("(not available yet)")
    .action(
      action(async () => {
        throw new CliError("tessera rm is not available yet in this build.", { exitCode: EXIT.ERROR });
      }),
    );
}
