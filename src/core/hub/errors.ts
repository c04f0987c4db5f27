// Every failure to load a model names the model and the file, and says what went wrong in words a person can act
// on. `code` lets callers (the UI, the CLI, tests) tell the cases apart without parsing the message.
export type ModelLoadErrorCode =
  | 'missing-file'
  | 'unknown-repo'
  | 'unknown-revision'
  | 'gated'
  | 'http'
  | 'network'
  | 'truncated'
  | 'bad-file'
  | 'unsafe-pickle';

export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
  constructor(
    readonly code: ModelLoadErrorCode,
    /** The model as the user named it: a Hub id, a URL or a folder. */
    readonly model: string,
    /** The file inside the model, or undefined when the whole model is meant. */
    readonly file: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A file that was read but is not what its name promises (corrupt JSON, a bad safetensors header, …). */
export function badFile(model: string, file: string, problem: string, cause?: unknown): ModelLoadError {
  return new ModelLoadError('bad-file', model, file, `${file} of model ${model} ${problem}`, { cause });
}
