// A causal-LM run's data for the CLI: the training data (and the validation data, if given) read and cleaned by
// the core's generative preparation with WebTune's split, the same for `npm run train` and for the project that
// `npm run export --run` writes later from the run's record. Each is a file (a TXT file: one document per line)
// or a folder of .txt files, one document per file (text-folder.ts).
import { basename } from 'node:path';
import { DEFAULT_SPLIT } from '../core/data/prepare';
import {
  GenerativeDataError,
  prepareGenerative,
  type GenerativePart,
  type PreparedGenerative,
} from '../core/data/generative';
import { CliError } from './fail';
import { readTable } from './prepare-data';
import { isFolder, readTextFolder } from './text-folder';

async function readParts(path: string, role: GenerativePart['role']): Promise<GenerativePart[]> {
  const tables = isFolder(path) ? await readTextFolder(path) : [await readTable(path)];
  return tables.map((table) => ({ ...table, role }));
}

export async function readGenerativeData(
  trainPath: string,
  validationPath: string | undefined,
  textColumn: string | undefined,
): Promise<{ prepared: PreparedGenerative; trainFile: string }> {
  const parts = await readParts(trainPath, 'train');
  if (validationPath) parts.push(...(await readParts(validationPath, 'validation')));
  const trainFile = isFolder(trainPath) ? basename(trainPath) : parts[0]!.file;
  try {
    return { prepared: prepareGenerative(parts, DEFAULT_SPLIT, textColumn), trainFile };
  } catch (error) {
    if (error instanceof GenerativeDataError) throw new CliError(error.message);
    throw error;
  }
}
