// Bad arguments, bad data and bad models: each ends the CLI with one line naming the problem on stderr (no stack
// trace) and a non-zero exit code.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorLines, runCli, writeSentimentCsv } from '../support/cli';
import { startHubMirror, type HubMirror } from '../support/hub-mirror';
import { sharedModelDir } from '../support/shared';

let dir: string;
let mirror: HubMirror;
const BERT = () => sharedModelDir('webtune/tiny-random-bert-cls');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'webtune-cli-errors-'));
  mirror = await startHubMirror();
  writeSentimentCsv(join(dir, 'train.csv'), 12, 3);
  writeFileSync(join(dir, 'one-class.csv'), 'text,label\nfine film,positive\ngood film,positive\n');
  writeFileSync(join(dir, 'broken.csv'), 'text,label\n"an unclosed quote,positive\nok,negative\n');
});

afterAll(async () => {
  await mirror?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The one error line, checked to be the only one and the last thing printed. */
function expectOneErrorLine(result: Awaited<ReturnType<typeof runCli>>): string {
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.code).not.toBeNull();
  const lines = errorLines(result.stderr);
  const errors = lines.filter((l) => l.startsWith('error:'));
  expect(errors, result.stderr).toHaveLength(1);
  expect(lines.at(-1)).toBe(errors[0]);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  return errors[0]!;
}

const trainArgs = (extra: string[], data = join(dir, 'train.csv'), model = BERT()) => [
  ...['--data', data, '--model', model, '--out', join(dir, 'out'), '--backend', 'cpu'],
  ...extra,
];

describe.concurrent('the CLI refuses bad input with one clear line', () => {
  it.each([
    [['--learnin-rate', '1e-3'], /Unknown argument --learnin-rate .*did you mean --learning-rate/],
    [['--epochs', 'three'], /--epochs takes a number, got "three"/],
    [['--eval-strategy', 'steps'], /--eval-strategy steps needs --validation FILE/],
  ])('bad arguments %j', async (extra, message) => {
    const result = await runCli('train', trainArgs(extra));
    expect(result.code).toBe(2);
    expect(expectOneErrorLine(result)).toMatch(message);
  });

  it('a missing required argument', async () => {
    const result = await runCli('predict', ['--model', BERT(), '--data', join(dir, 'train.csv')]);
    expect(expectOneErrorLine(result)).toMatch(/predict needs --out FILE/);
  });

  it.each([
    ['missing.csv', /Data file .*missing\.csv does not exist/],
    ['one-class.csv', /one-class\.csv: Every row has the same label \('positive'\)/],
    ['broken.csv', /broken\.csv: a quoted field opened in row 1 is never closed/],
  ])('bad data: %s', async (file, message) => {
    const result = await runCli('train', trainArgs([], join(dir, file)));
    expect(expectOneErrorLine(result)).toMatch(message);
  });

  it('a named column the file does not have', async () => {
    const result = await runCli('train', trainArgs(['--label-column', 'sentiment']));
    expect(expectOneErrorLine(result)).toMatch(
      /train\.csv has no column 'sentiment' \(--label-column\); its columns are 'text', 'label'/,
    );
  });

  it('a model folder that does not exist', async () => {
    const result = await runCli('train', trainArgs([], undefined, join(dir, 'no-such-model')));
    expect(expectOneErrorLine(result)).toMatch(/Model folder .*no-such-model does not exist/);
  });

  it('a Hub id the Hub does not know', async () => {
    const result = await runCli(
      'train',
      trainArgs(['--hub', mirror.url], undefined, 'webtune/no-such-model'),
      {
        WEBTUNE_CACHE: join(dir, 'cache'),
      },
    );
    expect(expectOneErrorLine(result)).toMatch(/webtune\/no-such-model/);
  });

  it('predict with a model that has no trained classification head', async () => {
    const result = await runCli('predict', [
      ...['--model', sharedModelDir('webtune/bert-tiny-mlm'), '--data', join(dir, 'train.csv')],
      ...['--out', join(dir, 'preds.csv'), '--backend', 'cpu'],
    ]);
    expect(expectOneErrorLine(result)).toMatch(/bert-tiny-mlm is not a sequence classifier/);
  });

  it('a validation file whose every row repeats a training row', async () => {
    const result = await runCli('train', trainArgs(['--validation', join(dir, 'train.csv')]));
    expect(expectOneErrorLine(result)).toMatch(
      /--eval-strategy epoch: no validation example is left after cleaning/,
    );
  });

  it('--resume without a checkpoint', async () => {
    const result = await runCli('train', trainArgs(['--resume']));
    expect(expectOneErrorLine(result)).toMatch(/--resume: there is no checkpoint .*trainer-checkpoint\.bin/);
  });
});
