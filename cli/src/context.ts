/**
 * Everything a command needs from its environment, resolved once per run:
 *
 *   setting        flag               env                    default
 *   config dir     --home             TESSERA_HOME           ~/.tessera
 *   chain RPC      --rpc              TESSERA_RPC_URL        config.json rpcUrl, else http://127.0.0.1:8545 (the demo)
 *   account key    --private-key      TESSERA_PRIVATE_KEY    config.json privateKey, else on chain 31337 the demo's client 1
 *   deployments    --deployments      TESSERA_DEPLOYMENTS    <repo>/deployments (addresses per chain id)
 *   passphrase     --passphrase-file  TESSERA_PASSPHRASE     prompt (only with a terminal)
 *   confirmation   --yes              TESSERA_YES=1          prompt (only with a terminal)
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import {
  createPublicClient,
  createWalletClient,
  http,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
  type WalletClient,
  type Account,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createTesseraClient, type TesseraClient } from "@tessera/sdk/client/createTesseraClient";
import { parseDeployment, type TesseraAddresses } from "@tessera/sdk/deployments/index";
import { CliError, EXIT } from "./errors.ts";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Key of Hardhat's account #1 — the demo's "client 1". Public; only ever used on chain 31337. */
export const DEMO_CLIENT_KEY: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

export type GlobalOptions = {
  json?: boolean;
  home?: string;
  rpc?: string;
  privateKey?: string;
  deployments?: string;
  passphraseFile?: string;
  yes?: boolean;
  quiet?: boolean;
};

/** deployments/<chainId>/addresses.json; the CLI also needs the FileIndex (the index pointer). */
export type Deployment = TesseraAddresses & { FileIndex: Address };

export type FileConfig = { rpcUrl?: string; privateKey?: Hex };

export class Context {
  readonly options: GlobalOptions;
  readonly home: string;
  readonly rpcUrl: string;
  readonly json: boolean;
  private fileConfig: FileConfig;
  private chainIdCache?: number;
  private deploymentCache?: Deployment;
  private publicClientCache?: PublicClient;
  private tesseraClientCache?: Promise<TesseraClient>;

  constructor(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env) {
    this.options = options;
    this.json = Boolean(options.json);
    this.home = resolve(options.home ?? env.TESSERA_HOME ?? join(homedir(), ".tessera"));
    this.fileConfig = readJson<FileConfig>(join(this.home, "config.json")) ?? {};
    this.rpcUrl = options.rpc ?? env.TESSERA_RPC_URL ?? this.fileConfig.rpcUrl ?? "http://127.0.0.1:8545";
  }

  /** Path inside the config dir (created on first use). */
  path(...parts: string[]): string {
    mkdirSync(this.home, { recursive: true, mode: 0o700 });
    return join(this.home, ...parts);
  }

  get publicClient(): PublicClient {
    // 200 ms polling: receipts of the sdk's actions are awaited at the client's polling interval.
    this.publicClientCache ??= createPublicClient({ transport: http(this.rpcUrl, { retryCount: 1 }), pollingInterval: 200 }) as PublicClient;
    return this.publicClientCache;
  }

  async chainId(): Promise<number> {
    if (this.chainIdCache === undefined) {
      try {
        this.chainIdCache = await this.publicClient.getChainId();
      } catch (cause) {
        throw new CliError(`Cannot reach the chain at ${this.rpcUrl}.`, {
          exitCode: EXIT.CHAIN,
          hint: "Start the local network with `npm run demo`, or point --rpc / TESSERA_RPC_URL at a node.",
          cause,
        });
      }
    }
    return this.chainIdCache;
  }

  get deploymentsDir(): string {
    return resolve(this.options.deployments ?? process.env.TESSERA_DEPLOYMENTS ?? join(REPO_ROOT, "deployments"));
  }

  async deployment(): Promise<Deployment> {
    if (this.deploymentCache) return this.deploymentCache;
    const chainId = await this.chainId();
    const file = join(this.deploymentsDir, String(chainId), "addresses.json");
    const raw = readJson<unknown>(file);
    if (!raw) {
      throw new CliError(`No Tessera deployment for chain ${chainId} (looked for ${file}).`, {
        exitCode: EXIT.CONFIG,
        hint:
          chainId === 31337
            ? "Start the local network with `npm run demo` (it deploys the contracts)."
            : "Point --deployments / TESSERA_DEPLOYMENTS at the folder holding <chainId>/addresses.json.",
      });
    }
    const parsed = parseDeployment(raw);
    if (!parsed.FileIndex) {
      throw new CliError(`The deployment in ${file} has no FileIndex contract; the CLI needs it for the file index.`, {
        exitCode: EXIT.CONFIG,
        hint: "Redeploy with `npm run deploy` (it deploys FileIndex with the rest).",
      });
    }
    const deployment: Deployment = { ...parsed, FileIndex: parsed.FileIndex };
    this.deploymentCache = deployment;
    return deployment;
  }

