import { useState } from 'react';
import { TrainingProjectPanel } from './TrainingProjectPanel';
import { formatBytes } from '../../core/export/listing';
import { FileTable } from './FileTable';
import type { LoraExportKind } from '../../core/lora/export';
import { useResultsModel } from '../evaluate/results-store';
import { useZipDownload } from './useZipDownload';
import { CausalLmExport } from './CausalLmExport';
import { useCausalLmInfo } from './useCausalLmInfo';
import '../evaluate/results.css';

// core/lora/export.ts's kinds, listed here because that module loads tfjs (through the model registry).
const LORA_EXPORT_KINDS: readonly LoraExportKind[] = ['both', 'adapter', 'merged'];

/** Export: the worker builds the Hugging Face folder (with the ONNX models) as a zip; the page saves the bytes. */
export function ExportPanel() {
  const causalLm = useCausalLmInfo();
  return causalLm ? <CausalLmExport info={causalLm} /> : <ClassifierExport />;
}

function ClassifierExport() {
  const { info } = useResultsModel();
  const { busy, done, error, download } = useZipDownload();
  // A LoRA model: the PEFT adapter, the merged model, or both (the CLI's --export, default both).
  const [kind, setKind] = useState<LoraExportKind>('both');

  return (
    <section className="results-panel" aria-labelledby="export-title">
      <h3 id="export-title">Download</h3>
      <p>
        A folder that <code>AutoModelForSequenceClassification.from_pretrained</code> loads in Python and that
        transformers.js runs in any web page (<code>pipeline(&apos;text-classification&apos;, folder)</code>,
        through the ONNX models in <code>onnx/</code>): config, weights, tokenizer, model card, training
        arguments and metrics.
      </p>
      {info?.lora && (
        <div className="lora-export">
          <p>
            Trained with LoRA (r {info.lora.r}, lora_alpha {info.lora.lora_alpha} on{' '}
            {info.lora.target_modules.join(', ')}): the adapter is the folder PEFT writes (
            <code>adapter_config.json</code>, <code>adapter_model.safetensors</code>), which{' '}
            <code>PeftModel.from_pretrained(base, folder)</code> loads onto the base model; the merged model
            is the ordinary folder above, with the adapters folded into the weights.
          </p>
          <label htmlFor="lora-export-kind">LoRA export </label>
          <select
            id="lora-export-kind"
            value={kind}
            disabled={busy}
            onChange={(e) => setKind(e.target.value as LoraExportKind)}
          >
            {LORA_EXPORT_KINDS.map((k) => (
              <option key={k} value={k}>
                {k === 'both' ? 'both (merged model, adapter in adapter/)' : k}
              </option>
            ))}
          </select>{' '}
        </div>
      )}
      <button
        type="button"
        onClick={() =>
          void download(
            info?.lora ? { type: 'results-export', loraExport: kind } : { type: 'results-export' },
          )
        }
        disabled={busy || !info}
      >
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
      <TrainingProjectPanel hasRun={info?.run !== undefined} />
    </section>
  );
}
