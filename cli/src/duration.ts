/** Parsing `--duration 30d` and `--redundancy 4+2`. */
import { CliError, EXIT } from "./errors.ts";

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31_536_000 };

/** "30d", "12h", "90m", "2w" → seconds; "40p" / "40periods" → { periods: 40 }. */
export function parseDuration(text: string): { seconds: number } | { periods: number } {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w|y|p|periods?)$/i.exec(text.trim());
  if (!match) {
    throw new CliError(`Cannot read the duration "${text}".`, {
      exitCode: EXIT.USAGE,
      hint: "Use a number with a unit: 30d, 12h, 90m, 2w, or a number of periods like 40p.",
    });
  }
  const value = Number(match[1]);
  const unit = match[2]!.toLowerCase();
  if (unit.startsWith("p")) return { periods: Math.max(1, Math.ceil(value)) };
  return { seconds: value * UNIT_SECONDS[unit]! };
}

export function parseRedundancy(text: string): { k: number; m: number } {
  const match = /^(\d+)\s*\+\s*(\d+)$/.exec(text.trim());
  const k = Number(match?.[1]);
  const m = Number(match?.[2]);
  if (!match || k < 1 || m < 1 || m > k || k + m > 255) {
    throw new CliError(`Cannot use the redundancy "${text}".`, {
      exitCode: EXIT.USAGE,
      hint: "Write it as k+m with 1 ≤ m ≤ k and k+m ≤ 255, e.g. 4+2 (any 4 of 6 shards rebuild the file) or 10+4.",
    });
  }
  return { k, m };
}
