// Runs the independent PyTorch reference (../shared/tools/refarch.py, refbert.py; Debian's python3-torch) on a
// model folder: forward passes on given ids, and accuracy on tokenised, labelled rows. The folder is read the
// way transformers would read it: config.json plus model.safetensors, tensors found by their transformers names.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PYTHON } from './python';
import { sharedPath } from './shared';

const run = promisify(execFile);

export { PYTHON };

export interface ReferenceInputs {
  input_ids: number[][];
  attention_mask: number[][];
  /** BERT's segment ids; zeros when absent. DistilBERT and RoBERTa ignore them. */
  token_type_ids?: number[][];
}

export interface ReferenceOutputs {
  logits: number[][];
  /** [batch][position][hidden], padded positions included. */
  last_hidden_state: number[][][];
}

/** One tokenised validation row: the ids with special tokens, unpadded, and the label's index. */
export interface LabelledIds {
  ids: number[];
  label: number;
}

export interface ReferencePrediction {
  accuracy: number;
  rows: number;
  /** refbert.py reports it; refarch.py does not. */
  macro_f1?: number;
}

export async function runPython(args: string[], timeoutMs = 120_000): Promise<string> {
  try {
    const { stdout } = await run(PYTHON, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${PYTHON} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`, {
      cause: error,
    });
  }
}

async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'webtune-ref-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `refarch.py reference`: logits and last_hidden_state of the folder's classifier (eval mode, no dropout). */
export async function referenceForward(modelDir: string, inputs: ReferenceInputs): Promise<ReferenceOutputs> {
  return withTempDir(async (dir) => {
    const ids = join(dir, 'ids.json');
    const out = join(dir, 'out.json');
    await writeFile(ids, JSON.stringify(inputs));
    await runPython([
      sharedPath('tools', 'refarch.py'),
      'reference',
      '--model',
      modelDir,
      '--ids-json',
      ids,
      '--out',
      out,
    ]);
    return JSON.parse(await readFile(out, 'utf8')) as ReferenceOutputs;
  });
}

/**
 * The reference's accuracy on labelled rows: `refarch.py predict` (all three architectures) or `refbert.py
 * predict` (BERT only; also macro F1, and cuts rows to `maxLength`, 512 by default). Both pad each batch of 64
 * with config.json's pad_token_id, mask the padding, and pass all-zero token_type_ids, so for BERT sentence
 * pairs they see segment 0 throughout.
 */
export async function referencePredict(
  modelDir: string,
  rows: LabelledIds[],
  tool: 'refarch' | 'refbert' = 'refarch',
  options: { maxLength?: number } = {},
): Promise<ReferencePrediction> {
  if (rows.length === 0) throw new Error('referencePredict needs at least one row');
  return withTempDir(async (dir) => {
    const data = join(dir, 'rows.jsonl');
    await writeFile(data, rows.map((r) => JSON.stringify({ ids: r.ids, label: r.label })).join('\n') + '\n');
    const args = [sharedPath('tools', `${tool}.py`), 'predict', '--model', modelDir, '--data', data];
    if (options.maxLength !== undefined) {
      if (tool !== 'refbert') throw new Error('only refbert.py predict takes a maximum length');
      args.push('--maxlen', String(options.maxLength));
    }
    const stdout = await runPython(args);
    const last = stdout.trim().split('\n').at(-1) ?? '';
    try {
      return JSON.parse(last) as ReferencePrediction;
    } catch (error) {
      throw new Error(`${tool}.py predict printed no JSON result: ${stdout.trim() || '(nothing)'}`, {
        cause: error,
      });
    }
  });
}
