// Property-based round trips: whatever fields papaparse's unparse writes (quotes, delimiters, CR/LF inside
// fields, non-ASCII), our streaming reader gives the same fields back, in CSV and in TSV, in small batches.
import fc from 'fast-check';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { readAll } from '../../src/core/data/read';

const ALPHABET = [
  ...'ab Z09',
  ',',
  ';',
  '\t',
  '|',
  '"',
  "'",
  '\n',
  '\r',
  '\r\n',
  'é',
  '日本',
  '😀',
  '\\',
  ' ',
];
const field = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 12 }).map((parts) => parts.join(''));
const rows = fc.array(fc.tuple(field, field), { minLength: 1, maxLength: 40 });

async function roundTrip(data: [string, string][], delimiter: string, name: string, bom: boolean) {
  const text = Papa.unparse({ fields: ['text', 'label'], data }, { delimiter });
  const bytes = new TextEncoder().encode((bom ? '\uFEFF' : '') + text);
  return readAll(new Blob([bytes]), name, { batchRows: 3 });
}

describe('CSV quoting round trips (fast-check)', () => {
  it('CSV: unparse → read gives the same rows', async () => {
    await fc.assert(
      fc.asyncProperty(rows, fc.boolean(), async (data, bom) => {
        // A row whose only content is empty fields is written as a blank-looking line, which readers skip.
        const kept = data.filter(([a, b]) => a !== '' || b !== '');
        fc.pre(kept.length > 0);
        const read = await roundTrip(kept, ',', 'p.csv', bom);
        expect(read.columns).toEqual(['text', 'label']);
        expect(read.rows).toEqual(kept);
      }),
      { numRuns: 300 },
    );
  });

  it('TSV: unparse with tabs → read gives the same rows', async () => {
    await fc.assert(
      fc.asyncProperty(rows, async (data) => {
        const kept = data.filter(([a, b]) => a !== '' || b !== '');
        fc.pre(kept.length > 0);
        const read = await roundTrip(kept, '\t', 'p.tsv', false);
        expect(read.rows).toEqual(kept);
      }),
      { numRuns: 200 },
    );
  });
});
