// A causal-LM run's data for the CLI: the training file (and the validation file, if given) read and cleaned by
// the core's generative preparation with WebTune's split, the same for `npm run train` and for the project that
// `npm run export --run` writes later from the run's record.
import { DEFAULT_SPLIT } from '../core/data/prepare';
import {
  GenerativeDataError,
  prepareGenerative,
  type GenerativePart,
  type PreparedGenerative,
} from '../core/data/generative';
import { CliError } from './fail';
import { readTable } from './prepare-data';

export async function readGenerativeData(
  trainPath: string,
  validationPath: string | undefined,
  textColumn: string | undefined,
): Promise<{ prepared: PreparedGenerative; trainFile: string }> {
  const train = await readTable(trainPath);
  const parts: GenerativePart[] = [{ ...train, role: 'train' }];
  if (validationPath) parts.push({ ...(await readTable(validationPath)), role: 'validation' });
  try {
    return { prepared: prepareGenerative(parts, DEFAULT_SPLIT, textColumn), trainFile: train.file };
  } catch (error) {
    if (error instanceof GenerativeDataError) throw new CliError(error.message);
    throw error;
  }
}
