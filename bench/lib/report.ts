// The benchmark table: every line is a figure, its baseline from the same run and the ratio.
import { cpus, totalmem } from 'node:os';

export interface Line {
  section: string;
  what: string;
  value: number;
  unit: string;
  baseline?: { what: string; value: number };
  /** Ratio value/baseline (or baseline/value for "lower is better" lines). */
  ratio?: number;
  goal?: string;
  met?: boolean;
  note?: string;
}

export function ratioLine(line: Omit<Line, 'ratio'>, lowerIsBetter = false): Line {
  const b = line.baseline?.value;
  const ratio = b === undefined || b === 0 || !Number.isFinite(line.value) ? undefined : lowerIsBetter ? b / line.value : line.value / b;
  return { ...line, ...(ratio !== undefined ? { ratio } : {}) };
}

const fmt = (n: number): string =>
  !Number.isFinite(n) ? String(n) : Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);

export function printTable(lines: Line[]): void {
  const rows = lines.map((l) => [
    l.section,
    l.what,
    `${fmt(l.value)} ${l.unit}`,
    l.ratio !== undefined ? `${l.ratio.toFixed(2)}x` : '-',
    l.baseline ? `${l.baseline.what}: ${fmt(l.baseline.value)}` : '-',
    l.goal ? `${l.goal} ${l.met === undefined ? '' : l.met ? 'MET' : 'NOT MET'}` : '',
  ]);
  const head = ['#', 'measure', 'figure', 'ratio', 'baseline (same run)', 'goal'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  for (const l of lines) if (l.note) console.log(`  [${l.section}] ${l.what}: ${l.note}`);
}

export function machineInfo(): Record<string, unknown> {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
  };
}
