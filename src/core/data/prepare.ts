// From stored rows to training examples: applies the column mapping, finds what is wrong (empty texts,
// duplicates, conflicting labels, very long texts, rare classes, imbalance, empty labels), drops what the person
// chose to drop (counting every dropped row), and splits. The same function makes the report the person sees
// and the examples the trainer gets, so the two always agree.
import type { ColumnMapping } from './guess';
import { createRng, shuffle } from '../random';
import { stratifiedSplit } from './split';

export type FileRole = 'train' | 'validation' | 'test';

export interface PartRows {
  file: string;
  role: FileRole;
  columns: readonly string[];
  rows: readonly (readonly string[])[];
}

export interface CleaningOptions {
  dropEmptyTexts: boolean;
  dropDuplicates: boolean;
  dropConflicts: boolean;
  dropLongTexts: boolean;
  /** Texts (both texts of a pair together) longer than this many characters are "very long". */
  longTextChars: number;
  dropRareClasses: boolean;
  /** Classes with fewer examples than this are "rare". */
  rareClassMin: number;
  dropEmptyLabels: boolean;
  /** Downsample every class to at most this many times the smallest one. */
  capImbalance: boolean;
  maxImbalance: number;
}

export interface SplitOptions {
  /** Share of each class moved to validation when there is no validation file. */
  validationShare: number;
  seed: number;
}

export interface DatasetConfig {
  mapping: ColumnMapping;
  cleaning: CleaningOptions;
  split: SplitOptions;
}

export const DEFAULT_CLEANING: CleaningOptions = {
  dropEmptyTexts: true,
  dropDuplicates: true,
  dropConflicts: true,
  dropLongTexts: false,
  longTextChars: 2000,
  dropRareClasses: false,
  rareClassMin: 5,
  dropEmptyLabels: false,
  capImbalance: false,
  maxImbalance: 10,
};

export const DEFAULT_SPLIT: SplitOptions = { validationShare: 0.1, seed: 42 };

export interface Example {
  text: string;
  text2?: string;
  /** Index into `labels`. */
  label: number;
}

export type IssueKind =
  'empty-labels' | 'empty-texts' | 'duplicates' | 'conflicts' | 'long-texts' | 'rare-classes' | 'imbalance';

export interface CleaningIssue {
  kind: IssueKind;
  /** Rows concerned (for imbalance: rows that capping would remove). */
  count: number;
  /** A few of them, as "file row N: text". */
  examples: string[];
  /** Rows removed because of this issue with the current options. */
  dropped: number;
  /** Imbalance only: largest class size / smallest class size. */
  ratio?: number;
}

export type ProblemCode = 'missing-column' | 'no-label-column' | 'empty-labels' | 'one-class' | 'no-rows';

/** Something that blocks using the dataset until the person changes the mapping or the options. */
export interface DatasetProblem {
  code: ProblemCode;
  message: string;
}

export interface CleaningReport {
  total: number;
  kept: number;
  dropped: number;
  issues: CleaningIssue[];
  problems: DatasetProblem[];
  labels: string[];
  classCounts: Record<FileRole, number[]>;
  /** Where the validation rows come from. */
  validationFrom: 'split' | 'file';
}

export interface PreparedDataset {
  labels: string[];
  train: Example[];
  validation: Example[];
  test: Example[];
  report: CleaningReport;
}

interface Candidate {
  text: string;
  text2?: string;
  label: string;
  role: FileRole;
  where: string;
  drop?: IssueKind;
}

const MAX_EXAMPLES = 3;

function excerpt(c: Candidate): string {
  const text = c.text2 !== undefined ? `${c.text} | ${c.text2}` : c.text;
  const short = text.length > 80 ? `${text.slice(0, 77)}…` : text;
  return `${c.where}: ${short === '' ? '(empty)' : short}`;
}

function isNumeric(value: string): boolean {
  return /^[-+]?\d+(\.\d+)?$/.test(value.trim());
}

