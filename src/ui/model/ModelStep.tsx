import { useState, type FormEvent } from 'react';
import type { AdapterFacts, FileProgress, ModelFacts, ModelSourceSpec } from '../../worker/protocol';
import type { ModelLoadErrorCode } from '../../core/hub/errors';
import { SUGGESTED_MODELS } from './suggested-models';

export interface ModelState {
  loading: boolean;
  progress: Record<string, FileProgress>;
  facts?: ModelFacts;
  error?: string;
  /** Why the model would not load (core/hub/errors.ts): `gated` and `unknown-repo` get the access-token note. */
  errorCode?: ModelLoadErrorCode;
}

/** The PEFT adapter loaded onto the model, if any (loading another model drops it). */
export interface AdapterState {
  loading: boolean;
  facts?: AdapterFacts;
  error?: string;
}

interface Props {
  hub: string;
  state: ModelState;
  onLoad: (source: ModelSourceSpec) => void;
  adapter: AdapterState;
  onLoadAdapter: (source: ModelSourceSpec) => void;
  /** What the field held before a reload (the model loads again by itself). */
  initialText?: string;
  /** The next step, offered once a model is loaded ("Continue to training"). */
  onContinue?: () => void;
}

/** Splits `org/name@revision` into the id and the revision (default `main`). */
export function parseModelId(text: string): { id: string; revision: string } | undefined {
  const match = /^([\w.-]+\/)?[\w.-]+(@[\w./-]+)?$/.exec(text.trim());
  if (!match) return undefined;
  const [id, revision] = text.trim().split('@') as [string, string | undefined];
  return { id, revision: revision ?? 'main' };
}

/** A Hub id (org/name@revision) or a folder URL as a source; a sentence saying why not otherwise. */
function typedSource(value: string, hub: string, what: string): ModelSourceSpec | string {
  if (/^https?:\/\//.test(value.trim())) return { kind: 'url', url: value.trim() };
  const parsed = parseModelId(value);
  if (!parsed)
    return `"${value}" is not ${what}: write it as on the Hub (e.g. prajjwal1/bert-tiny) or give a folder URL.`;
  return { kind: 'hub', id: parsed.id, revision: parsed.revision, endpoint: hub };
}

export function ModelStep({ hub, state, onLoad, adapter, onLoadAdapter, initialText, onContinue }: Props) {
  const [text, setText] = useState(initialText ?? '');
  const [invalid, setInvalid] = useState<string>();

  const loadId = (value: string) => {
    const source = typedSource(value, hub, 'a model id');
    if (typeof source === 'string') return setInvalid(source);
    setInvalid(undefined);
    onLoad(source);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    loadId(text);
  };
  const pickFolder = (files: FileList | null) => {
    if (files && files.length > 0) onLoad({ kind: 'files', files: Array.from(files) });
  };
  const error = invalid ?? state.error;

  return (
    <section className="model-step">
      <form onSubmit={submit} className="model-form">
        <label>
          Model
          <input
            type="text"
            value={text}
            placeholder="prajjwal1/bert-tiny"
            spellCheck={false}
            onChange={(e) => setText(e.target.value)}
            disabled={state.loading}
          />
        </label>
        <button type="submit" className="primary" disabled={state.loading || text.trim() === ''}>
          Load model
        </button>
      </form>
      {/* Right under the field, so that the answer to "Load model" is in view on a phone too. */}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!invalid && (state.errorCode === 'gated' || state.errorCode === 'unknown-repo') && (
        <p className="hint" data-testid="access-token-note">
          WebTune has no field for a Hugging Face access token: a token typed into a web page would stay in
          its memory and storage. For a gated or private model, accept its conditions on the Hub, download its
          folder with your token (<code>hf download {text.trim() || 'org/name'} --local-dir model</code>),
          then pick that folder below under “Or drop a model folder”.
        </p>
      )}
      <p className="hint">
        A Hugging Face model id, downloaded from {hub}: an encoder to fine-tune as a text classifier (BERT,
        MiniLM, DistilBERT, RoBERTa) or a decoder that generates text (GPT-2, Llama-style models such as
        SmolLM2 and TinyLlama, Qwen2); or the URL of a folder laid out the same way (config.json, weights and
        tokenizer files side by side).
      </p>

      <h3>Suggested</h3>
      <ul className="suggestions">
        {SUGGESTED_MODELS.map((m) => (
          <li key={m.id}>
            <button
              type="button"
              disabled={state.loading}
              onClick={() => {
                setText(m.id);
                loadId(m.id);
              }}
            >
              {m.name}
            </button>{' '}
            <code>{m.id}</code> · {m.kind === 'decoder' ? 'generates text' : 'classifies text'} · {m.size} ·{' '}
            {m.suits}
          </li>
        ))}
      </ul>

      <label className="folder-pick">
        Or drop a model folder (offline: config.json, weights, tokenizer files)
        <input
          type="file"
          multiple
          disabled={state.loading}
          // A folder picker; React does not know the attribute, so it is passed as is.
          {...{ webkitdirectory: '' }}
          onChange={(e) => pickFolder(e.target.files)}
        />
      </label>

      {Object.keys(state.progress).length > 0 && <DownloadProgress progress={state.progress} />}
      {state.facts && <ModelFactsView facts={state.facts} />}
      {state.facts && !state.loading && onContinue && (
        <div className="next-action">
          <p>
            {state.facts.name} is loaded.{' '}
            {state.facts.kind === 'decoder'
              ? 'Next: train it, or try it in the Playground (Evaluate step).'
              : 'Next: set the hyper-parameters and train it.'}
          </p>
          <button type="button" className="primary" onClick={onContinue}>
            Continue to training
          </button>
        </div>
      )}
      {state.facts && !state.loading && (
        <AdapterLoader hub={hub} kind={state.facts.kind} adapter={adapter} onLoad={onLoadAdapter} />
      )}
    </section>
  );
}

