// TXT files as generative data, one document per file (datasets' `sample_by="document"`) or per line: the core
// reader (the whole text, blank lines and the last line break kept, universal newlines), the choice applied to
// stored parts (generativeParts, the function the Data step's report and the worker's run share), the import
// that keeps each file's text in IndexedDB beside its rows without changing the classification report, and the
// CLI's folder reader, whose documents and order are checked against Python datasets itself.
import 'fake-indexeddb/auto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readGenerativeData } from '../../src/cli/generative-data';
import { readTextFolder, textFolderFiles } from '../../src/cli/text-folder';
import {
  analyzeGenerative,
  defaultTxtDocuments,
  generativeParts,
  prepareGenerative,
} from '../../src/core/data/generative';
import { DEFAULT_CLEANING, DEFAULT_SPLIT, prepareDataset } from '../../src/core/data/prepare';
import { readAll } from '../../src/core/data/read';
import { readTextDocument, readTextLines } from '../../src/core/data/txt';
import { deleteDataset, readGenerativeStoredParts, readPartDocument } from '../../src/core/storage/datasets';
import { openWebTuneDB, type WebTuneDatabase } from '../../src/core/storage/db';
import { importDataset } from '../../src/core/storage/import-dataset';
import { readGenerativeData as readRunGenerativeData } from '../../src/worker/causal-lm-run';
import { runPythonStack } from '../support/python';

const blob = (text: string | Uint8Array<ArrayBuffer>) => new Blob([text]);
const NO_SPLIT = { validationShare: 0, seed: 1 };

// Blank lines inside and at the end, a whitespace-only line, a Windows line break and a lone carriage return.
const ESSAY = 'First line.\n\n  \nSecond paragraph.\r\nLast\rline\n\n';
const ESSAY_DOCUMENT = 'First line.\n\n  \nSecond paragraph.\nLast\nline\n\n';
const NOTE = 'A note without a final line break';

describe('a TXT file as one document', () => {
  it('is the whole text: blank lines and the final line break kept, \\r\\n and \\r made \\n', async () => {
    expect(await readTextDocument(blob(ESSAY), 'essay.txt')).toBe(ESSAY_DOCUMENT);
    expect(await readTextDocument(blob(NOTE), 'note.txt')).toBe(NOTE);
    // A \r\n cut between two decoded chunks is still one line break.
    expect(await readTextDocument(blob('a\r\nb\r\n'), 'tiny.txt', { chunkChars: 2 })).toBe('a\nb\n');
    // The byte-order mark is not text.
    expect(await readTextDocument(blob(`\ufeff${NOTE}`), 'bom.txt')).toBe(NOTE);
  });

  it('refuses an empty file, a file of blank lines and bytes that are not UTF-8, naming the file', async () => {
    await expect(readTextDocument(blob(''), 'docs/empty.txt')).rejects.toThrow(/docs\/empty\.txt is empty/);
    await expect(readTextDocument(blob(' \n\n'), 'docs/blank.txt')).rejects.toThrow(
      /docs\/blank\.txt is empty/,
    );
    await expect(
      readTextDocument(blob(new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a])), 'docs/latin1.txt'),
    ).rejects.toThrow(/docs\/latin1\.txt is not valid UTF-8/);
  });

  it('is the text the line reader hands on with its rows, whose rows stay as they were', async () => {
    const batches = [];
    for await (const batch of readTextLines(blob(ESSAY), 'essay.txt', { batchRows: 1, chunkChars: 3 }))
      batches.push(batch);
    expect(batches.flatMap((b) => b.rows)).toEqual([
      ['First line.', 'essay'],
      ['Second paragraph.', 'essay'],
      ['Last\rline', 'essay'],
    ]);
    expect(batches.map((b) => b.text).join('')).toBe(ESSAY);
    expect((await readAll(blob(ESSAY), 'essay.txt')).rows).toHaveLength(3);
  });
});

