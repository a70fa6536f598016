/**
 * Progress bars on stderr, one per stage (and per shard for uploads/downloads), fed by the
 * sdk's typed progress events. Silent with --json/--quiet or when stderr is not a terminal
 * (scripts and CI), where a single line per finished stage is printed instead.
 */
import cliProgress from "cli-progress";
import type { Context } from "./context.ts";

export type ProgressEventLike = { stage: string; bytes: number; total?: number; shard?: number };

export class Progress {
  private readonly multibar?: cliProgress.MultiBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();
  private readonly ctx: Context;

  constructor(ctx: Context) {
    this.ctx = ctx;
    if (!ctx.json && !ctx.options.quiet && process.stderr.isTTY) {
      this.multibar = new cliProgress.MultiBar(
        {
          stream: process.stderr,
          format: " {label} |{bar}| {percentage}% {done}/{size}",
          hideCursor: true,
          clearOnComplete: false,
          autopadding: true,
          barsize: 30,
        },
        cliProgress.Presets.shades_classic,
      );
    }
  }

  /** Updates (creating on first use) the bar `key`. */
  update(key: string, label: string, bytes: number, total: number): void {
    if (!this.multibar) return;
    let bar = this.bars.get(key);
    const safeTotal = Math.max(total, 1);
    if (!bar) {
      bar = this.multibar.create(safeTotal, 0, { label: label.padEnd(18), done: human(0), size: human(total) });
      this.bars.set(key, bar);
    }
    bar.setTotal(safeTotal);
    bar.update(Math.min(bytes, safeTotal), { label: label.padEnd(18), done: human(bytes), size: human(total) });
  }

  /** Handler for sdk progress events. */
  handler(fallbackTotal: number): (event: ProgressEventLike) => void {
    return (event) => {
      const key = event.shard === undefined ? event.stage : `${event.stage}:${event.shard}`;
      const label = event.shard === undefined ? event.stage : `${event.stage} shard ${event.shard}`;
      this.update(key, label, event.bytes, event.total ?? fallbackTotal);
    };
  }

  /** A status line that does not break the bars. */
  log(line: string): void {
    if (this.multibar) this.multibar.log(`${line}\n`);
    else this.ctx.info(line);
  }

  stop(): void {
    this.multibar?.stop();
  }
}

function human(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
