/**
 * Shared helpers of the system tests: a whole stack per test file (chain, contracts, six
 * provider processes — scripts/demo/stack.ts) on free loopback ports, and the real `tessera`
 * CLI run as a child process with its own TESSERA_HOME.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT, findFreePortBase, startStack, type Stack, type StackOptions } from "../../scripts/demo/stack.ts";

export const CLI = join(REPO_ROOT, "cli", "src", "bin.ts");

export type TestStack = Stack & { tmp: string; deploymentsDir: string };

export async function startTestStack(name: string, options: Partial<StackOptions> = {}): Promise<TestStack> {
  const tmp = mkdtempSync(join(tmpdir(), `tessera-${name}-`));
  const providers = options.providers ?? 6;
  const base = await findFreePortBase(providers + 1);
  const deploymentsDir = join(tmp, "deployments");
  mkdirSync(deploymentsDir, { recursive: true });
  const stack = await startStack({
    dir: join(tmp, "stack"),
    rpcPort: base + providers, // the last port of the HTTP range
    providerPortBase: base,
    providers,
    blockTimeMs: 1000,
    providerPollMs: 250,
    deploymentsDir,
    deployEnv: { TESSERA_PERIOD_BLOCKS: "10" },
    compile: false, // global-setup.ts compiled once
    ...options,
  });
  return Object.assign(stack, { tmp, deploymentsDir });
}

// The CLI's --json output: each test reads the few fields it asserts on.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CliResult = { code: number | null; stdout: string; stderr: string; json: any };

export type Client = {
  home: string;
  env: NodeJS.ProcessEnv;
  run(args: string[], extraEnv?: Record<string, string>): Promise<CliResult>;
  spawn(args: string[]): ChildProcess;
};

/** A `tessera` user: its own TESSERA_HOME, one of the stack's funded accounts. */
export function client(stack: TestStack, index = 0, home?: string): Client {
  const dir = home ?? mkdtempSync(join(stack.tmp, `client-${index}-`));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TESSERA_HOME: dir,
    TESSERA_RPC_URL: stack.rpcUrl,
    TESSERA_PRIVATE_KEY: stack.clients[index]!.privateKey,
    TESSERA_DEPLOYMENTS: stack.deploymentsDir,
    TESSERA_PASSPHRASE: "correct horse battery staple",
    TESSERA_YES: "1",
  };
  const spawnCli = (args: string[], extraEnv: Record<string, string> = {}) =>
    spawn(process.execPath, [CLI, ...args], { cwd: stack.tmp, env: { ...env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
  return {
    home: dir,
    env,
    spawn: (args) => spawnCli(args),
    run: (args, extraEnv = {}) =>
      new Promise((resolve, reject) => {
        const child = spawnCli(args, extraEnv);
        let stdout = "";
        let stderr = "";
        child.stdout!.on("data", (d) => (stdout += d));
        child.stderr!.on("data", (d) => (stderr += d));
        child.on("error", reject);
        child.on("close", (code) => {
          let json: unknown;
          if (args.includes("--json")) {
            try {
              json = JSON.parse(stdout);
            } catch {
              json = undefined;
            }
          }
          resolve({ code, stdout, stderr, json });
        });
      }),
  };
}

/** Runs the CLI and fails with its output when it does not exit 0. */
export async function ok(c: Client, args: string[], extraEnv?: Record<string, string>): Promise<CliResult> {
  const result = await c.run(args, extraEnv);
  if (result.code !== 0) throw new Error(`tessera ${args.join(" ")} exited ${result.code}\n${result.stderr}\n${result.stdout}`);
  return result;
}
