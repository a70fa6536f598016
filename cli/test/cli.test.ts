import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = join(import.meta.dirname, "..", "src", "bin.ts");
const home = mkdtempSync(join(tmpdir(), "tessera-cli-"));

function tessera(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    env: { ...process.env, TESSERA_HOME: home, TESSERA_RPC_URL: "http://127.0.0.1:1", ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("tessera CLI surface", () => {
  it("prints help for the program and for every command", () => {
    const top = tessera(["--help"]);
    expect(top.code).toBe(0);
    const commands = ["keys", "put", "ls", "get", "rm", "verify", "share", "providers", "deals", "balance"];
    for (const command of commands) {
      expect(top.stdout).toContain(command);
      const help = tessera([command, "--help"]);
      expect(help.code, `${command} --help`).toBe(0);
      expect(help.stdout).toContain(`Usage: tessera ${command}`);
    }
  }, 120_000);

  it("exits 2 on an unknown command", () => {
    const result = tessera(["bogus"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command");
  }, 30_000);

  it("says how to start a chain when the RPC is unreachable, with exit code 9", () => {
    const result = tessera(["balance"]);
    expect(result.code).toBe(9);
    expect(result.stderr).toContain("Cannot reach the chain at http://127.0.0.1:1");
    expect(result.stderr).toContain("npm run demo");
  }, 30_000);

  it("reports errors as JSON on stdout with --json", () => {
    const result = tessera(["--json", "deals"]);
    expect(result.code).toBe(9);
    const body = JSON.parse(result.stdout) as { error: { message: string; exitCode: number } };
    expect(body.error.exitCode).toBe(9);
    expect(body.error.message).toContain("Cannot reach the chain");
  }, 30_000);
});
