// The stored datasets, by file name, with their row counts: select one to map and clean it, or delete it.
import type { DatasetMeta } from '../../core/storage/dataset-types';
import type { StorageQuota } from '../../core/storage/quota';

function megabytes(bytes?: number): string {
  return bytes === undefined ? 'unknown' : `${(bytes / 1e6).toFixed(1)} MB`;
}

export function StorageInfo({ quota }: { quota: StorageQuota }) {
  return (
    <p className="storage-info" data-testid="storage-info">
      Storage: {megabytes(quota.usage)} used of {megabytes(quota.quota)} available
      {quota.persisted === undefined
        ? ''
        : quota.persisted
          ? ' (persistent)'
          : ' (may be cleared by the browser)'}
      .
    </p>
  );
}

export function DatasetList({
  datasets,
  selected,
  onSelect,
  onDelete,
}: {
  datasets: DatasetMeta[];
  selected?: string;
  onSelect: (id: string) => void;
  onDelete: (id: string) => void;
}) {
  if (datasets.length === 0) return <p>No datasets stored yet.</p>;
  return (
    <ul className="dataset-list" aria-label="Stored datasets">
      {datasets.map((d) => (
        <li key={d.id} data-testid="dataset" data-name={d.name} data-rows={d.rowCount}>
          <button type="button" aria-pressed={d.id === selected} onClick={() => onSelect(d.id)}>
            {d.name}
          </button>{' '}
          <span>
            {d.rowCount.toLocaleString('en')} rows
            {d.parts.length > 1 ? ` (${d.parts.map((p) => `${p.role}: ${p.rowCount}`).join(', ')})` : ''}
          </span>{' '}
          <button type="button" aria-label={`Delete ${d.name}`} onClick={() => onDelete(d.id)}>
            Delete
          </button>
        </li>
      ))}
    </ul>
  );
}
