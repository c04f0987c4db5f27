// `npm run train -- --task sequence-classification` on the tiny random decoders (GPT-2 without a pad token,
// Llama with one, Qwen2 with an untied lm_head), from the local Hub mirror, a few steps on wasm; then the --out
// folder is loaded by the real transformers 5.18 with AutoModelForSequenceClassification and AutoTokenizer
// unchanged (test/python/seqcls_folder.py), and its logits on the validation texts, as one padded batch, must equal
// `npm run predict --logits` on that folder. Also what such a run refuses (LoRA, the Trainer project, ONNX).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readSafetensors } from '../../src/core/hub/safetensors';
import { runCli, writeSentimentCsv } from '../support/cli';
import { startHubMirror, type HubMirror } from '../support/hub-mirror';
import { runPythonStack } from '../support/python';
import { DECODER_FIXTURES } from './decoder-fixtures';

const SCRIPT = readFileSync(join(__dirname, '..', 'python', 'seqcls_folder.py'), 'utf8');

interface PythonFolder {
  architecture: string;
  pad_token_id: number;
  tokenizer_pad_token_id: number;
  input_ids: number[][];
  logits: number[][];
  loading_warnings: Record<string, string[]>;
}

const CLASS: Record<string, string> = {
  'webtune/tiny-random-gpt2': 'GPT2ForSequenceClassification',
  'webtune/tiny-random-llama': 'LlamaForSequenceClassification',
  'webtune/tiny-random-qwen2': 'Qwen2ForSequenceClassification',
};

let dir: string;
let mirror: HubMirror;
let env: Record<string, string>;
const runs = new Map<string, { out: string; train: Awaited<ReturnType<typeof runCli>> }>();
let python: Record<string, PythonFolder>;
let texts: string[];
const report: string[] = [];

const outOf = (id: string) => join(dir, id.replace('/', '--'));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'webtune-cli-dec-cls-'));
  mirror = await startHubMirror();
  env = { WEBTUNE_CACHE: join(dir, 'cache') };
  writeSentimentCsv(join(dir, 'train.csv'), 24, 1);
  writeSentimentCsv(join(dir, 'dev.csv'), 8, 2);
  // The validation texts without their numbers: transformers 5.18's AutoTokenizer takes the Qwen2 fixture's
  // tokenizer as Qwen2Tokenizer (from config.json's model_type), which splits digits apart where its
  // tokenizer.json (what WebTune reads) does not ("take 0": [20657, 220, 15] against [20657, 657]); the
  // comparison is of the models, on the same ids.
  texts = (Papa.parse<string[]>(readFileSync(join(dir, 'dev.csv'), 'utf8').trim()).data as string[][])
    .slice(1)
    .map((r) => r[0]!.replace(/, take \d+$/, ''));
  writeFileSync(join(dir, 'predict.csv'), Papa.unparse([['text'], ...texts.map((t) => [t])]));
  for (const id of DECODER_FIXTURES) {
    const out = outOf(id);
    const train = await runCli(
      'train',
      [
        ...['--task', 'sequence-classification', '--model', id, '--hub', mirror.url],
        ...['--data', join(dir, 'train.csv'), '--validation', join(dir, 'dev.csv'), '--out', out],
        ...['--epochs', '1', '--lr', '1e-3', '--batch-size', '8', '--max-length', '32', '--seed', '3'],
        ...['--backend', 'wasm'],
      ],
      env,
    );
    runs.set(id, { out, train });
  }
  python = runPythonStack<Record<string, PythonFolder>>(
    SCRIPT,
    { folders: DECODER_FIXTURES.map(outOf).filter((f) => existsSync(join(f, 'config.json'))), texts },
    240_000,
  );
}, 480_000);

afterAll(async () => {
  await mirror?.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(report.join('\n'));
});

