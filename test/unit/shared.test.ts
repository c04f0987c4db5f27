import { afterEach, describe, expect, it } from 'vitest';
import { sharedDir, sharedPath } from '../support/shared';

describe('the shared fixtures finder', () => {
  const saved = process.env.WEBTUNE_SHARED;
  afterEach(() => {
    if (saved === undefined) delete process.env.WEBTUNE_SHARED;
    else process.env.WEBTUNE_SHARED = saved;
  });

  it('finds ../shared with its models and datasets', () => {
    expect(sharedPath('models', 'webtune--bert-tiny-mlm', 'config.json')).toMatch(/config\.json$/);
  });

  it('fails loudly, naming the path it looked at', () => {
    process.env.WEBTUNE_SHARED = '/nonexistent/fixtures';
    expect(() => sharedDir()).toThrow(
      /missing: looked for models\/ and datasets\/ in \/nonexistent\/fixtures/,
    );
    delete process.env.WEBTUNE_SHARED;
    expect(() => sharedPath('models', 'no-such-model')).toThrow(/no-such-model does not exist/);
  });
});
