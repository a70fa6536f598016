/**
 * A small JSON state file written atomically (write tmp → fsync → rename → fsync dir), so a
 * crash leaves either the old or the new version, never a torn one.
 */
import { existsSync, readFileSync } from "node:fs";
import { open, rename } from "node:fs/promises";
import { dirname } from "node:path";
import { writeDurable } from "./shard-store.ts";

export class StateFile<T extends object> {
  readonly path: string;
  #value: T;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(path: string, initial: T) {
    this.path = path;
    this.#value = existsSync(path)
      ? { ...initial, ...(JSON.parse(readFileSync(path, "utf8")) as Partial<T>) }
      : initial;
  }

  get value(): Readonly<T> {
    return this.#value;
  }

  update(patch: Partial<T>): Promise<void> {
    this.#value = { ...this.#value, ...patch };
    const snapshot = JSON.stringify(this.#value, null, 2);
    const write = async () => {
      await writeDurable(`${this.path}.tmp`, snapshot);
      await rename(`${this.path}.tmp`, this.path);
      const dir = await open(dirname(this.path), "r");
      await dir.sync().finally(() => dir.close());
    };
    const next = this.#queue.then(write, write);
    this.#queue = next.catch(() => {});
    return next;
  }
}
