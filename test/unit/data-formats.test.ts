// Each format read through the same entry point as the app and the CLI, on the shared fixtures and on files
// made here; expected values come from the fixtures' documented counts or from the input written by the test.
import Papa from 'papaparse';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readAll } from '../../src/core/data/read';
import { prepareDatasetFiles, readDatasetFile } from '../../src/cli/dataset-files';
import { DEFAULT_CLEANING } from '../../src/core/data/prepare';
import { sharedPath } from '../support/shared';

const blob = (content: string | Uint8Array) => new Blob([content as BlobPart]);
const utf8 = (s: string) => new TextEncoder().encode(s);

function utf16(s: string, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(2 + s.length * 2);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0xfeff, littleEndian);
  for (let i = 0; i < s.length; i++) view.setUint16(2 + 2 * i, s.charCodeAt(i), littleEndian);
  return out;
}

function labelCounts(columns: string[], rows: string[][], column: string) {
  const i = columns.indexOf(column);
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r[i]!] = (counts[r[i]!] ?? 0) + 1;
  return counts;
}

describe('CSV and TSV', () => {
  it('reads the SST-2 dev CSV with its documented label counts', async () => {
    const { format, columns, rows } = await readDatasetFile(sharedPath('datasets', 'sst2', 'dev.csv'));
    expect(format).toBe('csv');
    expect(columns).toEqual(['text', 'label']);
    expect(rows).toHaveLength(872);
    expect(labelCounts(columns, rows, 'label')).toEqual({ negative: 428, positive: 444 });
  });

  it('reads the GLUE SST-2 TSV original (tab delimiter, 0/1 labels)', async () => {
    const { columns, rows } = await readDatasetFile(sharedPath('datasets', 'sst2', 'original', 'dev.tsv'));
    expect(columns).toEqual(['sentence', 'label']);
    expect(labelCounts(columns, rows, 'label')).toEqual({ '0': 428, '1': 444 });
  });

  it("reads MRPC's TSV (BOM, unbalanced quotes that are not CSV quoting) row for row", async () => {
    const path = sharedPath('datasets', 'mrpc', 'original', 'dev.tsv');
    const { columns, rows } = await readDatasetFile(path);
    expect(columns).toEqual(['Quality', '#1 ID', '#2 ID', '#1 String', '#2 String']);
    // Independent reading: split the raw text on tabs and newlines, as GLUE's own loader does.
    const lines = readFileSync(path, 'utf8')
      .replace(/^\uFEFF/, '')
      .split('\n')
      .filter(Boolean)
      .slice(1);
    expect(rows).toHaveLength(lines.length);
    expect(rows.map((r) => r.join('\t'))).toEqual(lines.map((l) => l.replace(/\r$/, '')));
  });

  it('sniffs a semicolon delimiter and strips a UTF-8 BOM from the header', async () => {
    const { columns, rows } = await readAll(
      blob(utf8('\uFEFFreview;sentiment\ngood;pos\nbad;neg\n')),
      'x.csv',
    );
    expect(columns).toEqual(['review', 'sentiment']);
    expect(rows).toEqual([
      ['good', 'pos'],
      ['bad', 'neg'],
    ]);
  });

  it('keeps quoted fields with commas, doubled quotes and embedded newlines across chunk boundaries', async () => {
    const rows: string[][] = [];
    for (let i = 0; i < 40_000; i++)
      rows.push([`line ${i}, "quoted"\nsecond line ${'x'.repeat(i % 50)}`, String(i % 3)]);
    const text = Papa.unparse({ fields: ['text', 'label'], data: rows });
    expect(text.length).toBeGreaterThan(2 << 20); // several decode chunks
    const read = await readAll(blob(utf8(text)), 'big.csv', { batchRows: 777 });
    expect(read.rows).toEqual(rows);
  });

  it('keeps CRLF line endings when the first piece of the stream ends between CR and LF', async () => {
    const parts = ['text,label\r', '\na,b\r', '\nc,d\r\n'].map((p) => new TextEncoder().encode(p));
    const read = await readAll(new Blob(parts), 'crlf.csv', { chunkChars: 1 });
    expect(read.columns).toEqual(['text', 'label']);
    expect(read.rows).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('names the columns of a headerless file (AG News original) and keeps its first row', async () => {
    const { columns, rows } = await readDatasetFile(
      sharedPath('datasets', 'ag_news', 'original', 'test.csv'),
    );
    expect(columns).toEqual(['column 1', 'column 2', 'column 3']);
    expect(rows).toHaveLength(7600);
    expect(rows[0]![1]).toBe('Fears for T N pension after talks');
  });

  it('reads UTF-16 LE and BE files that carry a byte-order mark', async () => {
    const text = 'text,label\nnaïve café 日本,pos\nplain,neg\n';
    for (const le of [true, false]) {
      const { rows } = await readAll(blob(utf16(text, le)), 'u16.csv');
      expect(rows).toEqual([
        ['naïve café 日本', 'pos'],
        ['plain', 'neg'],
      ]);
    }
  });
});

describe('JSON, JSONL, Parquet and TXT', () => {
  it('reads a JSON array of objects, numbers and missing keys included', async () => {
    const json = JSON.stringify([
      { text: 'a', label: 1 },
      { text: 'b', label: 0, extra: true },
      { label: 1 },
    ]);
    const { columns, rows } = await readAll(blob(json), 'd.json');
    expect(columns).toEqual(['text', 'label', 'extra']);
    expect(rows).toEqual([
      ['a', '1', ''],
      ['b', '0', 'true'],
      ['', '1', ''],
    ]);
  });

  it('reads a JSON object of columns', async () => {
    const json = JSON.stringify({ sentence: ['x', 'y'], label: ['p', 'q'] });
    const { columns, rows } = await readAll(blob(json), 'd.json');
    expect(columns).toEqual(['sentence', 'label']);
    expect(rows).toEqual([
      ['x', 'p'],
      ['y', 'q'],
    ]);
  });

  it('streams JSONL, collecting keys as they appear', async () => {
    const lines = Array.from({ length: 5000 }, (_v, i) =>
      JSON.stringify(
        i === 4000 ? { text: `t${i}`, label: 'b', note: 'n' } : { text: `t${i}`, label: i % 2 ? 'a' : 'b' },
      ),
    );
    const { columns, rows } = await readAll(blob(lines.join('\r\n') + '\n'), 'd.ndjson', { batchRows: 100 });
    expect(columns).toEqual(['text', 'label', 'note']);
    expect(rows).toHaveLength(5000);
    expect(rows[4000]).toEqual(['t4000', 'b', 'n']);
    expect(rows[1]).toEqual(['t1', 'a', '']);
  });

  it('reads the RTE Parquet original with the documented label counts', async () => {
    const { format, columns, rows } = await readDatasetFile(
      sharedPath('datasets', 'rte', 'original', 'validation.parquet'),
    );
    expect(format).toBe('parquet');
    expect(columns).toEqual(['sentence1', 'sentence2', 'label', 'idx']);
    expect(labelCounts(columns, rows, 'label')).toEqual({ '0': 146, '1': 131 });
    // The normalised CSV made from the same file holds the same texts in the same order.
    const csv = await readDatasetFile(sharedPath('datasets', 'rte', 'validation.csv'));
    expect(rows.map((r) => r[0])).toEqual(csv.rows.map((r) => r[0]));
  });

  it('labels plain TXT lines with the file name', async () => {
    const { columns, rows } = await readAll(blob('great film\n\nawful\r\n'), 'reviews/positive.txt');
    expect(columns).toEqual(['text', 'label']);
    expect(rows).toEqual([
      ['great film', 'positive'],
      ['awful', 'positive'],
    ]);
  });

  it('reads a .txt whose first line is a text;label header as a delimited table (emotion original)', async () => {
    const { columns, rows } = await readDatasetFile(sharedPath('datasets', 'emotion', 'original', 'val.txt'));
    expect(columns).toEqual(['text', 'label_name']);
    expect(labelCounts(columns, rows, 'label_name')).toEqual({
      anger: 275,
      fear: 212,
      joy: 704,
      love: 178,
      sadness: 550,
      surprise: 81,
    });
  });

  it('takes a Blob with a name as well as a path', async () => {
    const { rows } = await readDatasetFile({ blob: blob('text\tlabel\na\tb\n'), name: 'x.tsv' });
    expect(rows).toEqual([['a', 'b']]);
  });
});

describe('files by path for the CLI', () => {
  it('prepares emotion train/validation/test CSVs as one dataset with the documented counts', async () => {
    const dir = sharedPath('datasets', 'emotion');
    const keepAll = {
      ...DEFAULT_CLEANING,
      dropDuplicates: false,
      dropConflicts: false,
      dropEmptyTexts: false,
    };
    const prepared = await prepareDatasetFiles(
      ['train.csv', 'validation.csv', 'test.csv'].map((f) => `${dir}/${f}`),
      { cleaning: keepAll },
    );
    expect(prepared.labels).toEqual(['anger', 'fear', 'joy', 'love', 'sadness', 'surprise']);
    expect(prepared.report.validationFrom).toBe('file');
    expect(prepared.report.classCounts).toEqual({
      train: [2159, 1937, 5362, 1304, 4666, 572],
      validation: [275, 212, 704, 178, 550, 81],
      test: [275, 224, 695, 159, 581, 66],
    });
  });
});
