// Data for generative fine-tuning, before any tokenizer: which of the three forms a table is (plain text;
// instruction data, prompt + completion or Alpaca's instruction / input / output; chat, a `messages` column of
// role / content turns, as TRL's SFTTrainer takes them), its rows as records, the text-level cleaning report
// (empty texts, exact duplicates, malformed conversations) and the seeded validation split. Token counts (what
// is too long, what packing drops) come later, with the tokenizer (train/causal-lm-examples.ts). A stored
// dataset's TXT files read one document per line (their rows) or one per file (their whole text).
import { createRng, shuffle } from '../random';
import type { TxtDocuments } from './txt';

export type GenerativeKind = 'text' | 'instruction' | 'chat';

export interface ChatTurn {
  role: string;
  content: string;
}

export type GenerativeRecord =
  | { kind: 'text'; text: string }
  | { kind: 'instruction'; prompt: string; completion: string }
  | { kind: 'chat'; messages: ChatTurn[] };

/** Which columns a table's records come from. */
export type GenerativeColumns =
  | { kind: 'text'; text: string }
  | { kind: 'instruction'; prompt: string; completion: string; input?: string; alpaca: boolean }
  | { kind: 'chat'; messages: string };

export const CHAT_ROLES = ['system', 'user', 'assistant'] as const;

export class GenerativeDataError extends Error {
  override name = 'GenerativeDataError';
}

/**
 * The form of a table from its column names: `messages` is chat; `prompt` + `completion` (or Alpaca's
 * `instruction` + `output`, with an optional `input`) is instruction data; `text` (or `textColumn`, or the only
 * column there is) is plain text. Names are matched without regard to case.
 */
export function detectGenerativeColumns(
  columns: readonly string[],
  fileName: string,
  textColumn?: string,
): GenerativeColumns {
  const find = (name: string) => columns.find((c) => c.toLowerCase() === name);
  const list = columns.map((c) => `'${c}'`).join(', ');
  if (textColumn !== undefined) {
    if (!columns.includes(textColumn))
      throw new GenerativeDataError(`${fileName} has no column '${textColumn}'; its columns are ${list}`);
    return { kind: 'text', text: textColumn };
  }
  const messages = find('messages');
  if (messages) return { kind: 'chat', messages };
  const prompt = find('prompt');
  const completion = find('completion');
  if (prompt && completion) return { kind: 'instruction', prompt, completion, alpaca: false };
  const instruction = find('instruction');
  const output = find('output');
  if (instruction && output)
    return {
      kind: 'instruction',
      prompt: instruction,
      completion: output,
      input: find('input'),
      alpaca: true,
    };
  const text = find('text') ?? (columns.length === 1 ? columns[0] : undefined);
  if (text) return { kind: 'text', text };
  throw new GenerativeDataError(
    `${fileName}: no column says what to train on; generative data needs 'text' (plain text), 'prompt' and ` +
      `'completion' (or 'instruction', 'input', 'output') for instruction data, or 'messages' for chat ` +
      `(columns: ${list}); or name the text column with --text-column`,
  );
}

/** What is wrong with one conversation, or undefined when it can be trained on. */
export function conversationProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'messages is not a list';
  if (value.length === 0) return 'messages is empty';
  for (const [i, turn] of value.entries()) {
    if (!turn || typeof turn !== 'object') return `message ${i + 1} is not an object`;
    const { role, content } = turn as Record<string, unknown>;
    if (typeof role !== 'string' || !(CHAT_ROLES as readonly string[]).includes(role))
      return `message ${i + 1} has role ${JSON.stringify(role)}, not system, user or assistant`;
    if (typeof content !== 'string') return `message ${i + 1} has no text content`;
  }
  if (!value.some((t) => (t as ChatTurn).role === 'assistant')) return 'no assistant turn';
  return undefined;
}

export type GenerativeIssueKind = 'empty-texts' | 'duplicates' | 'malformed-conversations' | 'too-long';

