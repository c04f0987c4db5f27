// The Data step: import files, pick a stored dataset, map its columns, review the cleaning report, choose the
// split, and confirm with "Use this dataset" (which hands the dataset's id to the next step).
import { useEffect, useMemo, useState } from 'react';
import { readSession, saveSession } from '../app/session-store';
import { defaultTxtDocuments, looksGenerative } from '../../core/data/generative';
import { DEFAULT_CLEANING, DEFAULT_SPLIT, type DatasetConfig } from '../../core/data/prepare';
import type { DatasetMeta } from '../../core/storage/dataset-types';
import { CleaningReportView, SplitView } from './CleaningReportView';
import { DataErrorBoundary } from './DataErrorBoundary';
import { DatasetList, StorageInfo } from './DatasetList';
import { DropZone } from './DropZone';
import { FileRoles } from './FileRoles';
import { GenerativeReportView } from './GenerativeReportView';
import { MappingForm } from './MappingForm';
import { TxtDocumentsChoice } from './TxtDocumentsChoice';
import { useDatasets } from './useDatasets';
import './data.css';

/** The sample dataset in public/samples (300 SST-2 rows, see SOURCES.md there), for a first try. */
const SAMPLE = { file: 'movie-reviews.csv', url: `${import.meta.env.BASE_URL}samples/movie-reviews.csv` };

/** Generative when the columns say so (core/data/generative.ts's looksGenerative), else labelled examples. */
function guessedPurpose(dataset: DatasetMeta): DatasetConfig['purpose'] {
  const first = dataset.parts[0];
  const singleTxt = dataset.parts.length === 1 && first?.format === 'txt';
  return looksGenerative(first?.columns ?? [], dataset.guessedMapping?.label, singleTxt)
    ? 'generative'
    : 'classification';
}

/**
 * The TXT files whose whole text the import kept (TXT read by lines): generative data can read them one
 * document per file. TXT datasets imported before the text was kept have none and read per line only.
 */
function documentFiles(dataset: DatasetMeta): number {
  return dataset.parts.filter((p) => p.textChunks !== undefined).length;
}

function initialConfig(dataset: DatasetMeta): DatasetConfig {
  const txtFiles = documentFiles(dataset);
  return (
    dataset.confirmed ?? {
      purpose: guessedPurpose(dataset),
      ...(txtFiles ? { txtDocuments: defaultTxtDocuments(txtFiles) } : {}),
      mapping: dataset.guessedMapping ?? { text: dataset.parts[0]?.columns[0] ?? '' },
      cleaning: DEFAULT_CLEANING,
      split: DEFAULT_SPLIT,
    }
  );
}

interface Props {
  /** Gets the id of the dataset confirmed with "Use this dataset". */
  onUseDataset: (datasetId: string, trainExamples: number) => void;
  /** Gets the id of a dataset the person deleted. */
  onDeleted?: (datasetId: string) => void;
}

/** The Data step. */
export function DataPanel(props: Props) {
  return (
    <DataErrorBoundary>
      <DataStep {...props} />
    </DataErrorBoundary>
  );
}

