import { useState } from 'react';
import { TrainingProjectPanel } from './TrainingProjectPanel';
import type { ExportEntry } from '../../core/export/listing';
import { formatBytes } from '../../core/export/listing';
import { FileTable } from './FileTable';
import { askResults } from '../../worker/results-client';
import { useResultsModel } from '../evaluate/results-store';
import { saveBytes } from './save-file';
import '../evaluate/results.css';

/** Export: the worker builds the Hugging Face folder (with the ONNX models) as a zip; the page saves the bytes. */
export function ExportPanel() {
  const { info } = useResultsModel();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ fileName: string; files: ExportEntry[]; bytes: number }>();
  const [error, setError] = useState<string>();

  const download = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const reply = await askResults({ type: 'results-export' }, 'zip');
      saveBytes(reply.zip, reply.fileName, 'application/zip');
      setDone({ fileName: reply.fileName, files: reply.files, bytes: reply.zip.byteLength });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="results-panel" aria-labelledby="export-title">
      <h3 id="export-title">Download</h3>
      <p>
        A folder that <code>AutoModelForSequenceClassification.from_pretrained</code> loads in Python and that
        transformers.js runs in any web page (<code>pipeline(&apos;text-classification&apos;, folder)</code>,
        through the ONNX models in <code>onnx/</code>): config, weights, tokenizer, model card, training
        arguments and metrics.
      </p>
      <button type="button" onClick={() => void download()} disabled={busy || !info}>
        Download model
      </button>
      {!info && <p>Train a model first (or use a loaded classifier as it is, in Evaluate).</p>}
      {busy && <span role="status">Building the zip…</span>}
      {done && (
        <>
          <p role="status" data-testid="export-done">
            Saved {done.fileName} ({formatBytes(done.bytes)}), {done.files.length} files:
          </p>
          <FileTable files={done.files} testId="export-files" />
        </>
      )}
      {error && <p role="alert">{error}</p>}
      <TrainingProjectPanel run={info?.run} />
    </section>
  );
}