/** The optional PEFT LoRA adapter on top of the loaded model: a Hub id, a folder URL or a dropped folder. */
function AdapterLoader({
  hub,
  kind,
  adapter,
  onLoad,
}: {
  hub: string;
  kind: ModelFacts['kind'];
  adapter: AdapterState;
  onLoad: (source: ModelSourceSpec) => void;
}) {
  const [text, setText] = useState('');
  const [invalid, setInvalid] = useState<string>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const source = typedSource(text, hub, 'an adapter id');
    if (typeof source === 'string') return setInvalid(source);
    setInvalid(undefined);
    onLoad(source);
  };
  const error = invalid ?? adapter.error;
  return (
    <section className="adapter-step" aria-labelledby="adapter-title">
      <h3 id="adapter-title">LoRA adapter (optional)</h3>
      <form onSubmit={submit} className="model-form">
        <label>
          LoRA adapter
          <input
            type="text"
            value={text}
            placeholder="org/my-lora-adapter"
            spellCheck={false}
            onChange={(e) => setText(e.target.value)}
            disabled={adapter.loading}
          />
        </label>
        <button type="submit" disabled={adapter.loading || text.trim() === ''}>
          Load adapter
        </button>
      </form>
      <p className="hint">
        A PEFT LoRA adapter for this model (adapter_config.json and adapter_model.safetensors), from {hub} or
        a folder URL:{' '}
        {kind === 'decoder'
          ? 'a CAUSAL_LM adapter, applied in the Playground'
          : 'a SEQ_CLS adapter, whose head Evaluate and the Playground use ("Use the loaded model as it is")'}
        .
      </p>
      <label className="folder-pick">
        Or drop an adapter folder
        <input
          type="file"
          multiple
          disabled={adapter.loading}
          {...{ webkitdirectory: '' }}
          onChange={(e) => {
            const files = e.target.files;
            if (files && files.length > 0) onLoad({ kind: 'files', files: Array.from(files) });
          }}
        />
      </label>
      {error && (
        <p role="alert" className="error" data-testid="adapter-error">
          {error}
        </p>
      )}
      {adapter.facts && <AdapterFactsView facts={adapter.facts} />}
    </section>
  );
}

function AdapterFactsView({ facts }: { facts: AdapterFacts }) {
  return (
    <dl className="model-facts" data-testid="adapter-facts" data-task-type={facts.taskType}>
      <dt>Adapter</dt>
      <dd>{facts.name}</dd>
      <dt>task_type</dt>
      <dd>{facts.taskType}</dd>
      <dt>r</dt>
      <dd>{facts.r}</dd>
      <dt>lora_alpha</dt>
      <dd>{facts.loraAlpha}</dd>
      <dt>target_modules</dt>
      <dd>{facts.targets === 'all-linear' ? 'all-linear' : facts.targets.join(', ')}</dd>
      {facts.modulesToSave.length > 0 && (
        <>
          <dt>modules_to_save</dt>
          <dd>{facts.modulesToSave.join(', ')}</dd>
        </>
      )}
      {facts.baseModel && (
        <>
          <dt>Base model</dt>
          <dd>{facts.baseModel}</dd>
        </>
      )}
      {facts.labels.length > 0 && (
        <>
          <dt>Labels</dt>
          <dd>{facts.labels.join(', ')}</dd>
        </>
      )}
    </dl>
  );
}

function DownloadProgress({ progress }: { progress: Record<string, FileProgress> }) {
  return (
    <ul className="downloads" aria-label="Downloads">
      {Object.values(progress).map((p) => (
        <li key={p.file}>
          <span>{p.file}</span>{' '}
          <progress value={p.loaded} max={p.total ?? p.loaded} aria-label={`${p.file} download`} />{' '}
          {p.cached ? 'cached' : `${formatBytes(p.loaded)}${p.total ? ` / ${formatBytes(p.total)}` : ''}`}
        </li>
      ))}
    </ul>
  );
}

function ModelFactsView({ facts }: { facts: ModelFacts }) {
  const decoder = facts.kind === 'decoder';
  return (
    <dl className="model-facts" data-testid="model-facts" data-model-kind={facts.kind}>
      <dt>Model</dt>
      <dd>{facts.name}</dd>
      <dt>Architecture</dt>
      <dd>{facts.architecture}</dd>
      <dt>Kind</dt>
      <dd>
        {decoder
          ? 'causal language model: generates text (try it in the Playground of the Evaluate step)'
          : 'encoder: fine-tuned as a text classifier in the Train step'}
      </dd>
      <dt>Parameters</dt>
      <dd>{facts.parameters.toLocaleString('en-US')}</dd>
      <dt>Layers × hidden size</dt>
      <dd>
        {facts.layers} × {facts.hiddenSize}
      </dd>
      <dt>{decoder ? 'Context length' : 'Max length'}</dt>
      <dd>{facts.maxLength.toLocaleString('en-US')} tokens</dd>
      {decoder ? (
        <>
          <dt>Chat template</dt>
          <dd>
            {facts.chatTemplate ? 'yes: the Playground shows a chat' : 'no: the Playground continues text'}
          </dd>
        </>
      ) : (
        <>
          <dt>Labels</dt>
          <dd>
            {facts.labels.length > 0
              ? facts.labels.join(', ')
              : 'none yet (the head is set from your dataset)'}
          </dd>
        </>
      )}
    </dl>
  );
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}
