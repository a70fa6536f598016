import type { Command } from "commander";
import type { Address } from "viem";
import { action } from "../program.ts";
import { Contracts, formatTokens } from "../chain.ts";

export function register(program: Command): void {
  program
    .command("balance")
    .description("show the account's tokens, marketplace balance (refunds to withdraw) and gas money")
    .option("--withdraw", "withdraw the marketplace balance to the account")
    .action(
      action(async (ctx, opts: { withdraw?: boolean }) => {
        const contracts = new Contracts(ctx);
        const account = await ctx.account();
        const address: Address = account.address;
        const deployment = await ctx.deployment();
        let [tokens, pull, eth, allowance] = await Promise.all([
          contracts.read<bigint>("TesseraToken", "balanceOf", [address]),
          contracts.read<bigint>("Marketplace", "balanceOf", [address]),
          ctx.publicClient.getBalance({ address }),
          contracts.read<bigint>("TesseraToken", "allowance", [address, deployment.Marketplace]),
        ]);
        let withdrawTx: string | undefined;
        if (opts.withdraw && pull > 0n) {
          withdrawTx = (await contracts.write("Marketplace", "withdraw")).txHash;
          tokens += pull;
          pull = 0n;
        }
        ctx.print(
          [
            `account      ${address}`,
            `tokens       ${formatTokens(tokens)} TSR`,
            `marketplace  ${formatTokens(pull)} TSR${pull > 0n ? "  (withdraw with `tessera balance --withdraw`)" : ""}`,
            `allowance    ${formatTokens(allowance)} TSR to the marketplace`,
            `gas          ${formatTokens(eth)} ETH`,
            ...(withdrawTx ? [`withdrawn in ${withdrawTx}`] : []),
          ].join("\n"),
          { address, tokens, marketplace: pull, allowance, eth, withdrawTx },
        );
      }),
    );
}
