/** Formats rows of records as an aligned plain-text table. */
export function formatTable(rows: Record<string, string | number>[]): string {
  if (rows.length === 0) return '(no rows)';
  const cols = Array.from(new Set(rows.flatMap((r) => Object.keys(r))));
  const cell = (v: string | number | undefined) =>
    v === undefined ? '' : typeof v === 'number' ? (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : Number(v.toFixed(3)).toString()) : v;
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i])).join('  ');
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}