  /** ABI of a deployed contract, from deployments/<chainId>/abis/<Name>.json. */
  async abi(name: "TesseraToken" | "Marketplace" | "FileIndex" | "TesseraGovernor" | "TesseraTimelock"): Promise<Abi> {
    const chainId = await this.chainId();
    const file = join(this.deploymentsDir, String(chainId), "abis", `${name}.json`);
    const raw = readJson<Abi | { abi: Abi }>(file);
    if (!raw) throw new CliError(`Missing ABI ${file}.`, { exitCode: EXIT.CONFIG, hint: "Redeploy with `npm run demo -- --reset`." });
    return Array.isArray(raw) ? (raw as Abi) : (raw as { abi: Abi }).abi;
  }

  /** The account that signs transactions and owns the file index. */
  async account(): Promise<Account> {
    const explicit = this.options.privateKey ?? process.env.TESSERA_PRIVATE_KEY ?? this.fileConfig.privateKey;
    if (explicit) {
      if (!/^0x[0-9a-fA-F]{64}$/.test(explicit)) {
        throw new CliError("The private key must be 0x followed by 64 hex digits.", { exitCode: EXIT.CONFIG });
      }
      return privateKeyToAccount(explicit as Hex);
    }
    if ((await this.chainId()) === 31337) return privateKeyToAccount(DEMO_CLIENT_KEY);
    throw new CliError("No account configured for this chain.", {
      exitCode: EXIT.CONFIG,
      hint: "Set TESSERA_PRIVATE_KEY (or --private-key, or privateKey in $TESSERA_HOME/config.json).",
    });
  }

  async walletClient(): Promise<WalletClient & { account: Account }> {
    const account = await this.account();
    return createWalletClient({ account, transport: http(this.rpcUrl, { retryCount: 1 }) }) as WalletClient & {
      account: Account;
    };
  }

  /**
   * The sdk's client (sdk/src/client) for its actions: this context's RPC, deployment addresses
   * and account. Commands that only read use `readClient` (no account needed).
   */
  tesseraClient(): Promise<TesseraClient> {
    this.tesseraClientCache ??= (async () => {
      const [addresses, walletClient] = await Promise.all([this.deployment(), this.walletClient()]);
      return createTesseraClient({ publicClient: this.publicClient, walletClient, addresses });
    })();
    return this.tesseraClientCache;
  }

  /** An sdk client without a wallet, for reads. */
  async readClient(): Promise<TesseraClient> {
    return createTesseraClient({ publicClient: this.publicClient, addresses: await this.deployment() });
  }

  /** Passphrase protecting the master key on disk. */
  async passphrase(purpose: "unlock" | "new"): Promise<string> {
    if (this.options.passphraseFile) return readFileSync(this.options.passphraseFile, "utf8").replace(/\r?\n$/, "");
    const env = process.env.TESSERA_PASSPHRASE;
    if (env !== undefined) return env;
    if (!process.stdin.isTTY) {
      throw new CliError("A passphrase is needed and there is no terminal to ask for it.", {
        exitCode: EXIT.CONFIG,
        hint: "Set TESSERA_PASSPHRASE or pass --passphrase-file <file>.",
      });
    }
    const first = await promptHidden(purpose === "new" ? "New passphrase for the master key: " : "Passphrase: ");
    if (purpose === "new") {
      const again = await promptHidden("Repeat the passphrase: ");
      if (again !== first) throw new CliError("The passphrases do not match.", { exitCode: EXIT.USAGE });
    }
    return first;
  }

  /** Asks for confirmation unless --yes / TESSERA_YES=1. */
  async confirm(question: string): Promise<void> {
    if (this.options.yes || process.env.TESSERA_YES === "1") return;
    if (!process.stdin.isTTY) {
      throw new CliError(`Confirmation needed: ${question}`, {
        exitCode: EXIT.DECLINED,
        hint: "Pass --yes (or set TESSERA_YES=1) to proceed without a terminal.",
      });
    }
    const answer = await prompt(`${question} [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new CliError("Cancelled.", { exitCode: EXIT.DECLINED });
  }

  /** Prints a result: JSON with --json, the human text otherwise. */
  print(human: string | (() => string), json: unknown): void {
    if (this.json) process.stdout.write(`${JSON.stringify(json, jsonReplacer, 2)}\n`);
    else process.stdout.write(`${typeof human === "function" ? human() : human}\n`);
  }

  /** A status line on stderr (silent with --json or --quiet). */
  info(line: string): void {
    if (!this.json && !this.options.quiet) process.stderr.write(`${line}\n`);
  }
}

export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString("hex")}`;
  return value;
}

export function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch (cause) {
    throw new CliError(`${file} is not valid JSON.`, { exitCode: EXIT.CONFIG, cause });
  }
}

function prompt(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  return new Promise((resolvePrompt) =>
    rl.question(question, (answer) => {
      rl.close();
      resolvePrompt(answer);
    }),
  );
}

function promptHidden(question: string): Promise<string> {
  return new Promise((resolvePrompt, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    let value = "";
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") {
          stdin.setRawMode?.(false);
          stdin.pause();
          stdin.off("data", onData);
          process.stderr.write("\n");
          resolvePrompt(value);
          return;
        }
        if (ch === "\u0003") {
          stdin.setRawMode?.(false);
          stdin.off("data", onData);
          reject(new CliError("Cancelled.", { exitCode: EXIT.DECLINED }));
          return;
        }
        if (ch === "\u007f") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on("data", onData);
  });
}