describe('npm run train --task sequence-classification on a decoder', () => {
  it.each(DECODER_FIXTURES)(
    '%s: the folder loads with AutoModelForSequenceClassification; its logits are predict’s',
    { timeout: 120_000 },
    async (id) => {
      const { out, train } = runs.get(id)!;
      expect(train.code, train.stderr).toBe(0);
      expect(train.stderr).toContain(`as ${CLASS[id]}`);
      const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
      expect(config.architectures).toEqual([CLASS[id]]);
      expect(config.id2label).toEqual({ 0: 'negative', 1: 'positive' });
      expect(config.label2id).toEqual({ negative: 0, positive: 1 });
      // GPT-2's config has none: eos (50256) stands in; Llama's and Qwen2's is 50256 too.
      expect(config.pad_token_id).toBe(50256);
      // save_pretrained's names: the trunk under its prefix, score.weight, no lm_head; no ONNX files.
      const weights = readSafetensors(new Uint8Array(readFileSync(join(out, 'model.safetensors'))));
      const names = [...weights.keys()];
      const prefix = id.endsWith('gpt2') ? 'transformer.h.0.' : 'model.layers.0.';
      expect(names.some((n) => n.startsWith(prefix))).toBe(true);
      expect(weights.get('score.weight')!.shape[0]).toBe(2);
      expect(names.some((n) => n.startsWith('lm_head') || n === 'score.bias')).toBe(false);
      expect(existsSync(join(out, 'onnx'))).toBe(false);
      expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain('has no `onnx/` files');

      const expected = python[out]!;
      expect(expected.architecture).toBe(CLASS[id]);
      // Nothing initialised or left over: every tensor is one transformers expects.
      expect(expected.loading_warnings).toEqual({});
      expect(expected.tokenizer_pad_token_id).toBe(expected.pad_token_id);
      const preds = join(dir, `${id.replace('/', '--')}-preds.csv`);
      const predict = await runCli(
        'predict',
        ['--model', out, '--data', join(dir, 'predict.csv'), '--out', preds, '--logits', '--backend', 'wasm'],
        env,
      );
      expect(predict.code, predict.stderr).toBe(0);
      const rows = (Papa.parse<string[]>(readFileSync(preds, 'utf8').trim()).data as string[][]).slice(1);
      const ours = rows.map((r) => r.slice(-2).map(Number));
      expect(ours).toHaveLength(texts.length);
      let worst = 0;
      ours.forEach((row, i) =>
        row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - expected.logits[i]![j]!)))),
      );
      report.push(
        `cli decoder classifier ${id}: predict vs transformers logits max |diff| ${worst.toExponential(2)}`,
      );
      expect(worst).toBeLessThanOrEqual(1e-4);
    },
  );

  it('refuses LoRA and the Trainer project for a decoder classifier, and ONNX on its folder', async () => {
    const gpt2 = 'webtune/tiny-random-gpt2';
    const common = ['--task', 'sequence-classification', '--model', gpt2, '--hub', mirror.url];
    const data = ['--data', join(dir, 'train.csv'), '--out', join(dir, 'refused')];
    const lora = await runCli('train', [...common, ...data, '--mode', 'lora'], env);
    expect(lora.code).not.toBe(0);
    expect(lora.stderr).toMatch(
      /GPT-2 decoder.*--mode lora is not supported for a decoder's sequence-classification head/,
    );
    const project = await runCli('train', [...common, ...data, '--project', join(dir, 'project')], env);
    expect(project.code).not.toBe(0);
    expect(project.stderr).toMatch(
      /--project \(the Trainer project\) is written for encoder classifiers only/,
    );
    expect(existsSync(join(dir, 'refused'))).toBe(false);
    const onnx = await runCli(
      'export',
      ['--model', runs.get(gpt2)!.out, '--out', join(dir, 'onnx-out'), '--onnx', '--backend', 'wasm'],
      env,
    );
    expect(onnx.code).not.toBe(0);
    expect(onnx.stderr).toMatch(/--onnx: WebTune builds the ONNX files .* for encoder classifiers only/);
    const later = await runCli(
      'export',
      ['--run', runs.get(gpt2)!.out, '--project', join(dir, 'later-project')],
      env,
    );
    expect(later.code).not.toBe(0);
    expect(later.stderr).toMatch(
      /GPT-2 sequence-classification run: the Trainer project is written for encoder/,
    );
    expect(existsSync(join(dir, 'later-project'))).toBe(false);
  }, 120_000);
});
