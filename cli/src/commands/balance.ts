import type { Command } from "commander";
import type { Address } from "viem";
import { action } from "../program.ts";
import { getBalance } from "@tessera/sdk/actions/getBalance";
import { withdraw } from "@tessera/sdk/actions/withdraw";
import { formatTokens } from "../chain.ts";

export function register(program: Command): void {
  program
    .command("balance")
    .description("show the account's tokens, marketplace balance (refunds to withdraw) and gas money")
    .option("--withdraw", "withdraw the marketplace balance to the account")
    .action(
      action(async (ctx, opts: { withdraw?: boolean }) => {
        const account = await ctx.account();
        const address: Address = account.address;
        const [balances, eth] = await Promise.all([
          ctx.readClient().then((client) => getBalance(client, { account: address })),
          ctx.publicClient.getBalance({ address }),
        ]);
        let { token: tokens, withdrawable: pull } = balances;
        const { allowance } = balances;
        let withdrawTx: string | undefined;
        if (opts.withdraw && pull > 0n) {
          withdrawTx = (await withdraw(await ctx.tesseraClient())).txHash;
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
