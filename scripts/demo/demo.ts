/**
 * `npm run demo` — the whole Tessera network on this machine (127.0.0.1 only):
 * a Hardhat node with interval mining, the contracts, funded test accounts and six provider
 * nodes. Prints what a person needs to try it; Ctrl-C stops everything.
 *
 *   npm run demo                 start (state kept in .demo/)
 *   npm run demo -- --reset      wipe .demo/ first
 *   npm run demo -- --providers 4 --port 8545 --block-time 1000
 */
import { rmSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT, startStack, type Stack } from "./stack.ts";

const { values } = parseArgs({
  options: {
    reset: { type: "boolean", default: false },
    providers: { type: "string", default: "6" },
    port: { type: "string", default: "8545" },
    "block-time": { type: "string", default: "1000" },
    "dapp-port": { type: "string", default: "3000" },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log(`Usage: npm run demo -- [--reset] [--providers N] [--port 8545] [--block-time ms] [--dapp-port 3000]

Starts a local Tessera network: Hardhat node, contracts, funded accounts, provider nodes.
Starts the dApp too when dapp/ exists (--dapp-port 0 skips it).
State (PID files, logs, provider data) lives in .demo/; --reset wipes it first.
Ctrl-C stops every process.`);
  process.exit(0);
}

const dir = join(REPO_ROOT, ".demo");
if (values.reset) {
  // Stop anything a crashed run left behind before deleting its data.
  const { reapStale } = await import("./processes.ts");
  await reapStale(dir, (line) => console.log(`  ${line}`));
  rmSync(dir, { recursive: true, force: true });
  console.log("Reset .demo/");
}

let stack: Stack | undefined;
let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the demo network…`);
  if (stack) await stack.stop();
  else {
    // Interrupted while starting: stop whatever was started, through the PID files.
    const { reapStale } = await import("./processes.ts");
    await reapStale(dir);
  }
  console.log("Stopped.");
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGHUP", () => void shutdown("SIGHUP"));

try {
  stack = await startStack({
    dir,
    rpcPort: Number(values.port),
    providers: Number(values.providers),
    blockTimeMs: Number(values["block-time"]),
    dappPort: Number(values["dapp-port"]),
    log: (line) => console.log(`• ${line}`),
  });
} catch (error) {
  console.error(`\nThe demo could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
if (stopping) await new Promise(() => {});

const s = stack;
const rel = (p: string) => relative(process.cwd(), p) || ".";
const lines: string[] = [];
lines.push("", "Tessera local network is running (Ctrl-C stops everything)", "");
lines.push(`Chain        ${s.rpcUrl}  (chain id ${s.chainId}, a block every ${values["block-time"]} ms)`);
if (s.deployment) {
  lines.push("Contracts");
  for (const [name, value] of Object.entries(s.deployment)) {
    if (typeof value === "string" && value.startsWith("0x")) lines.push(`  ${name.padEnd(16)} ${value}`);
  }
  lines.push(`  written to ${rel(join(s.deploymentsDir, String(s.chainId)))}/`);
}
lines.push("Test accounts (well-known Hardhat keys — never use them on a real network)");
for (const [i, c] of s.clients.entries()) lines.push(`  client ${i + 1}  ${c.address}  ${c.privateKey}`);
if (s.providers.some((p) => p.running)) {
  lines.push("Providers");
  for (const p of s.providers) lines.push(`  #${p.index}  ${p.url}  ${p.account.address}  data: ${rel(p.dataDir)}`);
}
const dapp = s.notes.find((n) => n.startsWith("dapp:"));
if (dapp) lines.push(`dApp         ${dapp.slice(5).trim()}`);
lines.push(`Logs         ${rel(join(s.dir, "logs"))}/`);
if (s.notes.length) {
  lines.push("Not started");
  for (const note of s.notes.filter((n) => !n.startsWith("dapp:"))) lines.push(`  - ${note}`);
}
lines.push("", "Try the CLI (another terminal):");
lines.push(`  export TESSERA_HOME=$PWD/.demo/client TESSERA_PASSPHRASE=demo TESSERA_PRIVATE_KEY=${s.clients[0]!.privateKey}`);
lines.push("  npx tessera keys init && npx tessera put README.md --redundancy 4+2 --yes && npx tessera ls");
lines.push("");
console.log(lines.join("\n"));

// Keep running until a signal arrives; report if the chain dies underneath us.
setInterval(() => {}, 1 << 30);
