import { describe, expect, it } from 'vitest';
import { readUrlOptions } from '../../src/ui/app/url-options';

describe('page address options', () => {
  it('defaults to automatic backend choice and the Hugging Face Hub', () => {
    expect(readUrlOptions('')).toEqual({ backend: 'auto', hub: 'https://huggingface.co' });
  });
  it('reads a forced backend and a mirror, ignoring unknown backends', () => {
    expect(readUrlOptions('?backend=wasm&hub=http://127.0.0.1:9000/')).toEqual({
      backend: 'wasm',
      hub: 'http://127.0.0.1:9000',
    });
    expect(readUrlOptions('?backend=tpu').backend).toBe('auto');
  });
});
