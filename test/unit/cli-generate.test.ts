// `npm run generate` as a person runs it, against the Hub mirror: greedy continuations equal transformers'
// (reference.json's greedy_16, also for several prompts in one batch), --json prints one line per prompt, plain
// output streams the text, seeded sampling repeats, chat prompts go through the template, and the wrong kind of
// model gets one clear line.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadTokenizer } from '../../src/core/tokenize/tokenizer';
import { errorLines, runCli } from '../support/cli';
import { startHubMirror, type HubMirror } from '../support/hub-mirror';
import { sharedModelDir } from '../support/shared';
import { loadDecoderFixture } from './decoder-fixtures';

let mirror: HubMirror;
let dir: string;
beforeAll(async () => {
  mirror = await startHubMirror();
  dir = mkdtempSync(join(tmpdir(), 'webtune-cli-generate-'));
});
afterAll(async () => {
  await mirror?.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ WEBTUNE_CACHE: join(dir, 'cache') });
const hub = () => ['--hub', mirror.url, '--backend', 'wasm'];

function tokenizerOf(id: string) {
  const folder = sharedModelDir(id);
  const files: Record<string, string> = {};
  for (const name of ['tokenizer.json', 'tokenizer_config.json'])
    files[name] = readFileSync(join(folder, name), 'utf8');
  return loadTokenizer(files, { model: id });
}

/** reference.json's greedy_16 of prompt p, cut after the first eos id (the CLI stops there, the reference does not). */
function expectedGreedy(id: string, p: number, eos: number): number[] {
  const tokens = loadDecoderFixture(id).reference.greedy_16[p]!;
  const at = tokens.indexOf(eos);
  return at < 0 ? tokens : tokens.slice(0, at + 1);
}

function jsonLines(stdout: string): { prompt: string; token_ids: number[]; text: string }[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { prompt: string; token_ids: number[]; text: string });
}

describe.concurrent('npm run generate', () => {
  it('--json: one line per prompt with transformers’ greedy tokens (gpt2 and qwen2 from the Hub mirror)', async () => {
    for (const [id, eos] of [
      ['webtune/tiny-random-gpt2', 50256],
      ['webtune/tiny-random-qwen2', 50258],
    ] as const) {
      const { prompts } = loadDecoderFixture(id).reference;
      const result = await runCli(
        'generate',
        [
          '--model',
          id,
          ...hub(),
          '--prompt',
          prompts[0]!,
          '--prompt',
          prompts[2]!,
          '--max-new-tokens',
          '16',
          '--json',
        ],
        env(),
      );
      expect(result.code, result.stderr).toBe(0);
      const lines = jsonLines(result.stdout);
      expect(lines.map((l) => l.prompt)).toEqual([prompts[0], prompts[2]]);
      expect(lines[0]!.token_ids).toEqual(expectedGreedy(id, 0, eos));
      expect(lines[1]!.token_ids).toEqual(expectedGreedy(id, 2, eos));
      const tokenizer = tokenizerOf(id);
      expect(lines[0]!.text).toBe(tokenizer.decode(lines[0]!.token_ids, true));
    }
  }, 180_000);

  it('plain output is the prompt followed by the streamed continuation (a local folder)', async () => {
    const id = 'webtune/tiny-random-llama';
    const [prompt, other] = [4, 1].map((p) => loadDecoderFixture(id).reference.prompts[p]!) as [
      string,
      string,
    ];
    const args = ['--model', sharedModelDir(id), '--max-new-tokens', '16', '--backend', 'cpu'];
    // One prompt streams; several (one left-padded batch) print each prompt and its continuation in order.
    const [result, both] = await Promise.all([
      runCli('generate', [...args, '--prompt', prompt], env()),
      runCli('generate', [...args, '--prompt', prompt, '--prompt', other], env()),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const continuation = tokenizerOf(id).decode(expectedGreedy(id, 4, 50258), true);
    expect(result.stdout).toBe(`${prompt}${continuation}\n`);
    expect(both.code, both.stderr).toBe(0);
    const otherContinuation = tokenizerOf(id).decode(expectedGreedy(id, 1, 50258), true);
    expect(both.stdout).toBe(`${prompt}${continuation}\n${other}${otherContinuation}\n`);
  }, 180_000);

  it('seeded sampling prints the same tokens twice; --chat uses the template (llama, chat_template.jinja)', async () => {
    const args = [
      '--model',
      'webtune/tiny-random-llama',
      ...hub(),
      '--prompt',
      'My card was charged twice.',
      '--chat',
      '--do-sample',
      '--temperature',
      '0.8',
      '--top-k',
      '20',
      '--top-p',
      '0.9',
      '--seed',
      '7',
      '--max-new-tokens',
      '10',
      '--json',
    ];
    const [a, b] = await Promise.all([runCli('generate', args, env()), runCli('generate', args, env())]);
    expect(a.code, a.stderr).toBe(0);
    expect(jsonLines(a.stdout)).toEqual(jsonLines(b.stdout));
    expect(jsonLines(a.stdout)[0]!.token_ids.length).toBeGreaterThan(0);
    expect(a.stderr).not.toMatch(/default chat template/);
  });

  it('an encoder given to generate, and a decoder given to predict, get one line saying what the model is', async () => {
    const encoder = await runCli(
      'generate',
      ['--model', 'webtune/tiny-random-bert-cls', ...hub(), '--prompt', 'hi'],
      env(),
    );
    expect(encoder.code).toBe(1);
    const encoderErrors = errorLines(encoder.stderr).filter((l) => l.startsWith('error:'));
    expect(encoderErrors).toEqual([
      'error: webtune/tiny-random-bert-cls is a BERT encoder (BertForSequenceClassification): WebTune fine-tunes it for text classification (npm run train / predict); it does not generate text',
    ]);
    writeFileSync(join(dir, 'texts.csv'), 'text\nhello\n');
    const decoder = await runCli(
      'predict',
      [
        '--model',
        'webtune/tiny-random-gpt2',
        ...hub(),
        '--data',
        join(dir, 'texts.csv'),
        '--out',
        join(dir, 'p.csv'),
      ],
      env(),
    );
    expect(decoder.code).toBe(1);
    expect(errorLines(decoder.stderr).filter((l) => l.startsWith('error:'))).toEqual([
      'error: webtune/tiny-random-gpt2 is a GPT-2 causal language model (GPT2LMHeadModel), not a sequence classifier: this needs a GPT2ForSequenceClassification; make one with npm run train -- --task sequence-classification',
    ]);
    // Refused on config.json: the weights were never requested.
    expect(
      mirror.requests.filter((r) => r.includes('tiny-random-bert-cls/resolve/main/model.safetensors')),
    ).toEqual([]);
  });

  it('bad arguments: sampling flags without --do-sample, no prompt', async () => {
    const greedyTemp = await runCli(
      'generate',
      ['--model', 'x/y', '--prompt', 'a', '--temperature', '0.5'],
      env(),
    );
    expect(greedyTemp.code).toBe(2);
    expect(greedyTemp.stderr).toMatch(/--temperature only apply when sampling: add --do-sample/);
    const noPrompt = await runCli('generate', ['--model', 'x/y'], env());
    expect(noPrompt.code).toBe(2);
    expect(noPrompt.stderr).toMatch(/generate needs --prompt TEXT/);
  });
});
