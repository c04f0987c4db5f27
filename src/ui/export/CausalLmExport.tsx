// "Download model" for a causal-LM run: the Hugging Face folder AutoModelForCausalLM and AutoTokenizer load
// (config, generation_config, safetensors, tokenizer files with the chat template, model card,
// training_args.json, metrics.json), built in the worker by core/export/causal-lm-folder.ts.
import { useState } from 'react';
import { formatBytes } from '../../core/export/listing';
import type { LoraExportKind } from '../../core/lora/export';
import type { CausalLmResultsInfo } from '../../worker/protocol';
import { FileTable } from './FileTable';
import { TrainingProjectPanel } from './TrainingProjectPanel';
import { useZipDownload } from './useZipDownload';

const LORA_EXPORT_KINDS: readonly LoraExportKind[] = ['both', 'adapter', 'merged'];

export function CausalLmExport({ info }: { info: CausalLmResultsInfo }) {
  const { busy, done, error, download } = useZipDownload();
  const [kind, setKind] = useState<LoraExportKind>('both');
  return (
    <section className="results-panel" aria-labelledby="export-title" data-testid="causal-lm-export">
      <h3 id="export-title">Download</h3>
      <p>
        The causal LM fine-tuned from {info.modelName} on {info.kind} data: a folder that{' '}
        <code>AutoModelForCausalLM.from_pretrained</code> and <code>AutoTokenizer.from_pretrained</code> load
        unchanged (config, generation config, weights, tokenizer with its chat template, model card, training
        arguments and metrics).
      </p>
      {info.lora && (
        <div className="lora-export">
          <label htmlFor="clm-lora-export-kind">LoRA export </label>
          <select
            id="clm-lora-export-kind"
            value={kind}
            disabled={busy}
            onChange={(e) => setKind(e.target.value as LoraExportKind)}
          >
            {LORA_EXPORT_KINDS.map((k) => (
              <option key={k} value={k}>
                {k === 'both' ? 'both (merged model, adapter in adapter/)' : k}
              </option>
            ))}
          </select>
        </div>
      )}
      <button
        type="button"
        disabled={busy || !info.finalEvaluation}
        onClick={() =>
          void download(
            info.lora ? { type: 'causal-lm-export', loraExport: kind } : { type: 'causal-lm-export' },
          )
        }
      >
        Download model
      </button>
      {!info.finalEvaluation && <p>The run is paused: resume or stop it first.</p>}
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
      <TrainingProjectPanel hasRun causalLm />
    </section>
  );
}
