// The trainer's checkpoint as one file in the output folder, written atomically (a temporary file renamed into
// place), so a run killed mid-write leaves the previous checkpoint whole.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeCheckpoint, encodeCheckpoint } from '../core/train/checkpoint';
import type { TrainerCheckpoint } from '../core/train/trainer';
import { CliError } from './fail';

export const CHECKPOINT_FILE = 'trainer-checkpoint.bin';

export function checkpointPath(outDir: string): string {
  return join(outDir, CHECKPOINT_FILE);
}

export async function saveCheckpoint(outDir: string, checkpoint: TrainerCheckpoint): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const path = checkpointPath(outDir);
  const temporary = `${path}.${process.pid}.partial`;
  await writeFile(temporary, encodeCheckpoint(checkpoint));
  await rename(temporary, path);
}

/** The checkpoint to resume from; its absence is an error naming where it was looked for. */
export async function loadCheckpoint(outDir: string): Promise<TrainerCheckpoint> {
  const path = checkpointPath(outDir);
  const bytes = await readFile(path).catch(() => undefined);
  if (!bytes) throw new CliError(`--resume: there is no checkpoint ${path} to resume from`);
  try {
    return decodeCheckpoint(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

export async function removeCheckpoint(outDir: string): Promise<void> {
  await rm(checkpointPath(outDir), { force: true });
}
