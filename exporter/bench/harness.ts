/** A benchmark prints rows; ratios are computed against a floor measured in the same run. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** e.g. "0.62 × bare server" */
  note?: string;
}

export interface Bench {
  name: string;
  run(): Promise<BenchRow[]>;
}

export function printTable(title: string, rows: BenchRow[]): void {
  const w = Math.max(...rows.map((r) => r.name.length), 10);
  process.stdout.write(`\n## ${title}\n\n| ${'measure'.padEnd(w)} | value | unit | note |\n|${'-'.repeat(w + 2)}|---:|---|---|\n`);
  for (const r of rows) {
    const v = r.value >= 100 ? Math.round(r.value).toLocaleString('en-US') : r.value.toFixed(3);
    process.stdout.write(`| ${r.name.padEnd(w)} | ${v} | ${r.unit} | ${r.note ?? ''} |\n`);
  }
}