export interface GenerativeIssue {
  kind: GenerativeIssueKind;
  count: number;
  /** Rows removed for it (too-long rows are kept, cut or packed). */
  dropped: number;
  /** A few of them, as "file row N: …". */
  examples: string[];
  /** too-long: tokens cut off by the block size (unpacked rows) in all. */
  tokensLost?: number;
}

export interface GenerativeReport {
  kind: GenerativeKind;
  /** Alpaca's column names were read as prompt (instruction + input) and completion (output). */
  alpaca: boolean;
  total: number;
  issues: GenerativeIssue[];
}

export interface GenerativePart {
  file: string;
  role: 'train' | 'validation';
  columns: readonly string[];
  rows: readonly (readonly string[])[];
}

export interface PreparedGenerative {
  columns: GenerativeColumns;
  train: GenerativeRecord[];
  validation: GenerativeRecord[];
  report: GenerativeReport;
}

export interface GenerativeSplit {
  validationShare: number;
  seed: number;
}

/**
 * The rows of the parts as records (the first part's columns decide the form; a validation part must have the
 * same form), empty, malformed and duplicate rows dropped and counted, and the training rows split (seeded) when
 * no validation part is given.
 */
export function prepareGenerative(
  parts: readonly GenerativePart[],
  split: GenerativeSplit,
  textColumn?: string,
): PreparedGenerative {
  const first = parts[0];
  if (!first) throw new GenerativeDataError('No data file');
  const columns = detectGenerativeColumns(first.columns, first.file, textColumn);
  const issues = new Map<GenerativeIssueKind, GenerativeIssue>();
  const note = (kind: GenerativeIssueKind, where: string) => {
    const issue = issues.get(kind) ?? { kind, count: 0, dropped: 0, examples: [] };
    issue.count += 1;
    issue.dropped += 1;
    if (issue.examples.length < 3) issue.examples.push(where);
    issues.set(kind, issue);
  };
  const seen = new Set<string>();
  const out: Record<'train' | 'validation', GenerativeRecord[]> = { train: [], validation: [] };
  let total = 0;
  for (const part of parts) {
    const partColumns =
      part === first ? columns : detectGenerativeColumns(part.columns, part.file, textColumn);
    if (partColumns.kind !== columns.kind)
      throw new GenerativeDataError(
        `${part.file} holds ${partColumns.kind} data but ${first.file} holds ${columns.kind} data`,
      );
    const at = (name: string) => part.columns.indexOf(name);
    part.rows.forEach((row, r) => {
      total += 1;
      const where = `${part.file} row ${r + 1}`;
      const cell = (name: string | undefined) => (name === undefined ? '' : (row[at(name)] ?? ''));
      let record: GenerativeRecord;
      if (partColumns.kind === 'text') {
        const text = cell(partColumns.text);
        if (text.trim() === '') return note('empty-texts', where);
        record = { kind: 'text', text };
      } else if (partColumns.kind === 'instruction') {
        const instruction = cell(partColumns.prompt);
        const input = cell(partColumns.input);
        // Alpaca: the input, when there is one, follows the instruction after a blank line.
        const prompt = input.trim() === '' ? instruction : `${instruction}\n\n${input}`;
        const completion = cell(partColumns.completion);
        if (prompt.trim() === '' || completion.trim() === '') return note('empty-texts', where);
        record = { kind: 'instruction', prompt, completion };
      } else {
        let parsed: unknown;
        try {
          parsed = JSON.parse(cell(partColumns.messages));
        } catch {
          return note('malformed-conversations', `${where}: messages is not JSON`);
        }
        const problem = conversationProblem(parsed);
        if (problem) return note('malformed-conversations', `${where}: ${problem}`);
        const messages = (parsed as ChatTurn[]).map((t) => ({ role: t.role, content: t.content }));
        if (messages.every((t) => t.content.trim() === '')) return note('empty-texts', where);
        record = { kind: 'chat', messages };
      }
      const key = JSON.stringify(record);
      if (seen.has(key)) return note('duplicates', where);
      seen.add(key);
      out[part.role].push(record);
    });
  }
  let { train, validation } = out;
  if (!parts.some((p) => p.role === 'validation') && split.validationShare > 0) {
    const order = shuffle([...train.keys()], createRng(split.seed));
    const n = Math.round(train.length * split.validationShare);
    const held = new Set(order.slice(0, n));
    validation = train.filter((_, i) => held.has(i));
    train = train.filter((_, i) => !held.has(i));
  }
  return {
    columns,
    train,
    validation,
    report: {
      kind: columns.kind,
      alpaca: columns.kind === 'instruction' && columns.alpaca,
      total,
      issues: [...issues.values()],
    },
  };
}