function DataStep({ onUseDataset, onDeleted }: Props) {
  const [selectedId, setSelectedId] = useState<string>();
  const [config, setConfigState] = useState<DatasetConfig>();
  const [confirmError, setConfirmError] = useState<string>();
  const [sampleError, setSampleError] = useState<string>();
  // The selection and the choices being made survive a reload.
  const setConfig = (next: DatasetConfig | undefined, id = selectedId) => {
    setConfigState(next);
    saveSession({ dataDraft: id && next ? { datasetId: id, config: next } : undefined });
  };
  const select = (dataset?: DatasetMeta) => {
    setSelectedId(dataset?.id);
    setConfig(dataset ? initialConfig(dataset) : undefined, dataset?.id);
    setConfirmError(undefined);
  };
  // After a reload: the dataset that was selected, with the mapping and cleaning choices being made (or the
  // dataset last confirmed, with its confirmed config), once the stored datasets are first read.
  const restore = (stored: DatasetMeta[]) => {
    const saved = readSession();
    const draft = saved.dataDraft && stored.find((d) => d.id === saved.dataDraft?.datasetId);
    const confirmed = saved.datasetId ? stored.find((d) => d.id === saved.datasetId) : undefined;
    if (draft && saved.dataDraft) {
      setSelectedId(draft.id);
      setConfigState(saved.dataDraft.config);
    } else if (confirmed) {
      setSelectedId(confirmed.id);
      setConfigState(initialConfig(confirmed));
    }
  };
  // A fresh import is selected at once, so its report (and any problem with it) shows.
  const data = useDatasets(select, restore);
  const { datasets, analyze } = data;
  const selected = useMemo(() => datasets?.find((d) => d.id === selectedId), [datasets, selectedId]);

  // Roles live in the stored record: a change there re-runs the report too.
  const rolesKey = selected?.parts.map((p) => p.role).join();
  useEffect(() => {
    if (selectedId && config) analyze(selectedId, config);
  }, [selectedId, config, analyze, rolesKey]);

  // The sample goes through the same import as a dropped file; once stored, the button selects it again.
  const trySample = () => {
    setSampleError(undefined);
    const stored = datasets?.find((d) => d.name === SAMPLE.file);
    if (stored) return select(stored);
    fetch(SAMPLE.url)
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.blob();
      })
      .then((blob) => data.importFiles([new File([blob], SAMPLE.file, { type: 'text/csv' })]))
      .catch((err: unknown) => setSampleError(`The sample dataset could not be loaded: ${String(err)}`));
  };

  const report = data.analysis?.datasetId === selectedId ? data.analysis?.report : undefined;
  const generative = config?.purpose === 'generative';
  const genAnalysis = report ? data.analysis?.generative : undefined;
  const blocked =
    !report ||
    Boolean(data.importing) ||
    (generative ? !genAnalysis?.ok || genAnalysis.trainRows === 0 : report.problems.length > 0);

  return (
    <div className="data-panel">
      <StorageInfo quota={data.quota} />
      <DropZone importing={data.importing} onFiles={data.importFiles} onCancel={data.cancelImport} />
      <p className="sample">
        No dataset at hand?{' '}
        <button type="button" disabled={Boolean(data.importing)} onClick={trySample}>
          Try with movie reviews
        </button>{' '}
        <span className="muted">300 labelled sentences from SST-2 (positive / negative)</span>
      </p>
      {sampleError && (
        <div role="alert" className="alert">
          {sampleError}
        </div>
      )}
      {data.notice && (
        <p role="status" className="notice">
          {data.notice}
        </p>
      )}
      {data.alerts.map((alert, i) => (
        <div key={i} role="alert" className="alert" data-code={alert.code}>
          {alert.message}
          {alert.retryFiles && (
            <>
              {' '}
              <button type="button" onClick={() => data.importFiles(alert.retryFiles!, true)}>
                Skip the {alert.count} broken line{alert.count === 1 ? '' : 's'} and import
              </button>
            </>
          )}
        </div>
      ))}
      <h3>Stored datasets</h3>
      {datasets === undefined ? (
        <p>Reading stored datasets…</p>
      ) : (
        <DatasetList
          datasets={datasets}
          selected={selectedId}
          onSelect={(id) => select(datasets.find((d) => d.id === id))}
          onDelete={(id) => {
            void data.remove(id).then((deleted) => {
              if (!deleted) return;
              if (id === selectedId) select(undefined);
              onDeleted?.(id);
            });
          }}
        />
      )}
      {selected && config && (
        <section className="dataset-detail" aria-label={`Dataset ${selected.name}`}>
          <h3>{selected.name}</h3>
          {selected.parts.length > 1 && (
            <FileRoles dataset={selected} onChange={(roles) => void data.setRoles(selected.id, roles)} />
          )}
          <fieldset className="data-purpose">
            <legend>What this data trains</legend>
            <label>
              <input
                type="radio"
                name="data-purpose"
                checked={!generative}
                onChange={() => setConfig({ ...config, purpose: 'classification' })}
              />{' '}
              A classifier (labelled texts)
            </label>{' '}
            <label>
              <input
                type="radio"
                name="data-purpose"
                checked={generative}
                onChange={() => setConfig({ ...config, purpose: 'generative' })}
              />{' '}
              A text generator (causal LM: plain text, instruction or chat data)
            </label>
          </fieldset>
          {generative && documentFiles(selected) > 0 && (
            <TxtDocumentsChoice
              value={config.txtDocuments ?? 'line'}
              onChange={(txtDocuments) => setConfig({ ...config, txtDocuments })}
            />
          )}
          {generative ? (
            report && genAnalysis ? (
              <GenerativeReportView
                analysis={genAnalysis}
                split={config.split}
                onSplit={(split) => setConfig({ ...config, split })}
              />
            ) : (
              <p>Checking the rows…</p>
            )
          ) : (
            <>
              <MappingForm
                dataset={selected}
                mapping={config.mapping}
                onChange={(mapping) => setConfig({ ...config, mapping })}
              />
              {report ? (
                <>
                  {report.problems.map((p) => (
                    <div key={p.code + p.message} role="alert" className="alert" data-code={p.code}>
                      {selected.name}: {p.message}
                    </div>
                  ))}
                  <CleaningReportView
                    report={report}
                    cleaning={config.cleaning}
                    onCleaning={(cleaning) => setConfig({ ...config, cleaning })}
                  />
                  <SplitView
                    report={report}
                    split={config.split}
                    onSplit={(split) => setConfig({ ...config, split })}
                  />
                </>
              ) : (
                <p>Checking the rows…</p>
              )}
            </>
          )}
          {confirmError && <div role="alert">{confirmError}</div>}
          <button
            type="button"
            className="primary"
            disabled={blocked}
            onClick={() => {
              data
                .confirm(selected.id, config)
                .then(() =>
                  onUseDataset(selected.id, report ? report.classCounts.train.reduce((n, c) => n + c, 0) : 0),
                )
                .catch((err: unknown) =>
                  setConfirmError(`${selected.name} could not be saved: ${String(err)}`),
                );
            }}
          >
            Use this dataset
          </button>
        </section>
      )}
    </div>
  );
}
