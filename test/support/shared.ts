// Finds the fixtures in ../shared (or $WEBTUNE_SHARED) and fails loudly, naming the path, when they are missing.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function sharedDir(): string {
  const dir = process.env.WEBTUNE_SHARED
    ? resolve(process.env.WEBTUNE_SHARED)
    : resolve(repoRoot, '..', 'shared');
  if (!existsSync(join(dir, 'models')) || !existsSync(join(dir, 'datasets'))) {
    throw new Error(
      `WebTune's test fixtures are missing: looked for models/ and datasets/ in ${dir}. ` +
        'Put the shared fixtures beside the repository as ../shared, or set WEBTUNE_SHARED to their folder.',
    );
  }
  return dir;
}

/** The path of a fixture inside shared/, which must exist. */
export function sharedPath(...parts: string[]): string {
  const path = join(sharedDir(), ...parts);
  if (!existsSync(path)) throw new Error(`A test fixture is missing: ${path} does not exist.`);
  return path;
}

/** The folder of a fixture model by its Hub id, e.g. `webtune/bert-tiny-mlm`. */
export function sharedModelDir(hubId: string): string {
  return sharedPath('models', hubId.replace('/', '--'));
}