describe('one document per line or per file', () => {
  const parts = [
    {
      file: 'b.txt',
      role: 'train',
      columns: ['text', 'label'],
      rows: [
        ['x', 'b'],
        ['y', 'b'],
      ],
      document: 'x\n\ny\n',
    },
    { file: 'a.txt', role: 'train', columns: ['text', 'label'], rows: [['x', 'a']], document: 'x\n' },
    { file: 'c.txt', role: 'validation', columns: ['text', 'label'], rows: [['z', 'c']], document: 'z' },
    { file: 'd.txt', role: 'test', columns: ['text', 'label'], rows: [['w', 'd']], document: 'w' },
  ];

  it('defaults to per file for several TXT files, per line for one', () => {
    expect(defaultTxtDocuments(1)).toBe('line');
    expect(defaultTxtDocuments(2)).toBe('file');
  });

  it('reads each file whole as one text row (training parts first, test parts left out), or its lines', () => {
    expect(generativeParts(parts, 'file')).toEqual([
      { file: 'b.txt', role: 'train', columns: ['text'], rows: [['x\n\ny\n']] },
      { file: 'a.txt', role: 'train', columns: ['text'], rows: [['x\n']] },
      { file: 'c.txt', role: 'validation', columns: ['text'], rows: [['z']] },
    ]);
    expect(generativeParts(parts, 'line').map((p) => p.rows)).toEqual([
      parts[0]!.rows,
      parts[1]!.rows,
      parts[2]!.rows,
    ]);
    // Parts without a kept text (other formats, older imports) keep their rows either way.
    const csv = { file: 't.csv', role: 'train', columns: ['text'], rows: [['u']] };
    expect(generativeParts([csv], 'file')[0]!.rows).toEqual([['u']]);
  });

  it('counts documents in the cleaning report like any text: duplicates and empty ones', () => {
    const docs = (texts: string[]) =>
      texts.map((document, i) => ({
        file: `f${i}.txt`,
        role: 'train',
        columns: ['text', 'label'],
        rows: [['r', `f${i}`]],
        document,
      }));
    const byFile = analyzeGenerative(docs(['one\n\ntwo\n', 'one\n\ntwo\n', 'other']), NO_SPLIT, 'file');
    expect(byFile).toMatchObject({ ok: true, trainRows: 2, report: { kind: 'text', total: 3 } });
    expect(byFile.ok && byFile.report.issues).toEqual([
      { kind: 'duplicates', count: 1, dropped: 1, examples: ['f1.txt row 1'] },
    ]);
    // The lines of the same files: every row 'r' after the first is a duplicate.
    const byLine = analyzeGenerative(docs(['one\n\ntwo\n', 'one\n\ntwo\n', 'other']), NO_SPLIT, 'line');
    expect(byLine).toMatchObject({ ok: true, trainRows: 1, report: { total: 3 } });
    const prepared = prepareGenerative(generativeParts(docs(['a\n', ' \n', 'b']), 'file'), NO_SPLIT);
    expect(prepared.train).toEqual([
      { kind: 'text', text: 'a\n' },
      { kind: 'text', text: 'b' },
    ]);
    expect(prepared.report.issues).toMatchObject([{ kind: 'empty-texts', count: 1 }]);
  });
});

describe('an import keeps each TXT file’s text', () => {
  let db: WebTuneDatabase;
  beforeAll(async () => {
    db = await openWebTuneDB(`txt-documents-${Date.now()}`);
  });
  afterAll(() => db.close());

  it('beside its rows: the documents exactly, the classification report as before', async () => {
    const files = [
      { name: 'positive.txt', blob: blob(ESSAY) },
      { name: 'negative.txt', blob: blob('Bad.\n\nWorse.\n') },
    ];
    const meta = await importDataset(db, files);
    expect(meta.parts.map((p) => [p.rowCount, p.textChunks])).toEqual([
      [3, 1],
      [2, 1],
    ]);
    expect(await readPartDocument(db, meta.id, 0)).toBe(ESSAY_DOCUMENT);
    const withDocuments = await readGenerativeStoredParts(db, meta, true);
    expect(withDocuments.map((p) => p.document)).toEqual([ESSAY_DOCUMENT, 'Bad.\n\nWorse.\n']);
    const analysis = analyzeGenerative(withDocuments, NO_SPLIT, 'file');
    expect(analysis).toMatchObject({ ok: true, trainRows: 2, report: { total: 2, issues: [] } });
    expect(analyzeGenerative(withDocuments, NO_SPLIT, 'line')).toMatchObject({ ok: true, trainRows: 5 });

    // The rows, and so the classification report, are the line reader's, as before the text was kept.
    const rowsOnly = await readGenerativeStoredParts(db, meta, false);
    expect(rowsOnly.every((p) => p.document === undefined)).toBe(true);
    const read = await Promise.all(
      files.map(async (f) => ({ file: f.name, role: 'train' as const, ...(await readAll(f.blob, f.name)) })),
    );
    expect(rowsOnly.map((p) => p.rows)).toEqual(read.map((p) => p.rows));
    const config = {
      mapping: { text: 'text', label: 'label' },
      cleaning: DEFAULT_CLEANING,
      split: DEFAULT_SPLIT,
    };
    const { report } = prepareDataset(rowsOnly, config);
    expect(report).toEqual(prepareDataset(read, config).report);
    expect(report.total).toBe(5);

    // The worker's run reads the documents the config was confirmed with; configs from before read lines.
    const confirmed = { ...config, purpose: 'generative' as const, split: NO_SPLIT };
    const run = (txtDocuments?: 'line' | 'file') => ({ datasetConfig: { ...confirmed, txtDocuments } });
    const trained = await readRunGenerativeData(db, meta, run('file'));
    expect(trained.train).toEqual([
      { kind: 'text', text: ESSAY_DOCUMENT },
      { kind: 'text', text: 'Bad.\n\nWorse.\n' },
    ]);
    expect((await readRunGenerativeData(db, meta, run())).train).toHaveLength(5);

    await deleteDataset(db, meta.id);
    expect(await db.count('datasetTexts')).toBe(0);
  });

  it('keeps no text for other formats', async () => {
    const meta = await importDataset(db, [{ name: 'texts.csv', blob: blob('text\nhello\n') }]);
    expect(meta.parts[0]!.textChunks).toBeUndefined();
    expect((await readGenerativeStoredParts(db, meta, true))[0]!.document).toBeUndefined();
  });
});

