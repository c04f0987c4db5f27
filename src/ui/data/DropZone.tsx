// Where files come in: a drop area and a file picker (several files at once), plus the import's progress.
import { useState, type DragEvent } from 'react';
import { SUPPORTED_EXTENSIONS } from '../../core/data/format';
import type { ImportState } from './useDatasets';

export function DropZone({
  importing,
  onFiles,
  onCancel,
}: {
  importing?: ImportState;
  onFiles: (files: File[]) => void;
  onCancel: () => void;
}) {
  const [over, setOver] = useState(false);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    if (!importing) onFiles([...event.dataTransfer.files]);
  };
  const progress = importing?.progress;
  return (
    <section
      className={`drop-zone${over ? ' drop-zone-over' : ''}`}
      aria-label="Import a dataset"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <p>
        Drop labelled text files here ({SUPPORTED_EXTENSIONS.join(', ')}). Several files at once make one
        dataset: files named validation/dev or test give those splits, and TXT files give one class each.
      </p>
      <label htmlFor="dataset-files">Dataset files</label>{' '}
      <input
        id="dataset-files"
        type="file"
        multiple
        disabled={Boolean(importing)}
        accept={SUPPORTED_EXTENSIONS.join(',')}
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          onFiles(files);
        }}
      />
      {importing && (
        <div className="import-progress">
          <label htmlFor="import-progress">Importing {importing.files.join(', ')}</label>{' '}
          <progress id="import-progress" max={progress?.totalBytes || 1} value={progress?.bytesRead ?? 0} />{' '}
          <span>{progress ? `${progress.rows.toLocaleString('en')} rows` : 'starting…'}</span>{' '}
          <button type="button" onClick={onCancel}>
            Cancel import
          </button>
        </div>
      )}
    </section>
  );
}
