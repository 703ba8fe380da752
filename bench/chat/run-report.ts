// Percentiles, and the chat bench's figures: printed as each run ends, then as ranges over the repeated runs.

/** The nearest-rank percentile of `values` (NaN when there are none); NaNs are left out. */
export function percentile(values: number[], p: number): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const round = (value: number) => (Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2));

/** One figure of one run of a case. */
interface Figure {
  value: number;
  unit: string;
  target?: string;
}

/** Collects every run's figures by case and measure, in the order they were first reported. */
export class BenchReport {
  private readonly figures = new Map<string, Map<string, Figure[]>>();

  /** Records and prints one figure; `target` is the issue's target, for the reader (never judged on one run). */
  add(caseName: string, measure: string, value: number, unit = 'ms', target?: string): void {
    const byMeasure = this.figures.get(caseName) ?? new Map<string, Figure[]>();
    this.figures.set(caseName, byMeasure);
    byMeasure.set(measure, [...(byMeasure.get(measure) ?? []), { value, unit, target }]);
    console.log(`  ${measure}: ${round(value)} ${unit}${target ? `  (target ${target})` : ''}`);
  }

  /** The figures of one measure over the runs so far. */
  values(caseName: string, measure: string): number[] {
    return (this.figures.get(caseName)?.get(measure) ?? []).map((figure) => figure.value);
  }

  /** Every measure as `min–max` over the runs, with each run's value, as a markdown table. */
  summary(): string {
    const lines = ['| case | measure | range over runs | runs | target |', '|---|---|---:|---|---|'];
    for (const [caseName, byMeasure] of this.figures) {
      for (const [measure, figures] of byMeasure) {
        const values = figures.map((figure) => figure.value);
        const low = Math.min(...values);
        const high = Math.max(...values);
        const range = values.length > 1 ? `${round(low)}–${round(high)}` : round(low);
        lines.push(
          `| ${caseName} | ${measure} | ${range} ${figures[0]!.unit} | ${values.map(round).join(', ')} | ${figures[0]!.target ?? ''} |`,
        );
      }
    }
    return lines.join('\n');
  }
}
