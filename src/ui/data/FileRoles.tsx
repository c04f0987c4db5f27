// For a dataset made of several files: which split each file feeds. Guessed from the names at import.
import type { FileRole } from '../../core/data/prepare';
import type { DatasetMeta } from '../../core/storage/dataset-types';

const ROLES: { value: FileRole; label: string }[] = [
  { value: 'train', label: 'Training' },
  { value: 'validation', label: 'Validation' },
  { value: 'test', label: 'Test' },
];

export function FileRoles({
  dataset,
  onChange,
}: {
  dataset: DatasetMeta;
  onChange: (roles: FileRole[]) => void;
}) {
  const roles = dataset.parts.map((p) => p.role);
  return (
    <fieldset>
      <legend>Files</legend>
      {dataset.parts.map((part, i) => (
        <div className="field" key={`${part.file}-${i}`}>
          <label htmlFor={`role-${i}`}>
            Role of {part.file} ({part.rowCount.toLocaleString('en')} rows)
          </label>{' '}
          <select
            id={`role-${i}`}
            value={part.role}
            onChange={(e) => onChange(roles.map((r, j) => (j === i ? (e.target.value as FileRole) : r)))}
          >
            {ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
      ))}
    </fieldset>
  );
}
