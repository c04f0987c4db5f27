// From stored rows to training examples: applies the column mapping, merges label spellings that differ only by
// case or surrounding spaces, finds what is wrong (empty texts, duplicates, conflicting labels, very long texts,
// rare classes, imbalance, empty labels), drops what the person chose to drop, and splits. The same function
// makes the report the person sees and the examples the trainer gets, so the two always agree.
//
// Counts add up: each check looks only at the rows still in after the checks before it, so a row is counted
// (and dropped) under one issue at most, an issue's "drop" option removes exactly the rows it counts, and
// total = kept + dropped + unlabeled, kept = train + validation + test.
import type { ColumnMapping } from './guess';
import { createRng, shuffle } from '../random';
import type { TxtDocuments } from './txt';
import { describeSplit, stratifiedSplit, type SplitSummary } from './split';

export type FileRole = 'train' | 'validation' | 'test';

export interface PartRows {
  file: string;
  role: FileRole;
  columns: readonly string[];
  rows: readonly (readonly string[])[];
}

export interface CleaningOptions {
  /** `POSITIVE`, `Positive ` and `positive` become one class, spelled as most rows spell it. */
  mergeLabelSpellings: boolean;
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
  /**
   * What the dataset trains: labelled examples for a classifier (the default), or generative data (plain text,
   * instruction or chat; core/data/generative.ts) for a causal LM, which ignores the mapping and cleaning here.
   */
  purpose?: 'classification' | 'generative';
  /**
   * Generative data from TXT files: one document per line or the whole file as one (generative.ts's
   * generativeParts). Configs saved before the choice existed have none and read per line, as they did.
   */
  txtDocuments?: TxtDocuments;
  mapping: ColumnMapping;
  cleaning: CleaningOptions;
  split: SplitOptions;
}

export const DEFAULT_CLEANING: CleaningOptions = {
  mergeLabelSpellings: true,
  dropEmptyTexts: true,
  dropDuplicates: true,
  dropConflicts: true,
  dropLongTexts: false,
  longTextChars: 2000,
  dropRareClasses: false,
  rareClassMin: 5,
  // Rows without a label block the dataset; dropping them is the fix, so it is the default.
  dropEmptyLabels: true,
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

/** Every kind of issue the cleaning report finds, in the order the report lists them. */
export const ISSUE_KINDS = [
  'label-spellings',
  'empty-labels',
  'empty-texts',
  'duplicates',
  'conflicts',
  'long-texts',
  'rare-classes',
  'imbalance',
] as const;

export type IssueKind = (typeof ISSUE_KINDS)[number];

/** One class written several ways in the file. */
export interface LabelSpellings {
  /** The spelling the class gets (the one most rows use; on a tie the lower-case one, then code-point order). */
  label: string;
  /** Every spelling seen, as written (surrounding spaces kept), with its row count, most rows first. */
  variants: { spelling: string; rows: number }[];
}

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
  /** label-spellings only: the classes written several ways (merged when `mergeLabelSpellings` is on). */
  spellings?: LabelSpellings[];
}

export type ProblemCode = 'missing-column' | 'no-label-column' | 'empty-labels' | 'one-class' | 'no-rows';

/** Something that blocks using the dataset until the person changes the mapping or the options. */
export interface DatasetProblem {
  code: ProblemCode;
  message: string;
}

export interface CleaningReport {
  total: number;
  /** Rows that go into train, validation or test: the sum of the class counts. */
  kept: number;
  /** Rows removed by the cleaning options: the sum of the issues' `dropped`. */
  dropped: number;
  /** Rows left in with an empty label (a blocking problem until they are dropped). */
  unlabeled: number;
  issues: CleaningIssue[];
  problems: DatasetProblem[];
  labels: string[];
  classCounts: Record<FileRole, number[]>;
  /** Where the validation rows come from. */
  validationFrom: 'split' | 'file';
  /** What the stratified split did (absent when the validation rows come from a file). */
  split?: SplitSummary;
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

