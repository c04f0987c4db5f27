// The Train step's check of a decoder's task against the chosen dataset (src/ui/train/task-data.ts): causal-lm
// needs a dataset chosen as "A text generator", sequence-classification one chosen as "A classifier", and a
// decoder classifier does not take LoRA yet; each refusal says what to change.
import { describe, expect, it } from 'vitest';

import { decoderTaskProblem } from '../../src/ui/train/task-data';

const dataset = (purpose: 'generative' | 'classification') => ({
  name: 'd.csv',
  confirmed: { purpose } as never,
});

describe('decoderTaskProblem', () => {
  it('accepts each task on its kind of data, and a dataset not chosen yet', () => {
    expect(decoderTaskProblem('causal-lm', 'full', dataset('generative'))).toBeUndefined();
    expect(decoderTaskProblem('sequence-classification', 'full', dataset('classification'))).toBeUndefined();
    expect(decoderTaskProblem('sequence-classification', 'head', dataset('classification'))).toBeUndefined();
    expect(decoderTaskProblem('causal-lm', 'lora', undefined)).toBeUndefined();
    expect(decoderTaskProblem('causal-lm', 'lora', dataset('generative'))).toBeUndefined();
  });

  it('refuses a mismatch, naming the data each task needs and how to fix it', () => {
    expect(decoderTaskProblem('sequence-classification', 'full', dataset('generative'))).toMatch(
      /^Task sequence-classification needs labelled data .* d\.csv is chosen as "A text generator": .*"A classifier".* or pick the task causal-lm\.$/,
    );
    expect(decoderTaskProblem('causal-lm', 'full', dataset('classification'))).toMatch(
      /^Task causal-lm needs generative data .* d\.csv is chosen as "A classifier": .*"A text generator".* or pick the task sequence-classification\.$/,
    );
  });

  it('refuses LoRA for a decoder classifier', () => {
    expect(decoderTaskProblem('sequence-classification', 'lora', dataset('classification'))).toMatch(
      /LoRA on its classification head \(score\) is not supported yet/,
    );
  });
});
