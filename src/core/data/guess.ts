// Guesses which columns hold the text, the optional second text of a pair, and the label: first by name,
// then by content (the longest texts; the column with few distinct values). The person confirms or changes it.
export interface ColumnMapping {
  text: string;
  /** The second text of a pair task (premise/hypothesis, question/answer, …). */
  text2?: string;
  label?: string;
}

const TEXT_NAMES = [
  'text',
  'sentence',
  'review',
  'content',
  'body',
  'document',
  'comment',
  'tweet',
  'message',
  'utterance',
  'query',
  'description',
  'abstract',
  'title',
  'headline',
  'input',
  'prompt',
];
const PAIR_NAMES: [string, string][] = [
  ['sentence1', 'sentence2'],
  ['text1', 'text2'],
  ['text_a', 'text_b'],
  ['premise', 'hypothesis'],
  ['question', 'answer'],
  ['question', 'sentence'],
  ['question', 'passage'],
  ['question1', 'question2'],
  ['query', 'document'],
  ['query', 'passage'],
  ['#1 string', '#2 string'],
  ['string1', 'string2'],
];
const LABEL_NAMES = [
  'label',
  'labels',
  'target',
  'class',
  'category',
  'sentiment',
  'label_name',
  'intent',
  'emotion',
  'topic',
  'y',
  'gold_label',
  'quality',
  'polarity',
  'tag',
];

function normalise(name: string): string {
  return name.trim().toLowerCase();
}

function findByName(columns: readonly string[], names: readonly string[]): string | undefined {
  for (const name of names) {
    const hit = columns.find((c) => normalise(c) === name);
    if (hit) return hit;
  }
  return undefined;
}

function columnValues(
  columns: readonly string[],
  rows: readonly (readonly string[])[],
  column: string,
): string[] {
  const i = columns.indexOf(column);
  return rows.map((r) => r[i] ?? '');
}

function meanLength(values: readonly string[]): number {
  return values.reduce((s, v) => s + v.length, 0) / Math.max(1, values.length);
}

function isNumeric(value: string): boolean {
  return /^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value.trim());
}

/** A column whose values look like labels: few distinct values, short. */
function labelLikeness(values: readonly string[]): number {
  const nonEmpty = values.filter((v) => v.trim() !== '');
  if (nonEmpty.length === 0) return 0;
  const distinct = new Set(nonEmpty).size;
  if (distinct < 2 || distinct > Math.max(2, Math.min(200, nonEmpty.length / 2))) return 0;
  if (meanLength(nonEmpty) > 40) return 0;
  return 1 / distinct;
}

/** A column whose values look like free text: mostly non-numeric, with several words. */
function textLikeness(values: readonly string[]): number {
  const nonEmpty = values.filter((v) => v.trim() !== '');
  if (nonEmpty.length === 0) return 0;
  const numeric = nonEmpty.filter(isNumeric).length;
  if (numeric > nonEmpty.length / 2) return 0;
  return meanLength(nonEmpty);
}

/** True when some column could hold text (not all numbers or empty). */
export function hasTextLikeColumn(columns: readonly string[], rows: readonly (readonly string[])[]): boolean {
  return columns.some((c) => textLikeness(columnValues(columns, rows, c)) > 0);
}

export function guessMapping(
  columns: readonly string[],
  rows: readonly (readonly string[])[],
): ColumnMapping | undefined {
  const lower = columns.map(normalise);
  let text: string | undefined;
  let text2: string | undefined;
  for (const [a, b] of PAIR_NAMES) {
    const ia = lower.indexOf(a);
    const ib = lower.indexOf(b);
    if (ia >= 0 && ib >= 0) {
      text = columns[ia];
      text2 = columns[ib];
      break;
    }
  }
  let label = findByName(columns, LABEL_NAMES);
  text ??= findByName(
    columns.filter((c) => c !== label),
    TEXT_NAMES,
  );
  const scored = (score: (v: string[]) => number, exclude: (string | undefined)[]) =>
    columns
      .filter((c) => !exclude.includes(c))
      .map((c) => ({ c, s: score(columnValues(columns, rows, c)) }))
      .filter((x) => x.s > 0)
      .sort((a, b) => b.s - a.s)[0]?.c;
  text ??= scored(textLikeness, [label]);
  if (!text) return undefined;
  label ??= scored(labelLikeness, [text, text2]);
  return { text, text2, label };
}
