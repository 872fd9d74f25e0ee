import os from 'node:os';

/** One line of the results table: a measured figure, and its target when the issue sets one. */
export interface Figure {
  scenario: string;
  metric: string;
  value: number | string;
  unit?: string;
  /** Human-readable target, e.g. "≥ 5,000" or "≤ 50 ms". */
  target?: string;
  /** Whether the target is met (absent: no target). */
  met?: boolean;
}

/** Whether the counts a scenario checked add up (the smoke test asserts these, never speed). */
export interface CountCheck {
  scenario: string;
  what: string;
  expected: number;
  actual: number;
  ok: boolean;
}

export interface ScenarioOutcome {
  figures: Figure[];
  checks: CountCheck[];
  /** Raw numbers for the JSON (per-run details a table would drown in). */
  details: Record<string, unknown>;
  notes?: string[];
}

export function check(scenario: string, what: string, expected: number, actual: number): CountCheck {
  return { scenario, what, expected, actual, ok: expected === actual };
}

export function machine() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  };
}

const format = (value: number | string, unit?: string) => {
  if (typeof value === 'string') return value;
  const rounded =
    Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : String(Math.round(value * 100) / 100);
  return unit === undefined ? rounded : `${rounded} ${unit}`;
};

/** The Markdown table PERFORMANCE.md keeps: every figure against its target. */
export function markdownTable(figures: Figure[]): string {
  const lines = ['| Scenario | Metric | Measured | Target | Met |', '| --- | --- | --- | --- | --- |'];
  // Grouped by scenario, in the order the scenarios first appear (a scenario may add a row to another's group).
  const order = [...new Set(figures.map((figure) => figure.scenario))];
  const grouped = order.flatMap((scenario) => figures.filter((figure) => figure.scenario === scenario));
  for (const figure of grouped)
    lines.push(
      `| ${figure.scenario} | ${figure.metric} | ${format(figure.value, figure.unit)} | ${figure.target ?? ''} | ${
        figure.met === undefined ? '' : figure.met ? 'yes' : '**no**'
      } |`,
    );
  return lines.join('\n');
}

/** Percentile (nearest rank) of a list of numbers; NaN when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}
