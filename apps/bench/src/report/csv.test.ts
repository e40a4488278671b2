import { csvField, renderCsv } from './csv';
import { makeResults } from './test-fixture';

/** RFC 4180 reader for the test: quoted fields, doubled quotes, CRLF or LF rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endRow = () => {
    row.push(field);
    rows.push(row);
    row = [];
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else field += c;
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

describe('renderCsv', () => {
  it('writes one row per run × evaluation × metric that parses back', () => {
    const results = makeResults();
    const rows = parseCsv(renderCsv(results));
    expect(rows[0]).toEqual(['model', 'seed', 'protocol', 'evaluation', 'metric', 'value']);
    // 4 leave-last-out runs × (full, sampled-100) × 2 metrics + 4 stream runs × 1 evaluation × 2 metrics = 24.
    expect(rows).toHaveLength(1 + 24);
    expect(rows[1]).toEqual(['nmrn', '1', 'leave-last-out', 'full', 'hr@10', '0.3']);
    const expected = results.runs.flatMap((r) => Object.entries(r.metrics).flatMap(([e, ms]) => Object.entries(ms).map(([m, v]) => `${r.model}|${r.seed}|${r.protocol}|${e}|${m}|${v}`)));
    expect(rows.slice(1).map((r) => r.join('|')).sort()).toEqual(expected.sort());
  });

  it('quotes commas, quotes and newlines so names survive a round trip', () => {
    const results = makeResults();
    results.runs[0].model = 'nmrn "gan, per-user"';
    results.runs[0].protocol = 'stream\nblocks';
    const rows = parseCsv(renderCsv(results));
    expect(rows[1].slice(0, 3)).toEqual(['nmrn "gan, per-user"', '1', 'stream\nblocks']);
    expect(rows.every((r) => r.length === 6)).toBe(true);
  });

  it('csvField leaves plain fields bare and quotes the rest', () => {
    expect(csvField('hr@10')).toBe('hr@10');
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField(0.25)).toBe('0.25');
    expect(csvField(Number.NaN)).toBe('');
  });
});
