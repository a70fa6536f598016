import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../../scripts/demo/stack.ts";

/** Compile the contracts once for every stack the system tests start (they deploy with --no-compile). */
export default function setup(): void {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, "node_modules/hardhat/dist/src/cli.js"), "build", "--quiet"], {
    cwd: REPO_ROOT,
    stdio: "inherit",
  });
  if (result.status !== 0) throw new Error(`hardhat build failed (exit ${result.status})`);
}
