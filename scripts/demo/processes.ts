/**
 * Background processes with PID files: every process the demo stack starts gets its own process
 * group (so `npx`-style wrappers and their children stop together), a log file and a PID file
 * under `<dir>/pids/`. A later run finds PID files left by a crashed run and stops those
 * processes first, so running the demo twice never leaves orphans or port clashes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export type ManagedProcess = {
  name: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** Resolves with the exit code (or signal name) when the process has exited. */
  exited: Promise<number | string>;
  /** True once the process has exited. */
  readonly hasExited: boolean;
};

export type StartProcessOptions = {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Directory holding `pids/` and `logs/`. */
  stateDir: string;
};

function pidDir(stateDir: string): string {
  return join(stateDir, "pids");
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function startProcess(options: StartProcessOptions): ManagedProcess {
  mkdirSync(pidDir(options.stateDir), { recursive: true });
  mkdirSync(join(options.stateDir, "logs"), { recursive: true });
  const logFile = join(options.stateDir, "logs", `${options.name}.log`);
  const log = createWriteStream(logFile, { flags: "a" });
  log.write(`\n--- ${new Date().toISOString()} ${options.command} ${options.args.join(" ")}\n`);
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // own process group: stopping the group stops wrappers and children
  });
  if (child.pid === undefined) throw new Error(`Could not start ${options.name} (${options.command}).`);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const pidFile = join(pidDir(options.stateDir), `${options.name}.pid`);
  writeFileSync(pidFile, `${child.pid}\n`);
  let hasExited = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => {
      hasExited = true;
      rmSync(pidFile, { force: true });
      resolve(code ?? signal ?? "unknown");
    });
  });
  return {
    name: options.name,
    pid: child.pid,
    child,
    logFile,
    exited,
    get hasExited() {
      return hasExited;
    },
  };
}

/** Signals the whole process group, then SIGKILLs it if it has not exited after `graceMs`. */
export async function stopProcess(proc: ManagedProcess, options: { graceMs?: number; signal?: NodeJS.Signals } = {}): Promise<void> {
  if (proc.hasExited) return;
  killGroup(proc.pid, options.signal ?? "SIGTERM");
  const timeout = sleep(options.graceMs ?? 5000).then(() => "timeout" as const);
  if ((await Promise.race([proc.exited, timeout])) === "timeout") {
    killGroup(proc.pid, "SIGKILL");
    await proc.exited;
  }
  // Children that left the group (or ignored the signal) must not survive either.
  killGroup(proc.pid, "SIGKILL");
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/**
 * Stops processes recorded in PID files by an earlier run that did not shut down cleanly.
 * Only PIDs whose command line still matches `marker` (the state dir) are touched, so a
 * recycled PID that now belongs to something else is left alone.
 */
export async function reapStale(stateDir: string, log: (line: string) => void = () => {}): Promise<void> {
  const dir = pidDir(stateDir);
  if (!existsSync(dir)) return;
  for (const file of readdirSync(dir)) {
    if (!file.endsWith(".pid")) continue;
    const pid = Number(readFileSync(join(dir, file), "utf8").trim());
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && ownedBy(pid, stateDir)) {
      log(`stopping ${file.replace(/\.pid$/, "")} (pid ${pid}) left by an earlier run`);
      killGroup(pid, "SIGTERM");
      for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
      killGroup(pid, "SIGKILL");
    }
    rmSync(join(dir, file), { force: true });
  }
}

function ownedBy(pid: number, stateDir: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    const environ = readFileSync(`/proc/${pid}/environ`, "utf8");
    return cmdline.includes(stateDir) || environ.includes(`TESSERA_STACK_DIR=${stateDir}`);
  } catch {
    return false;
  }
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number; proc?: ManagedProcess } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (options.proc?.hasExited) {
      throw new Error(`${what}: ${options.proc.name} exited early; see ${options.proc.logFile}\n${tail(options.proc.logFile)}`);
    }
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(options.intervalMs ?? 200);
  }
  const logHint = options.proc ? `; see ${options.proc.logFile}\n${tail(options.proc.logFile)}` : "";
  throw new Error(`Timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ""}${logHint}`);
}

export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}
