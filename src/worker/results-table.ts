// Reads a file the person gives the Playground (to predict) or Evaluate (labelled, to score) with the data
// core's readers, and finds its text, second-text and label columns.
import type { Example } from '../core/data/prepare';
import { guessMapping } from '../core/data/guess';
import { readAll } from '../core/data/read';

export interface TextRows {
  texts: string[];
  pairs?: string[];
  /** The label cell of each row, when the file has a label column. */
  labels?: string[];
  columns: { text: string; text2?: string; label?: string };
}

export async function readTextRows(file: Blob, fileName: string, wantPairs: boolean): Promise<TextRows> {
  const { columns, rows } = await readAll(file, fileName);
  if (rows.length === 0) throw new Error(`${fileName} has no rows to predict`);
  const mapping =
    columns.length === 1 ? { text: columns[0] as string } : guessMapping(columns, rows.slice(0, 500));
  if (!mapping?.text) {
    throw new Error(`${fileName}: no text column found among ${columns.join(', ')} (name it "text")`);
  }
  if (wantPairs && !mapping.text2) {
    throw new Error(
      `${fileName}: the model reads pairs of texts, but no second text column was found among ${columns.join(', ')} ` +
        '(name them e.g. "sentence1" and "sentence2")',
    );
  }
  const cell = (name: string | undefined) => {
    const i = name === undefined ? -1 : columns.indexOf(name);
    return i < 0 ? undefined : rows.map((row) => row[i] ?? '');
  };
  return {
    texts: cell(mapping.text) as string[],
    pairs: wantPairs ? cell(mapping.text2) : undefined,
    labels: cell(mapping.label),
    columns: {
      text: mapping.text,
      ...(wantPairs && mapping.text2 ? { text2: mapping.text2 } : {}),
      ...(mapping.label ? { label: mapping.label } : {}),
    },
  };
}

/**
 * Labelled examples for the model's labels: a cell names a label exactly, or (when no label is a number) gives
 * its index, as datasets that store `0`, `1`, … do.
 */
export function labelledExamples(rows: TextRows, labels: readonly string[], fileName: string): Example[] {
  if (!rows.labels || !rows.columns.label) {
    throw new Error(`${fileName} has no label column, so it cannot be scored (name it "label")`);
  }
  const byName = new Map(labels.map((l, i) => [l, i]));
  const numericLabels = labels.some((l) => /^\d+$/.test(l.trim()));
  return rows.texts.map((text, i) => {
    const cell = (rows.labels as string[])[i]?.trim() ?? '';
    let label = byName.get(cell);
    if (label === undefined && !numericLabels && /^\d+$/.test(cell) && Number(cell) < labels.length) {
      label = Number(cell);
    }
    if (label === undefined) {
      throw new Error(
        `${fileName}, data row ${i + 1}: the label "${cell}" is not one of the model's labels (${labels.join(', ')})`,
      );
    }
    const text2 = rows.pairs?.[i];
    return text2 === undefined ? { text, label } : { text, text2, label };
  });
}
