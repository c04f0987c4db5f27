// The sample dataset behind "Try with movie reviews" (public/samples/movie-reviews.csv) is what its SOURCES.md
// says: the first 150 negative and the first 150 positive rows of SST-2's GLUE dev split, in file order, copied
// from ../shared/datasets/sst2/dev.csv; and it is clean, so a first visit goes straight to training.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLEANING, DEFAULT_SPLIT, prepareDataset } from '../../src/core/data/prepare';
import { repoRoot, sharedPath } from '../support/shared';

const parseCsv = (text: string) => Papa.parse<string[]>(text, { skipEmptyLines: true }).data;

describe('the sample dataset', () => {
  it('is the first 150 rows per label of SST-2 dev, and needs no cleaning', async () => {
    const sample = await readFile(join(repoRoot, 'public/samples/movie-reviews.csv'), 'utf8');
    const source = await readFile(sharedPath('datasets', 'sst2', 'dev.csv'), 'utf8');
    const sampleRows = parseCsv(sample);
    const sourceRows = parseCsv(source);
    expect(sampleRows[0]).toEqual(['text', 'label']);
    const taken: Record<string, number> = {};
    const expected = sourceRows.slice(1).filter(([, label]) => {
      taken[label!] = (taken[label!] ?? 0) + 1;
      return taken[label!]! <= 150;
    });
    expect(sampleRows.slice(1)).toEqual(expected);
    const { report } = prepareDataset(
      [{ file: 'movie-reviews.csv', role: 'train', columns: ['text', 'label'], rows: sampleRows.slice(1) }],
      { mapping: { text: 'text', label: 'label' }, cleaning: DEFAULT_CLEANING, split: DEFAULT_SPLIT },
    );
    expect(report).toMatchObject({ total: 300, kept: 300, dropped: 0, problems: [] });
    expect(report.labels).toEqual(['negative', 'positive']);
  });
});
