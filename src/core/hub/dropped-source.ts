// A model folder the user dropped or picked: relative path → Blob (a File is a Blob). The folder's own name, and
// any folders above the one holding config.json, are stripped, so `bert-tiny/config.json` is `config.json`.
import { ModelLoadError } from './errors';
import { readStream, type ModelSource, type ProgressCallback } from './source';

export function droppedFilesSource(
  files: Map<string, Blob> | Record<string, Blob>,
  name = 'the dropped folder',
): ModelSource {
  const entries = files instanceof Map ? [...files] : Object.entries(files);
  const byName = stripFolder(entries.map(([path, blob]) => [normalisePath(path), blob] as const));
  return {
    name,
    cacheKey: undefined,
    async exists(file) {
      return byName.has(file);
    },
    async fetchFile(file: string, onProgress?: ProgressCallback) {
      const blob = byName.get(file);
      if (!blob) {
        const present = [...byName.keys()].sort().slice(0, 12).join(', ');
        throw new ModelLoadError(
          'missing-file',
          name,
          file,
          `Model ${name} has no file ${file} (it holds: ${present || 'nothing'}).`,
        );
      }
      const total = blob.size;
      onProgress?.({ file, loaded: 0, total });
      return readStream(blob.stream(), total, (loaded) => onProgress?.({ file, loaded, total }));
    },
  };
}

/** Files from an <input webkitdirectory> or a drop, keyed by their path inside the picked folder. */
export function filesByPath(files: Iterable<File>): Map<string, Blob> {
  const map = new Map<string, Blob>();
  for (const file of files) {
    const relative = (file as File & { webkitRelativePath?: string }).webkitRelativePath;
    map.set(relative || file.name, file);
  }
  return map;
}

function normalisePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.?\/)+/, '');
}

function stripFolder(entries: (readonly [string, Blob])[]): Map<string, Blob> {
  // The model's root is the shallowest folder holding config.json; without one, a single top folder is dropped.
  const configs = entries
    .map(([path]) => path)
    .filter((path) => path === 'config.json' || path.endsWith('/config.json'))
    .sort((a, b) => a.split('/').length - b.split('/').length);
  let root = configs[0]?.slice(0, -'config.json'.length);
  if (root === undefined) {
    const tops = new Set(entries.map(([path]) => (path.includes('/') ? path.split('/')[0] + '/' : '')));
    root = tops.size === 1 ? [...tops][0]! : '';
  }
  const map = new Map<string, Blob>();
  for (const [path, blob] of entries) if (path.startsWith(root)) map.set(path.slice(root.length), blob);
  return map;
}
