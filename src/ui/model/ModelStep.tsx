import { useState, type FormEvent } from 'react';
import type { FileProgress, ModelFacts, ModelSourceSpec } from '../../worker/protocol';
import { SUGGESTED_MODELS } from './suggested-models';

export interface ModelState {
  loading: boolean;
  progress: Record<string, FileProgress>;
  facts?: ModelFacts;
  error?: string;
}

interface Props {
  hub: string;
  state: ModelState;
  onLoad: (source: ModelSourceSpec) => void;
  /** What the field held before a reload (the model loads again by itself). */
  initialText?: string;
}

/** Splits `org/name@revision` into the id and the revision (default `main`). */
export function parseModelId(text: string): { id: string; revision: string } | undefined {
  const match = /^([\w.-]+\/)?[\w.-]+(@[\w./-]+)?$/.exec(text.trim());
  if (!match) return undefined;
  const [id, revision] = text.trim().split('@') as [string, string | undefined];
  return { id, revision: revision ?? 'main' };
}

export function ModelStep({ hub, state, onLoad, initialText }: Props) {
  const [text, setText] = useState(initialText ?? '');
  const [invalid, setInvalid] = useState<string>();

  const loadId = (value: string) => {
    if (/^https?:\/\//.test(value.trim())) {
      setInvalid(undefined);
      onLoad({ kind: 'url', url: value.trim() });
      return;
    }
    const parsed = parseModelId(value);
    if (!parsed) {
      setInvalid(
        `"${value}" is not a model id: write it as on the Hub (e.g. prajjwal1/bert-tiny) or give a folder URL.`,
      );
      return;
    }
    setInvalid(undefined);
    onLoad({ kind: 'hub', id: parsed.id, revision: parsed.revision, endpoint: hub });
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
        <button type="submit" disabled={state.loading || text.trim() === ''}>
          Load model
        </button>
      </form>
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

      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {Object.keys(state.progress).length > 0 && <DownloadProgress progress={state.progress} />}
      {state.facts && <ModelFactsView facts={state.facts} />}
    </section>
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
