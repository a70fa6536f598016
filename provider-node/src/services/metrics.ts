/** Prometheus text exposition for the provider's counters and gauges (no dependency needed). */
type Labels = Record<string, string>;

export class Metrics {
  readonly #counters = new Map<string, { help: string; values: Map<string, number> }>();
  readonly #gauges = new Map<string, { help: string; read: () => number }>();

  counter(name: string, help: string): (labels?: Labels, by?: number) => void {
    const entry = { help, values: new Map<string, number>() };
    this.#counters.set(name, entry);
    return (labels = {}, by = 1) => {
      const key = Object.entries(labels)
        .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, "_")}"`)
        .join(",");
      entry.values.set(key, (entry.values.get(key) ?? 0) + by);
    };
  }

  gauge(name: string, help: string, read: () => number): void {
    this.#gauges.set(name, { help, read });
  }

  value(name: string, labels: Labels = {}): number {
    const key = Object.entries(labels)
      .map(([k, v]) => `${k}="${v}"`)
      .join(",");
    return this.#counters.get(name)?.values.get(key) ?? 0;
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, { help, values }] of this.#counters) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      if (values.size === 0) lines.push(`${name} 0`);
      for (const [labels, v] of values) lines.push(`${name}${labels ? `{${labels}}` : ""} ${v}`);
    }
    for (const [name, { help, read }] of this.#gauges) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${read()}`);
    }
    return lines.join("\n") + "\n";
  }
}

export function providerMetrics() {
  const m = new Metrics();
  return {
    registry: m,
    uploads: m.counter(
      "tessera_provider_uploads_total",
      "Shard uploads by result (ok or an error code).",
    ),
    uploadBytes: m.counter("tessera_provider_upload_bytes_total", "Bytes of shards accepted."),
    proofsSubmitted: m.counter(
      "tessera_provider_proofs_submitted_total",
      "Periods proven with submitProofs.",
    ),
    proofsMissed: m.counter(
      "tessera_provider_proofs_missed_total",
      "Periods this node failed to prove.",
    ),
    challengesAnswered: m.counter(
      "tessera_provider_challenges_answered_total",
      "Targeted challenges answered.",
    ),
    gasSpent: m.counter("tessera_provider_gas_spent_wei_total", "Wei spent on gas by this node."),
    errors: m.counter("tessera_provider_errors_total", "Errors by kind."),
  };
}
export type ProviderMetrics = ReturnType<typeof providerMetrics>;
