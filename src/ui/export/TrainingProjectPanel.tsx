import { useState } from 'react';
import { formatBytes } from '../../core/export/listing';
import { FileTable } from './FileTable';
import { useZipDownload } from './useZipDownload';
import './export.css';

/**
 * "Download as a training project": the open run as a Hugging Face Trainer project, for a GPU or a cluster. A
 * classifier's is the results model's run; a causal LM's the last decoder run (`causalLm`).
 */
export function TrainingProjectPanel({ hasRun, causalLm = false }: { hasRun: boolean; causalLm?: boolean }) {
  const [includeData, setIncludeData] = useState(true);
  const { busy, done, error, download } = useZipDownload();

  return (
    <div className="training-project" aria-labelledby="training-project-title">
      <h4 id="training-project-title">Outgrow the tab</h4>
      <p>
        The run as a small Hugging Face Trainer project: <code>train.py</code> with this run&apos;s recipe and
        tokenisation (a classifier&apos;s label order, a causal LM&apos;s packing and loss masking), its rows
        in <code>data/</code>, pinned <code>requirements.txt</code> and an <code>accelerate</code> config.{' '}
        <code>accelerate launch train.py</code> trains it on one GPU, several or a cluster, and saves a model
        WebTune loads back.
      </p>
      <label>
        <input type="checkbox" checked={includeData} onChange={(e) => setIncludeData(e.target.checked)} />{' '}
        Include the run&apos;s rows (<code>data/train.jsonl</code>, <code>data/validation.jsonl</code>)
      </label>
      <button
        type="button"
        onClick={() =>
          void download({ type: causalLm ? 'causal-lm-project' : 'results-project', includeData })
        }
        disabled={busy || !hasRun}
      >
        Download as a training project
      </button>
      {!hasRun && <p>Train a run, or open one from the run list, to export it as a project.</p>}
      {busy && <span role="status">Building the project…</span>}
      {done && (
        <>
          <p role="status" data-testid="project-done">
            Saved {done.fileName} ({formatBytes(done.bytes)}), {done.files.length} files:
          </p>
          <FileTable files={done.files} testId="project-files" />
        </>
      )}
      {error && <p role="alert">{error}</p>}
    </div>
  );
}
