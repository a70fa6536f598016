/** The watcher is opt-in: off by default, on through the config file, env or flags. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";

describe("watcher config", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tessera-wcfg-"));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("is off unless asked for", () => {
    const c = loadConfig({ flags: { dataDir: dir }, env: {} });
    expect(c.watcher?.markMissing).toBeFalsy();
    expect(c.watcher?.repair).toBeFalsy();
  });

  it("reads the file, then env, then flags", async () => {
    await writeFile(join(dir, "config.json"), JSON.stringify({ watcher: { markMissing: true } }));
    const fromFile = loadConfig({ flags: { dataDir: dir }, env: {} });
    expect(fromFile.watcher).toEqual({ markMissing: true });
    const fromEnv = loadConfig({
      flags: { dataDir: dir },
      env: {
        TESSERA_PROVIDER_WATCHER_REPAIR: "1",
        TESSERA_PROVIDER_WATCHER_MARK_MISSING: "false",
      },
    });
    expect(fromEnv.watcher).toEqual({ markMissing: false, repair: true });
    const fromFlags = loadConfig({
      flags: { dataDir: dir, watcher: { repair: false } },
      env: { TESSERA_PROVIDER_WATCHER_REPAIR: "true" },
    });
    expect(fromFlags.watcher).toEqual({ markMissing: true, repair: false });
  });
});