  // 1. Map columns. Labels lose their surrounding spaces; their spellings are counted for step 2.
  const candidates: Candidate[] = [];
  const spellingRows = new Map<string, Map<string, number>>(); // folded label → raw spelling → rows
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
      const raw = li >= 0 ? (row[li] ?? '') : '';
      const label = raw.trim();
      if (label !== '') {
        const key = foldLabel(label);
        const spellings = spellingRows.get(key) ?? new Map<string, number>();
        spellings.set(raw, (spellings.get(raw) ?? 0) + 1);
        spellingRows.set(key, spellings);
      }
      candidates.push({
        text: row[ti] ?? '',
        text2: t2i >= 0 ? (row[t2i] ?? '') : undefined,
        label,
        role: part.role,
        where: `${part.file} row ${i + 1}`,
      });
    });
  }
  const total = candidates.length;

  // 2. Label spellings, before anything is compared by label (conflicts, classes).
  const spellings = labelSpellings(spellingRows);
  if (spellings.length) {
    const canonical = new Map(spellings.map((s) => [foldLabel(s.label), s.label]));
    const found = issue('label-spellings');
    found.spellings = spellings;
    found.count = spellings.reduce(
      (n, s) => n + s.variants.filter((v) => v.spelling !== s.label).reduce((m, v) => m + v.rows, 0),
      0,
    );
    if (cleaning.mergeLabelSpellings) {
      for (const c of candidates) {
        const label = c.label === '' ? undefined : canonical.get(foldLabel(c.label));
        if (label !== undefined) c.label = label;
      }
    }
  }

  // 3. Row-level issues, each on the rows the checks before it left in.
  const keptSoFar = () => candidates.filter((c) => !c.drop);
  for (const c of keptSoFar()) {
    if (c.text.trim() === '' && (c.text2 === undefined || c.text2.trim() === '')) {
      note('empty-texts', c, cleaning.dropEmptyTexts);
    }
  }
  if (mapping.label) {
    for (const c of keptSoFar()) if (c.label === '') note('empty-labels', c, cleaning.dropEmptyLabels);
  }
  for (const c of keptSoFar()) {
    if (c.text.length + (c.text2?.length ?? 0) > cleaning.longTextChars) {
      note('long-texts', c, cleaning.dropLongTexts);
    }
  }
  const seen = new Map<string, { labels: Set<string>; rows: Candidate[] }>();
  for (const c of keptSoFar()) {
    const key = c.text2 === undefined ? c.text : `${c.text}\u0000${c.text2}`;
    const group = seen.get(key);
    if (group) {
      group.labels.add(c.label);
      group.rows.push(c);
    } else seen.set(key, { labels: new Set([c.label]), rows: [c] });
  }
  for (const group of seen.values()) {
    if (group.rows.length < 2) continue;
    if (group.labels.size > 1) {
      for (const c of group.rows) note('conflicts', c, cleaning.dropConflicts);
    } else {
      for (const c of group.rows.slice(1)) note('duplicates', c, cleaning.dropDuplicates);
    }
  }

  // Rows without a label left in (not dropped as such, nor for another reason) block the dataset.
  const unlabeled = keptSoFar().filter((c) => c.label === '');
  if (mapping.label && unlabeled.length) {
    const n = unlabeled.length;
    const where = unlabeled.slice(0, MAX_EXAMPLES).map((c) => c.where);
    problems.push({
      code: 'empty-labels',
      message: `${n} row${n === 1 ? ' has' : 's have'} an empty label in column '${mapping.label}' (${where.join(', ')}${n > MAX_EXAMPLES ? ', …' : ''}). Drop them or choose another label column.`,
    });
  }

  // 4. Class-level issues, on what is left.
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

  // 5. Labels and split.
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
  const classCounts = {
    train: classCount(train),
    validation: classCount(validation),
    test: classCount(test),
  };
  return {
    labels,
    train,
    validation,
    test,
    report: {
      total,
      kept: kept.length,
      dropped,
      unlabeled: total - dropped - kept.length,
      issues: ISSUE_KINDS.flatMap((k) => (issues.has(k) ? [issues.get(k)!] : [])),
      problems,
      labels,
      classCounts,
      validationFrom: hasValidationFile ? 'file' : 'split',
      ...(hasValidationFile
        ? {}
        : { split: describeSplit(labels, classCounts.train, classCounts.validation, split.validationShare) }),
    },
  };
}

/** The key under which spellings of one label meet: no surrounding spaces, lower case. */
function foldLabel(label: string): string {
  return label.trim().toLowerCase();
}

/** The labels written more than one way, each with the spelling it gets. */
function labelSpellings(spellingRows: ReadonlyMap<string, ReadonlyMap<string, number>>): LabelSpellings[] {
  const out: LabelSpellings[] = [];
  for (const rows of spellingRows.values()) {
    if (rows.size < 2) continue;
    const byTrimmed = new Map<string, number>();
    for (const [raw, n] of rows) byTrimmed.set(raw.trim(), (byTrimmed.get(raw.trim()) ?? 0) + n);
    const [label] = [...byTrimmed].sort(
      ([a, na], [b, nb]) =>
        nb - na ||
        Number(b === b.toLowerCase()) - Number(a === a.toLowerCase()) ||
        (a < b ? -1 : a > b ? 1 : 0),
    )[0]!;
    const variants = [...rows]
      .map(([spelling, n]) => ({ spelling, rows: n }))
      .sort((a, b) => b.rows - a.rows || (a.spelling < b.spelling ? -1 : 1));
    out.push({ label, variants });
  }
  return out.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}
