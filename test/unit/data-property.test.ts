// Property-based tests (fast-check): whatever fields papaparse's unparse writes (quotes, delimiters, CR/LF inside
// fields, non-ASCII), and wherever the stream cuts the bytes, our readers give the same rows back (CSV, TSV, JSONL).
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

describe('rows cut anywhere by the stream (fast-check)', () => {
  // The reader holds back its first 64 KiB for papaparse's guesses; the fuzzed rows come after this filler so
  // that the cuts fall where text is parsed piece by piece.
  const filler: [string, string][] = Array.from({ length: 2500 }, (_v, i) => [`filler row number ${i}`, 'f']);

  function encode(text: string, encoding: 'utf-8' | 'utf-16le'): Uint8Array {
    if (encoding === 'utf-8') return new TextEncoder().encode(text);
    const bytes = new Uint8Array(2 + text.length * 2);
    const view = new DataView(bytes.buffer);
    view.setUint16(0, 0xfeff, true);
    for (let i = 0; i < text.length; i++) view.setUint16(2 + 2 * i, text.charCodeAt(i), true);
    return bytes;
  }

  /** The bytes in pieces cut at the given points: Node's Blob streams each part as its own chunk. */
  function cutBlob(bytes: Uint8Array, from: number, cuts: number[]): Blob {
    const span = bytes.length - from;
    const points = [...new Set(cuts.map((c) => from + (c % (span + 1))))].sort((a, b) => a - b);
    const parts: Uint8Array[] = [];
    let start = 0;
    for (const p of [...points, bytes.length]) {
      if (p > start) parts.push(bytes.slice(start, p));
      start = Math.max(start, p);
    }
    return new Blob(parts as BlobPart[]);
  }

  it('CSV with LF or CRLF, UTF-8 or UTF-16, cut at random bytes, reads back the same rows', async () => {
    await fc.assert(
      fc.asyncProperty(
        rows,
        fc.constantFrom('\n', '\r\n'),
        fc.constantFrom('utf-8' as const, 'utf-16le' as const),
        fc.array(fc.nat(), { maxLength: 40 }),
        async (data, newline, encoding, cuts) => {
          const kept = data.filter(([a, b]) => a !== '' || b !== '');
          fc.pre(kept.length > 0);
          const head = encode(
            Papa.unparse({ fields: ['text', 'label'], data: filler }, { newline }) + newline,
            encoding,
          );
          const all = [...filler, ...kept];
          const bytes = encode(Papa.unparse({ fields: ['text', 'label'], data: all }, { newline }), encoding);
          const read = await readAll(cutBlob(bytes, head.length, cuts), 'cut.csv', {
            chunkChars: 1,
            batchRows: 7,
          });
          expect(read.rows).toEqual(all);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('JSONL cut anywhere (fast-check)', () => {
  it('reads back the same records whatever the chunk boundaries and line endings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(field, field), { minLength: 1, maxLength: 30 }),
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.nat(), { maxLength: 30 }),
        async (data, newline, cuts) => {
          const bytes = new TextEncoder().encode(
            data.map(([text, label]) => JSON.stringify({ text, label })).join(newline) + newline,
          );
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const parts: Uint8Array[] = [];
          let start = 0;
          for (const p of [...points, bytes.length]) {
            if (p > start) parts.push(bytes.slice(start, p));
            start = Math.max(start, p);
          }
          const read = await readAll(new Blob(parts as BlobPart[]), 'cut.jsonl', {
            chunkChars: 1,
            batchRows: 4,
          });
          expect(read.rows).toEqual(data);
        },
      ),
      { numRuns: 150 },
    );
  });
});
