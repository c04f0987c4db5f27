// Every kind of bad file is refused with its own code and a message naming the file and, where it has one,
// the row or line. Inputs are made here so that the expected position is known.
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/data/errors';
import { formatOf } from '../../src/core/data/format';
import { hasTextLikeColumn } from '../../src/core/data/guess';
import { DEFAULT_CLEANING, DEFAULT_SPLIT, prepareDataset, type PartRows } from '../../src/core/data/prepare';
import { readAll } from '../../src/core/data/read';

const blob = (content: string | Uint8Array) => new Blob([content as BlobPart]);

async function refusal(content: string | Uint8Array, name: string, options = {}): Promise<DataError> {
  try {
    await readAll(blob(content), name, options);
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    const e = err as DataError;
    expect(e.file).toBe(name);
    expect(e.message).toContain(name);
    return e;
  }
  throw new Error(`${name} was accepted`);
}

describe('bad files', () => {
  it('an unclosed quote names its row', async () => {
    const e = await refusal('text,label\n"fine",a\nok,b\n"never closed,a\nmore,b\n', 'quotes.csv');
    expect(e.code).toBe('unclosed-quote');
    expect(e.row).toBe(3);
    expect(e.message).toContain('row 3');
  });

  it('an unclosed quote deep in a large file stops early and names the row', async () => {
    const good = Array.from({ length: 1000 }, (_v, i) => `row ${i},a`).join('\n');
    const tail = 'x'.repeat(9 << 20);
    const e = await refusal(`text,label\n${good}\n"open,${tail}\n`, 'deep.csv');
    expect(e.code).toBe('unclosed-quote');
    expect(e.row).toBe(1001);
  });

  it('a stray quote after a quoted field is reported with its row', async () => {
    const e = await refusal('text,label\n"a"b,x\n', 'stray.csv');
    expect(e.code).toBe('malformed-quote');
    expect(e.row).toBe(1);
  });

  it('binary garbage is refused as binary', async () => {
    const bytes = new Uint8Array(4096);
    let s = 7;
    for (let i = 0; i < bytes.length; i++) bytes[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
    const e = await refusal(bytes, 'garbage.csv');
    expect(e.code).toBe('binary');
  });

  it('a PNG renamed to .csv is refused as binary', async () => {
    const png = new Uint8Array([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
    ]);
    expect((await refusal(png, 'image.csv')).code).toBe('binary');
  });

  it('Latin-1 bytes are refused as not UTF-8, with the line', async () => {
    const bytes = new Uint8Array([
      ...new TextEncoder().encode('text,label\nok,a\n'),
      0x63,
      0x61,
      0x66,
      0xe9,
      0x2c,
      0x62,
      0x0a,
    ]);
    const e = await refusal(bytes, 'latin1.csv');
    expect(e.code).toBe('encoding');
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/not valid UTF-8.*line 3/);
  });

  it('UTF-16 without a byte-order mark is refused, not read as mojibake', async () => {
    const text = 'text,label\nhello,a\n';
    const bytes = new Uint8Array(text.length * 2);
    for (let i = 0; i < text.length; i++) bytes[2 * i] = text.charCodeAt(i);
    const e = await refusal(bytes, 'u16.csv');
    expect(e.code).toBe('encoding');
    expect(e.message).toContain('byte-order mark');
  });

  it('UTF-16 with a lone surrogate does not decode and is refused', async () => {
    const bytes = new Uint8Array([0xff, 0xfe, 0x61, 0, 0x0a, 0, 0x00, 0xd8, 0x62, 0, 0x0a, 0]);
    expect((await refusal(bytes, 'bad16.csv')).code).toBe('encoding');
  });

  it('a header without rows is refused', async () => {
    const e = await refusal('text,label\n', 'empty.csv');
    expect(e.code).toBe('header-only');
    expect(e.message).toContain('no rows');
    expect((await refusal('[]', 'e.json')).code).toBe('header-only');
    expect((await refusal('', 'nothing.csv')).code).toBe('empty-file');
  });

  it('JSONL broken lines are counted with their line numbers, and can be skipped', async () => {
    const text =
      '{"text":"a","label":1}\n{"text":"b","label":0}\n{"text": oops}\n\n[1,2]\n{"text":"c","label":1}\n';
    const e = await refusal(text, 'd.jsonl');
    expect(e.code).toBe('broken-jsonl-lines');
    expect(e.count).toBe(2);
    expect(e.line).toBe(3);
    expect(e.message).toContain('lines 3, 5');
    const { rows } = await readAll(blob(text), 'd.jsonl', { skipBrokenLines: true });
    expect(rows.map((r) => r[0])).toEqual(['a', 'b', 'c']);
  });

  it('invalid JSON names its line', async () => {
    const e = await refusal('[\n{"text": "a"},\n{"text": }\n]', 'bad.json');
    expect(e.code).toBe('malformed-json');
    expect(e.line).toBe(3);
    expect((await refusal('["a","b"]', 'strings.json')).code).toBe('malformed-json');
  });

  it('a file that is not Parquet is refused', async () => {
    expect((await refusal('text,label\na,b\n', 'fake.parquet')).code).toBe('binary');
    const truncated = new Uint8Array([0x50, 0x41, 0x52, 0x31, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await refusal(truncated, 'cut.parquet')).code).toBe('bad-parquet');
  });

  it('an unsupported extension is refused by name', () => {
    expect(() => formatOf('book.xlsx')).toThrow(/book\.xlsx: '\.xlsx' files are not supported/);
    expect(() => formatOf('README')).toThrow(DataError);
  });

  it('a table with no column that could be text is detected', () => {
    expect(
      hasTextLikeColumn(
        ['a', 'b'],
        [
          ['1', '2'],
          ['3', ''],
        ],
      ),
    ).toBe(false);
    expect(
      hasTextLikeColumn(
        ['a', 'b'],
        [
          ['1', 'some words'],
          ['3', 'more'],
        ],
      ),
    ).toBe(true);
  });
});

describe('bad labels', () => {
  const part = (rows: string[][]): PartRows => ({
    file: 'f.csv',
    role: 'train',
    columns: ['text', 'label'],
    rows,
  });
  const config = {
    mapping: { text: 'text', label: 'label' },
    cleaning: DEFAULT_CLEANING,
    split: DEFAULT_SPLIT,
  };

  it('one class only blocks the dataset', () => {
    const { report } = prepareDataset(
      [
        part([
          ['a', 'x'],
          ['b', 'x'],
          ['c', 'x'],
        ]),
      ],
      config,
    );
    expect(report.problems.map((p) => p.code)).toEqual(['one-class']);
    expect(report.problems[0]!.message).toContain("'x'");
  });

  it('empty labels block the dataset, naming the rows, unless they are dropped (the default)', () => {
    const rows = [
      ['a', 'x'],
      ['b', ''],
      ['c', 'y'],
      ['d', ' '],
      ['e', 'y'],
    ];
    const { report } = prepareDataset([part(rows)], {
      ...config,
      cleaning: { ...DEFAULT_CLEANING, dropEmptyLabels: false },
    });
    expect(report.problems.map((p) => p.code)).toEqual(['empty-labels']);
    expect(report.problems[0]!.message).toContain('f.csv row 2, f.csv row 4');
    expect(report).toMatchObject({ total: 5, kept: 3, dropped: 0, unlabeled: 2 });
    // Dropping them is the fix, and the default.
    const dropped = prepareDataset([part(rows)], config);
    expect(dropped.report.problems).toEqual([]);
    expect(dropped.report).toMatchObject({ total: 5, kept: 3, dropped: 2, unlabeled: 0 });
  });
});