/** The Data step's view of generative data: the form, the cleaning report and the split, or why it is none. */
export type GenerativeAnalysis =
  | {
      ok: true;
      report: GenerativeReport;
      columns: GenerativeColumns;
      trainRows: number;
      validationRows: number;
      validationFrom: 'split' | 'file';
    }
  | { ok: false; message: string };

/**
 * A stored part as the generative path sees it: its rows, and for a TXT file read by lines the file's whole text
 * (`document`) when the storage was asked for it.
 */
export type StoredGenerativePart = Omit<GenerativePart, 'role'> & { role: string; document?: string };

/**
 * How a dataset's TXT files read when nobody chose: several files are a folder of documents, one per file (what
 * `load_dataset("text", data_dir=…, sample_by="document")` makes of them); a single file is one document per
 * line, datasets' default.
 */
export function defaultTxtDocuments(txtFiles: number): TxtDocuments {
  return txtFiles > 1 ? 'file' : 'line';
}

/**
 * A stored dataset's train and validation parts as generative parts (the training part first), TXT files read
 * one document per line (their rows) or one per file (their whole text as one `text` row). Parts without a
 * document (every other format) keep their rows either way.
 */
export function generativeParts(
  parts: readonly StoredGenerativePart[],
  documents: TxtDocuments = 'line',
): GenerativePart[] {
  const read = (part: StoredGenerativePart, role: 'train' | 'validation'): GenerativePart =>
    documents === 'file' && part.document !== undefined
      ? { file: part.file, role, columns: ['text'], rows: [[part.document]] }
      : { file: part.file, role, columns: part.columns, rows: part.rows };
  const pick = (role: 'train' | 'validation') =>
    parts.filter((p) => p.role === role).map((p) => read(p, role));
  return [...pick('train'), ...pick('validation')];
}

/**
 * prepareGenerative over a stored dataset's parts (test parts are not trained on), as the Data step shows it
 * and the worker trains on it: the same function, so the page and the run always agree.
 */
export function analyzeGenerative(
  parts: readonly StoredGenerativePart[],
  split: GenerativeSplit,
  documents: TxtDocuments = 'line',
): GenerativeAnalysis {
  try {
    const used = generativeParts(parts, documents);
    const prepared = prepareGenerative(used, split);
    return {
      ok: true,
      report: prepared.report,
      columns: prepared.columns,
      trainRows: prepared.train.length,
      validationRows: prepared.validation.length,
      validationFrom: used.some((p) => p.role === 'validation') ? 'file' : 'split',
    };
  } catch (error) {
    if (error instanceof GenerativeDataError) return { ok: false, message: error.message };
    throw error;
  }
}

/**
 * Whether a stored table reads as generative data rather than labelled examples: chat or instruction columns,
 * a text column with no label column, or a single TXT file (its one "label" is the file's name).
 */
export function looksGenerative(
  columns: readonly string[],
  labelColumn: string | undefined,
  singleTxt: boolean,
): boolean {
  if (singleTxt) return true;
  try {
    const form = detectGenerativeColumns(columns, '');
    return form.kind !== 'text' || labelColumn === undefined;
  } catch {
    return false;
  }
}
