// A model folder on this machine (Node only: core must not import node:fs). Files are read as they are, with
// progress, and never cached, since they are already local.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { ModelLoadError } from '../core/hub/errors';
import type { ModelSource, ProgressCallback } from '../core/hub/source';

export function localFolderSource(folder: string): ModelSource {
  const root = resolve(folder);
  const pathOf = (file: string) => {
    const path = resolve(root, file);
    const inside = relative(root, path);
    if (!inside || inside.startsWith('..') || inside.startsWith(sep)) {
      throw new ModelLoadError(
        'missing-file',
        root,
        file,
        `${file} is not a file inside model folder ${root}`,
      );
    }
    return path;
  };
  const isFile = async (path: string) => (await stat(path).catch(() => undefined))?.isFile() ?? false;
  return {
    name: root,
    cacheKey: undefined,
    async exists(file) {
      return isFile(pathOf(file));
    },
    async fetchFile(file: string, onProgress?: ProgressCallback) {
      const path = pathOf(file);
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile()) {
        if (!(await stat(root).catch(() => undefined))?.isDirectory()) {
          throw new ModelLoadError('unknown-repo', root, file, `Model folder ${root} does not exist.`);
        }
        throw new ModelLoadError('missing-file', root, file, `Model folder ${root} has no file ${file}.`);
      }
      const total = info.size;
      const bytes = new Uint8Array(total);
      let loaded = 0;
      onProgress?.({ file, loaded, total });
      for await (const chunk of createReadStream(path)) {
        const part = chunk as Buffer;
        if (loaded + part.byteLength > total)
          throw new ModelLoadError('bad-file', root, file, `${file} grew while being read`);
        bytes.set(part, loaded);
        loaded += part.byteLength;
        onProgress?.({ file, loaded, total });
      }
      if (loaded !== total) {
        throw new ModelLoadError(
          'truncated',
          root,
          file,
          `${file} in ${root} shrank while being read (${loaded} of ${total} bytes).`,
        );
      }
      return bytes;
    },
  };
}
