// `npm run export` as a person runs it: a fixture classifier folder re-exported without training, read back
// by ONNX Runtime (the PyTorch reference logits of reference.json within 1e-4, through the exported ONNX) and
// by WebTune; --onnx writes only what transformers.js needs; a checkpoint without a trained head is refused.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { errorLines, runCli, writeSentimentCsv } from '../support/cli';
import { runOnnxFiles } from '../support/onnx-runtime';
import { sharedModelDir } from '../support/shared';

const dir = mkdtempSync(join(tmpdir(), 'webtune-cli-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Reference {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids?: number[][];
  logits: number[][];
}

describe('npm run export', () => {
  it.each([
    [
      'webtune/tiny-random-distilbert-cls',
      ['config.json', 'model.safetensors', 'tokenizer.json', 'vocab.txt'],
    ],
    [
      'webtune/tiny-random-roberta-bpe-cls',
      ['config.json', 'model.safetensors', 'tokenizer.json', 'merges.txt'],
    ],
  ])(
    '%s: writes the folder with both ONNX files, which give the PyTorch reference logits',
    async (id, expected) => {
      const out = join(dir, id.split('/')[1]!);
      const result = await runCli('export', ['--model', sharedModelDir(id), '--out', out]);
      expect(errorLines(result.stderr).at(-1)).toMatch(/^exported .* to /);
      expect(result.code).toBe(0);
      expect(readdirSync(out)).toEqual(expect.arrayContaining([...expected, 'onnx']));
      expect(readdirSync(join(out, 'onnx')).sort()).toEqual(['model.onnx', 'model_quantized.onnx']);
      expect(result.stdout).toMatch(/onnx\/model_quantized\.onnx .*8-bit/);
      const reference = JSON.parse(
        readFileSync(join(sharedModelDir(id), 'reference.json'), 'utf8'),
      ) as Reference;
      const [fp32] = runOnnxFiles([join(out, 'onnx', 'model.onnx')], {
        input_ids: reference.input_ids,
        attention_mask: reference.attention_mask,
        ...(reference.token_type_ids ? { token_type_ids: reference.token_type_ids } : {}),
      });
      const diff = Math.max(
        ...fp32!.logits.flatMap((row, i) => row.map((v, j) => Math.abs(v - reference.logits[i]![j]!))),
      );
      console.log(`${id}: exported ONNX vs PyTorch reference logits, max |Δ| ${diff.toExponential(2)}`);
      expect(diff).toBeLessThan(1e-4);
    },
  );

  it('--adapter merges a PEFT LoRA adapter into the export: its ONNX moves off the base, its folder predicts as predict --adapter', async () => {
    const base = sharedModelDir('webtune/tiny-random-bert-cls');
    writeSentimentCsv(join(dir, 'lora-train.csv'), 32, 3);
    const adapter = join(dir, 'lora-adapter');
    const trained = await runCli('train', [
      ...['--data', join(dir, 'lora-train.csv'), '--model', base, '--out', adapter, '--backend', 'cpu'],
      ...['--mode', 'lora', '--lora-r', '4', '--lora-alpha', '16', '--export', 'adapter'],
      ...['--epochs', '2', '--lr', '1e-2', '--batch-size', '8', '--max-length', '24'],
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    expect(existsSync(join(adapter, 'adapter_config.json'))).toBe(true);

    const out = join(dir, 'merged-export');
    const result = await runCli('export', ['--model', base, '--adapter', adapter, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const reference = JSON.parse(readFileSync(join(base, 'reference.json'), 'utf8')) as Reference;
    const [exported] = runOnnxFiles([join(out, 'onnx', 'model.onnx')], {
      input_ids: reference.input_ids,
      attention_mask: reference.attention_mask,
      ...(reference.token_type_ids ? { token_type_ids: reference.token_type_ids } : {}),
    });
    // The adapter moved the base's logits, and the merged export carries that move.
    const moved = Math.max(
      ...exported!.logits.flatMap((row, i) => row.map((v, j) => Math.abs(v - reference.logits[i]![j]!))),
    );
    expect(moved).toBeGreaterThan(1e-4);
    // predict with the adapter applied at inference, on the same texts as the exported folder's tokenizer makes.
    writeFileSync(join(dir, 'probe.csv'), 'text\nthe film was good and great\nthe film was bad and dull\n');
    const viaAdapter = join(dir, 'via-adapter.csv');
    const viaMerged = join(dir, 'via-merged.csv');
    const common = ['--data', join(dir, 'probe.csv'), '--logits', '--backend', 'cpu', '--max-length', '24'];
    expect(
      (await runCli('predict', ['--model', base, '--adapter', adapter, '--out', viaAdapter, ...common])).code,
    ).toBe(0);
    expect((await runCli('predict', ['--model', out, '--out', viaMerged, ...common])).code).toBe(0);
    const numbers = (path: string) =>
      readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .flatMap((line) => line.split(',').slice(2).map(Number));
    const a = numbers(viaAdapter);
    const b = numbers(viaMerged);
    expect(a).toHaveLength(b.length);
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))).toBeLessThan(1e-5);
  });

  it('--onnx writes config, tokenizer and onnx/ only', async () => {
    const out = join(dir, 'web-only');
    const result = await runCli('export', [
      '--model',
      sharedModelDir('webtune/tiny-random-bert-cls'),
      '--out',
      out,
      '--onnx',
    ]);
    expect(result.code).toBe(0);
    expect(existsSync(join(out, 'model.safetensors'))).toBe(false);
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['config.json', 'tokenizer.json', 'onnx']));
    expect(existsSync(join(out, 'onnx', 'model_quantized.onnx'))).toBe(true);
  });

  it('refuses a checkpoint without a trained classification head, and prints its usage', async () => {
    const result = await runCli('export', [
      '--model',
      sharedModelDir('webtune/bert-tiny-mlm'),
      '--out',
      join(dir, 'mlm'),
    ]);
    expect(result.code).toBe(1);
    expect(errorLines(result.stderr).at(-1)).toMatch(
      /^error: .*(no trained classification head|not a sequence classifier)/,
    );
    expect(existsSync(join(dir, 'mlm'))).toBe(false);
    const help = await runCli('export', ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('npm run export -- --model ID|DIR --out DIR [--onnx]');
    const missing = await runCli('export', ['--model', 'x/y']);
    expect(missing.code).toBe(2);
  });
});
