// `npm run train --task causal-lm` on folders of .txt files, one document per file: the tiny random GPT-2 from a
// local Hub mirror, one epoch on the wasm backend. The documents it trained on (the run's project keeps them in
// data/*.jsonl) are what Python datasets' `load_dataset("text", data_dir=…, sample_by="document")` reads, and its
// packed blocks are as many as run_clm makes of them (each document tokenised, EOS after it, all concatenated,
// cut into block_size blocks). The run record hashes each folder over its files, so `npm run export --run`
// rebuilds the project from the same documents and refuses a folder whose documents changed.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli, type CliResult } from '../support/cli';
import { startHubMirror, type HubMirror } from '../support/hub-mirror';
import { runPythonStack } from '../support/python';
import { sharedModelDir } from '../support/shared';

const BLOCK = 16;
// Blank lines inside and at the end of a document, Windows line breaks, no final line break.
const TRAIN: Record<string, string> = {
  'b-river.txt': 'The river runs to the sea.\n\nIt never stops.\n\n',
  'a-stone.txt': 'A stone sits by the road.\r\nNobody moves it.\r\n',
  'c-cloud.txt': 'Clouds pass over the hills and the green fields, slowly, all day long',
  'd-light.txt': 'Light comes in the morning.\n\n\nIt goes at night.\n',
};
const VALIDATION: Record<string, string> = {
  'held.txt':
    'Winter is cold and the days are short.\n\nSummer is warm and the evenings are long and bright.\n',
};

let dir: string;
let mirror: HubMirror;
let result: CliResult;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'webtune-txt-folder-'));
  for (const [folder, files] of [
    ['docs', TRAIN],
    ['dev', VALIDATION],
  ] as const) {
    mkdirSync(join(dir, folder));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, folder, name), text);
  }
  mirror = await startHubMirror();
  result = await runCli(
    'train',
    [
      ...['--task', 'causal-lm', '--data', join(dir, 'docs'), '--validation', join(dir, 'dev')],
      ...['--model', 'webtune/tiny-random-gpt2', '--hub', mirror.url, '--out', join(dir, 'run')],
      ...['--project', join(dir, 'project'), '--epochs', '1', '--batch-size', '4'],
      ...['--block-size', String(BLOCK), '--backend', 'wasm', '--seed', '1'],
    ],
    { WEBTUNE_CACHE: join(dir, 'cache') },
  );
}, 300_000);

afterAll(async () => {
  await mirror?.close();
  rmSync(dir, { recursive: true, force: true });
});

const texts = (file: string) =>
  readFileSync(join(dir, 'project', 'data', file), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => (JSON.parse(line) as { text: string }).text);

describe('npm run train --task causal-lm on a folder of .txt files', () => {
  it('trains on each file as one document, the documents and blocks Python datasets and run_clm give', () => {
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/data: text; 4 training and 1 validation rows/);
    const reference = runPythonStack<{ train: string[]; validation: string[]; blocks: number[] }>(
      `
import json, os, sys
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"
import datasets
from transformers import AutoTokenizer
d = json.load(sys.stdin)
tok = AutoTokenizer.from_pretrained(d["model"])
out = {"blocks": []}
for split, folder in (("train", d["train"]), ("validation", d["validation"])):
    texts = list(datasets.load_dataset("text", data_dir=folder, sample_by="document", cache_dir=d["cache"])["train"]["text"])
    out[split] = texts
    ids = [i for t in texts for i in tok(t)["input_ids"] + [tok.eos_token_id]]
    out["blocks"].append(len(ids) // d["block"])
print(json.dumps(out))
`,
      {
        model: sharedModelDir('webtune/tiny-random-gpt2'),
        train: join(dir, 'docs'),
        validation: join(dir, 'dev'),
        cache: join(dir, 'hf-cache'),
        block: BLOCK,
      },
    );
    // Name order, and each text exactly: blank lines kept, \r\n read as \n.
    expect(reference.train[0]).toBe('A stone sits by the road.\nNobody moves it.\n');
    expect(texts('train.jsonl')).toEqual(reference.train);
    expect(texts('validation.jsonl')).toEqual(reference.validation);
    const [train, validation] = reference.blocks;
    expect(train).toBeGreaterThan(1);
    expect(result.stderr).toContain(
      `tokens: ${train} training and ${validation} validation blocks of ${BLOCK}`,
    );
  });

  it('records the folders in the run record, hashed over their files, for export --run', async () => {
    const record = JSON.parse(readFileSync(join(dir, 'run', '.webtune', 'run.json'), 'utf8'));
    expect(record.data.train.path).toBe(join(dir, 'docs'));
    expect(record.data.validation.path).toBe(join(dir, 'dev'));
    const exported = await runCli('export', ['--run', join(dir, 'run'), '--project', join(dir, 'again')]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(readFileSync(join(dir, 'again', 'data', 'train.jsonl'), 'utf8')).toBe(
      readFileSync(join(dir, 'project', 'data', 'train.jsonl'), 'utf8'),
    );
    // A changed document is a changed folder: the project would not hold the rows the run trained on.
    writeFileSync(join(dir, 'docs', 'a-stone.txt'), 'Another text.\n');
    const refused = await runCli('export', ['--run', join(dir, 'run'), '--project', join(dir, 'later')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`The run's data file ${join(dir, 'docs')} changed since the run`);
  });
});
