// Several files dropped together form one dataset. Their role comes from the name: validation/val/dev files
// hold the validation split, test files the test split, the rest training rows (TXT files: one class each).
import type { FileRole } from './prepare';

export function roleFromFileName(fileName: string): FileRole {
  const name = (fileName.split(/[\\/]/).pop() ?? fileName).toLowerCase();
  if (/(^|[^a-z])(val|valid|validation|dev|eval)([^a-z]|$)/.test(name)) return 'validation';
  if (/(^|[^a-z])test([^a-z]|$)/.test(name)) return 'test';
  return 'train';
}

/**
 * Roles for files dropped together. A dataset needs training rows: when no name says "train" or nothing, the
 * validation-named files train (a lone dev.tsv is a dataset, not a validation split), else every file does.
 */
export function assignRoles(fileNames: readonly string[]): FileRole[] {
  const roles = fileNames.map(roleFromFileName);
  if (roles.includes('train')) return roles;
  if (roles.includes('validation')) return roles.map((r) => (r === 'validation' ? 'train' : r));
  return roles.map(() => 'train');
}

/** The dataset's name in the list: the training file's name, or every TXT class file's name. */
export function datasetName(files: readonly { name: string; role: FileRole }[]): string {
  const train = files.filter((f) => f.role === 'train').map((f) => f.name);
  const names = train.length ? train : files.map((f) => f.name);
  return names.length > 3 ? `${names.slice(0, 3).join(' + ')} + ${names.length - 3} more` : names.join(' + ');
}