/** Numbers in numeric order when every label is a number; otherwise code-point order. */
export function sortLabels(labels: Iterable<string>): string[] {
  const list = [...new Set(labels)];
  if (list.every(isNumeric)) return list.sort((a, b) => Number(a) - Number(b));
  return list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const ROLE_ORDER: FileRole[] = ['train', 'validation', 'test'];

export function prepareDataset(parts: readonly PartRows[], config: DatasetConfig): PreparedDataset {
  const { mapping, cleaning, split } = config;
  const problems: DatasetProblem[] = [];
  const issues = new Map<IssueKind, CleaningIssue>();
  const issue = (kind: IssueKind) => {
    let found = issues.get(kind);
    if (!found) {
      found = { kind, count: 0, examples: [], dropped: 0 };
      issues.set(kind, found);
    }
    return found;
  };
  const note = (kind: IssueKind, c: Candidate, drop: boolean) => {
    const found = issue(kind);
    found.count++;
    if (found.examples.length < MAX_EXAMPLES) found.examples.push(excerpt(c));
    if (drop && !c.drop) {
      c.drop = kind;
      found.dropped++;
    }
  };

  if (!mapping.label) {
    problems.push({ code: 'no-label-column', message: 'Choose the column that holds the labels.' });
  }

  // 1. Map columns.
  const candidates: Candidate[] = [];
  const ordered = [...parts].sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role));
  for (const part of ordered) {
    const col = (name: string | undefined) => (name === undefined ? -1 : part.columns.indexOf(name));
    const ti = col(mapping.text);
    const t2i = col(mapping.text2);
    const li = col(mapping.label);
    const missing = [mapping.text, mapping.text2, mapping.label].filter(
      (name) => name !== undefined && col(name) < 0,
    );
    if (missing.length) {
      problems.push({
        code: 'missing-column',
        message: `${part.file} has no column ${missing.map((m) => `'${m}'`).join(', ')}.`,
      });
      continue;
    }
    part.rows.forEach((row, i) => {
      candidates.push({
        text: row[ti] ?? '',
        text2: t2i >= 0 ? (row[t2i] ?? '') : undefined,
        label: li >= 0 ? (row[li] ?? '').trim() : '',
        role: part.role,
        where: `${part.file} row ${i + 1}`,
      });
    });
  }
  const total = candidates.length;

  // 2. Row-level issues.
  const seen = new Map<string, { labels: Set<string>; rows: Candidate[] }>();
  for (const c of candidates) {
    if (mapping.label && c.label === '') note('empty-labels', c, cleaning.dropEmptyLabels);
    if (c.text.trim() === '' && (c.text2 === undefined || c.text2.trim() === '')) {
      note('empty-texts', c, cleaning.dropEmptyTexts);
    }
    if (c.text.length + (c.text2?.length ?? 0) > cleaning.longTextChars) {
      note('long-texts', c, cleaning.dropLongTexts);
    }
    const key = c.text2 === undefined ? c.text : `${c.text}\u0000${c.text2}`;
    const group = seen.get(key);
    if (group) {
      group.labels.add(c.label);
      group.rows.push(c);
    } else seen.set(key, { labels: new Set([c.label]), rows: [c] });
  }
  const emptyLabels = issues.get('empty-labels');
  if (emptyLabels && !cleaning.dropEmptyLabels) {
    problems.push({
      code: 'empty-labels',
      message: `${emptyLabels.count} row${emptyLabels.count === 1 ? ' has' : 's have'} an empty label in column '${mapping.label}' (${emptyLabels.examples.map((e) => e.split(':')[0]).join(', ')}${emptyLabels.count > MAX_EXAMPLES ? ', …' : ''}). Drop them or choose another label column.`,
    });
  }
  for (const group of seen.values()) {
    if (group.rows.length < 2) continue;
    if (group.labels.size > 1) {
      for (const c of group.rows) note('conflicts', c, cleaning.dropConflicts);
    } else {
      for (const c of group.rows.slice(1)) note('duplicates', c, cleaning.dropDuplicates);
    }
  }

  // 3. Class-level issues, on what is left.
  const countLabels = () => {
    const counts = new Map<string, number>();
    for (const c of candidates)
      if (!c.drop && c.label !== '') counts.set(c.label, (counts.get(c.label) ?? 0) + 1);
    return counts;
  };
  let counts = countLabels();
  const rare = new Set([...counts].filter(([, n]) => n < cleaning.rareClassMin).map(([l]) => l));
  if (rare.size && counts.size > 1) {
    for (const c of candidates)
      if (!c.drop && rare.has(c.label)) note('rare-classes', c, cleaning.dropRareClasses);
    counts = countLabels();
  }
  if (counts.size > 1) {
    const sizes = [...counts.values()];
    const smallest = Math.min(...sizes);
    const ratio = Math.max(...sizes) / smallest;
    const cap = Math.max(1, Math.floor(smallest * cleaning.maxImbalance));
    const found = issue('imbalance');
    found.ratio = ratio;
    const rng = createRng(split.seed);
    for (const label of sortLabels(counts.keys())) {
      const rows = shuffle(
        candidates.filter((c) => !c.drop && c.label === label && c.role === 'train'),
        rng,
      );
      for (const c of rows.slice(cap)) note('imbalance', c, cleaning.capImbalance);
    }
  }

  // 4. Labels and split.
  const kept = candidates.filter((c) => !c.drop && c.label !== '');
  const labels = sortLabels(kept.map((c) => c.label));
  if (mapping.label && labels.length === 1) {
    problems.push({
      code: 'one-class',
      message: `Every row has the same label ('${labels[0]}'): a classifier needs at least two classes.`,
    });
  }
  if (total === 0) problems.push({ code: 'no-rows', message: 'There are no rows to train on.' });
  const id = new Map(labels.map((l, i) => [l, i]));
  const toExample = (c: Candidate): Example =>
    c.text2 === undefined
      ? { text: c.text, label: id.get(c.label)! }
      : { text: c.text, text2: c.text2, label: id.get(c.label)! };
  const hasValidationFile = parts.some((p) => p.role === 'validation');
  const trainCandidates = kept.filter((c) => c.role === 'train');
  let train: Example[];
  let validation: Example[];
  if (hasValidationFile) {
    train = trainCandidates.map(toExample);
    validation = kept.filter((c) => c.role === 'validation').map(toExample);
  } else {
    const all = trainCandidates.map(toExample);
    const toValidation = stratifiedSplit(
      all.map((e) => e.label),
      split.validationShare,
      split.seed,
    );
    train = all.filter((_e, i) => !toValidation[i]);
    validation = all.filter((_e, i) => toValidation[i]);
  }
  const test = kept.filter((c) => c.role === 'test').map(toExample);
  const classCount = (examples: Example[]) => {
    const n = new Array<number>(labels.length).fill(0);
    for (const e of examples) n[e.label]!++;
    return n;
  };
  const dropped = candidates.filter((c) => c.drop).length;
  const order: IssueKind[] = [
    'empty-labels',
    'empty-texts',
    'duplicates',
    'conflicts',
    'long-texts',
    'rare-classes',
    'imbalance',
  ];
  return {
    labels,
    train,
    validation,
    test,
    report: {
      total,
      kept: total - dropped,
      dropped,
      issues: order.flatMap((k) => (issues.has(k) ? [issues.get(k)!] : [])),
      problems,
      labels,
      classCounts: { train: classCount(train), validation: classCount(validation), test: classCount(test) },
      validationFrom: hasValidationFile ? 'file' : 'split',
    },
  };
}