describe('the CLI’s folder of .txt files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'webtune-txt-docs-'));
    for (const [name, text] of [
      ['b.txt', ESSAY],
      ['a.txt', NOTE],
      ['C.txt', 'Upper case sorts first.\r\n'],
      ['.hidden.txt', 'never read'],
    ])
      writeFileSync(join(dir, name!), text!);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads each .txt file as one document, in name order, as Python datasets does', async () => {
    const tables = await readTextFolder(dir);
    expect(tables.map((t) => [t.file, t.columns, t.rows])).toEqual([
      ['C.txt', ['text'], [['Upper case sorts first.\n']]],
      ['a.txt', ['text'], [[NOTE]]],
      ['b.txt', ['text'], [[ESSAY_DOCUMENT]]],
    ]);
    const reference = runPythonStack<string[]>(
      `
import json, os, sys
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"
import datasets
d = json.load(sys.stdin)
ds = datasets.load_dataset("text", data_dir=d["dir"], sample_by="document", cache_dir=d["cache"])
print(json.dumps(list(ds["train"]["text"])))
`,
      { dir, cache: mkdtempSync(join(tmpdir(), 'webtune-hf-cache-')) },
    );
    expect(tables.map((t) => t.rows[0]![0])).toEqual(reference);
    // Only .txt files count (datasets' data_dir would read any file).
    writeFileSync(join(dir, 'notes.md'), 'not a document');
    expect(textFolderFiles(dir).map((p) => p.slice(dir.length + 1))).toEqual(['C.txt', 'a.txt', 'b.txt']);
    rmSync(join(dir, 'notes.md'));
  });

  it('names the folder or file that cannot be read', async () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    await expect(readGenerativeData(empty, undefined, undefined)).rejects.toThrow(
      `Data folder ${empty} holds no .txt files`,
    );
    writeFileSync(join(empty, 'x.txt'), '');
    await expect(readGenerativeData(empty, undefined, undefined)).rejects.toThrow(
      `${join(empty, 'x.txt')} is empty`,
    );
    writeFileSync(join(empty, 'x.txt'), new Uint8Array([0x66, 0xfc, 0x72, 0x0a]));
    await expect(readGenerativeData(empty, undefined, undefined)).rejects.toThrow(
      `${join(empty, 'x.txt')} is not valid UTF-8`,
    );
  });

  it('trains on the documents of a training folder and validates on a validation folder', async () => {
    const validation = mkdtempSync(join(dir, 'dev-'));
    writeFileSync(join(validation, 'held.txt'), 'Held out.\n\nTwo paragraphs.\n');
    const { prepared, trainFile } = await readGenerativeData(dir, validation, undefined);
    expect(trainFile).toBe(dir.split('/').pop());
    expect(prepared.train.map((r) => r.kind === 'text' && r.text)).toEqual([
      'Upper case sorts first.\n',
      NOTE,
      ESSAY_DOCUMENT,
    ]);
    expect(prepared.validation).toEqual([{ kind: 'text', text: 'Held out.\n\nTwo paragraphs.\n' }]);
    rmSync(validation, { recursive: true });
  });
});
