// The plain logic behind "nothing is lost": which runs to delete when storage is short (and the message that
// names them), the delete questions, the saved session's parsing, a run's settings back in the form, and which
// actions each run state offers.
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/storage/run-types';
import { runsToDelete, storageShortMessage } from '../../src/core/storage/space';
import { resolveTrainingArguments } from '../../src/core/train/arguments';
import { parseSession } from '../../src/ui/app/session-store';
import { deleteDatasetQuestion } from '../../src/ui/data/useDatasets';
import { defaultSettings, settingsFromRun, toTrainingArguments } from '../../src/ui/train/defaults';
import { canStartAgain, deleteRunQuestion } from '../../src/ui/train/RunList';
import { statusText } from '../../src/ui/train/useTraining';

function run(id: string, mb: number, patch: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    name: `run ${id}`,
    createdAt: 1,
    updatedAt: 1,
    status: 'finished',
    modelName: 'm',
    modelSource: { kind: 'files' },
    architecture: 'bert',
    datasetId: 'd',
    datasetName: 'd.csv',
    labels: ['a', 'b'],
    trainExamples: 1,
    evalExamples: 1,
    maxLength: 64,
    args: resolveTrainingArguments(),
    backend: 'cpu',
    totalSteps: 10,
    globalStep: 10,
    trainSeconds: 1,
    logCount: 0,
    sizes: { last: mb * 1e6 * 0.75, final: mb * 1e6 * 0.25 },
    ...patch,
  };
}

describe('storage running short', () => {
  const runs = [run('a', 10), run('b', 50), run('c', 30), run('live', 80)];

  it('picks the largest runs first until enough is freed, never the one kept', () => {
    expect(runsToDelete(runs, 40e6, new Set(['live'])).map((r) => r.id)).toEqual(['b']);
    expect(runsToDelete(runs, 60e6, new Set(['live'])).map((r) => r.id)).toEqual(['b', 'c']);
    expect(runsToDelete(runs, 1e9, new Set(['live'])).map((r) => r.id)).toEqual(['b', 'c', 'a']);
    expect(runsToDelete(runs, 0)).toEqual([]);
  });

  it('says how much is needed and names the runs to delete; nothing is deleted', () => {
    const message = storageShortMessage('the checkpoint of step 8', runs, 53e6, 20e6, new Set(['live']));
    expect(message).toBe(
      "The browser's storage is full: the checkpoint of step 8 needs about 53.0 MB, 20.0 MB is free. " +
        'Delete this run in the run list to make room: “run b” (50.0 MB). Nothing was deleted.',
    );
    expect(storageShortMessage('x', [run('live', 5)], 10e6, 0, new Set(['live']))).toMatch(
      /No stored run can be deleted to make room: delete stored datasets or free disk space/,
    );
  });
});

describe('delete questions', () => {
  it('a dataset used by runs names them', () => {
    expect(deleteDatasetQuestion('a.csv', [])).toBe(
      'Delete the dataset a.csv and its rows? This cannot be undone.',
    );
    expect(deleteDatasetQuestion('a.csv', [run('1', 1), run('2', 1)])).toBe(
      'Delete the dataset a.csv and its rows? This cannot be undone. 2 runs were trained on it (“run 1”, “run 2”): ' +
        'they keep their models, but can no longer be resumed, started again or evaluated on its validation rows.',
    );
  });

  it('a run says how much it frees', () => {
    expect(deleteRunQuestion(run('x', 12))).toBe(
      'Delete run "run x" with its model and checkpoints (12.0 MB)? This cannot be undone.',
    );
  });
});

describe('run states and their actions', () => {
  it('shows the true state, and "Start again" only where there is nothing to resume', () => {
    const interrupted = run('i', 0, { status: 'running', sizes: {} });
    expect(statusText(undefined, {})).toBe('idle');
    expect(statusText(interrupted, {})).toBe('interrupted');
    expect(statusText(run('s', 1, { status: 'stopped' }), {})).toBe('stopped');
    expect(canStartAgain(interrupted, {})).toBe(true);
    expect(canStartAgain({ ...interrupted, lastCheckpoint: { step: 2, savedAt: 1 } }, {})).toBe(false);
    expect(canStartAgain(interrupted, { activeRunId: 'i' })).toBe(false);
    expect(canStartAgain(run('f', 1, { status: 'failed' }), {})).toBe(true);
    expect(canStartAgain(run('ok', 1), {})).toBe(false);
  });
});

describe('the saved session', () => {
  it('reads what was saved and ignores anything else', () => {
    expect(parseSession('{"step":"train","datasetId":"ds-1"}')).toEqual({ step: 'train', datasetId: 'ds-1' });
    expect(parseSession(null)).toEqual({});
    expect(parseSession('not json')).toEqual({});
    expect(parseSession('[1,2]')).toEqual({});
  });

  it("a run's settings go back into the form and give its recipe again", () => {
    const form = { ...defaultSettings(4e6), learning_rate: 0.001, num_train_epochs: 2, save_steps: 4 };
    const args = resolveTrainingArguments({
      ...toTrainingArguments({
        ...form,
        eval_strategy: 'steps',
        eval_steps: 5,
        load_best_model_at_end: true,
      }),
    });
    const back = settingsFromRun(args, 96, defaultSettings(4e6));
    expect(back.max_length).toBe(96);
    expect(back.load_best_model_at_end).toBe(true);
    expect(resolveTrainingArguments(toTrainingArguments(back))).toEqual(args);
  });
});
