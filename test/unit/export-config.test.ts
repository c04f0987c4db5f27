// The exported config.json: the base config turned into a *ForSequenceClassification config with the labels.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildClassifierConfig,
  configJson,
  ExportConfigError,
  TRANSFORMERS_LAYOUT_VERSION,
} from '../../src/core/export/config';
import type { Architecture, HFConfig } from '../../src/core/models/types';
import { sharedModelDir } from '../support/shared';

function baseConfig(hubId: string): HFConfig {
  return JSON.parse(readFileSync(join(sharedModelDir(hubId), 'config.json'), 'utf8')) as HFConfig;
}

const CASES: [Architecture, string, string][] = [
  ['bert', 'webtune/tiny-random-bert-cls', 'BertForSequenceClassification'],
  ['distilbert', 'webtune/tiny-random-distilbert-cls', 'DistilBertForSequenceClassification'],
  ['roberta', 'webtune/tiny-random-roberta-cls', 'RobertaForSequenceClassification'],
];

describe('buildClassifierConfig', () => {
  it.each(CASES)('%s: keeps the base config and sets the classification fields', (architecture, id, cls) => {
    const base = baseConfig(id);
    const before = structuredClone(base);
    const labels = ['spam', 'ham', 'eggs', 'bacon'];
    const config = buildClassifierConfig(base, { architecture, labels, baseModelId: id });
    expect(config.architectures).toEqual([cls]);
    expect(config.id2label).toEqual({ '0': 'spam', '1': 'ham', '2': 'eggs', '3': 'bacon' });
    expect(config.label2id).toEqual({ spam: 0, ham: 1, eggs: 2, bacon: 3 });
    expect(config.num_labels).toBe(4);
    expect(config.problem_type).toBe('single_label_classification');
    expect(config.torch_dtype).toBe('float32');
    expect(config.transformers_version).toBe(TRANSFORMERS_LAYOUT_VERSION);
    expect(config._name_or_path).toBe(id);
    for (const [key, value] of Object.entries(base)) {
      if (!['architectures', 'id2label', 'label2id'].includes(key)) expect(config[key], key).toEqual(value);
    }
    expect(base).toEqual(before);
  });

  it('turns an MLM checkpoint’s config into a classifier’s', () => {
    const base = baseConfig('webtune/bert-tiny-mlm');
    expect(base.architectures).toEqual(['BertForMaskedLM']);
    const config = buildClassifierConfig(base, { architecture: 'bert', labels: ['no', 'yes'] });
    expect(config.architectures).toEqual(['BertForSequenceClassification']);
    expect(config.id2label).toEqual({ '0': 'no', '1': 'yes' });
    expect(config._name_or_path).toBeUndefined();
  });

  it('writes JSON as transformers does: keys sorted, two-space indent, final newline', () => {
    const config = buildClassifierConfig(baseConfig('webtune/tiny-random-bert-cls'), {
      architecture: 'bert',
      labels: ['b', 'a'],
    });
    const text = configJson(config);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toMatch(/^ {2}"/);
    const keys = Object.keys(JSON.parse(text) as object);
    expect(keys).toEqual([...keys].sort());
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(config)));
  });

  it('refuses labels a classifier cannot have, and a config of another architecture', () => {
    const base = baseConfig('webtune/tiny-random-bert-cls');
    const build = (labels: string[], architecture: Architecture = 'bert') =>
      buildClassifierConfig(base, { architecture, labels });
    expect(() => build(['only'])).toThrow(ExportConfigError);
    expect(() => build(['only'])).toThrow(/at least two labels, got 1 \(only\)/);
    expect(() => build(['a', 'b', 'a'])).toThrow(/label "a" appears twice/);
    expect(() => build(['a', ' '])).toThrow(/label 1 is empty/);
    expect(() => build(['a', 'b'], 'roberta')).toThrow(
      /model_type "bert" but the model was built as roberta/,
    );
  });
});
