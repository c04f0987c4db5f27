import { SUPPORTED_EXTENSIONS } from '../../core/data/format';
import { useState, type FormEvent } from 'react';
import { askResults } from '../../worker/results-client';
import { useResultsModel } from '../evaluate/results-store';
import { saveBytes } from '../export/save-file';
import { ProbabilityBars } from './ProbabilityBars';
import '../evaluate/results.css';

/** Playground: one text (or pair) at a time with every class's probability, or a whole file to a CSV. */
export function PlaygroundPanel() {
  const { info } = useResultsModel();
  const [text, setText] = useState('');
  const [text2, setText2] = useState('');
  const [result, setResult] = useState<{ labels: string[]; probabilities: number[] }>();
  const [busy, setBusy] = useState(false);
  const [bulk, setBulk] = useState<string>();
  const [error, setError] = useState<string>();

  const attempt = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const predict = (event: FormEvent) => {
    event.preventDefault();
    void attempt(async () => {
      const reply = await askResults(
        { type: 'results-predict', texts: [text], pairs: info?.pairs ? [text2] : undefined },
        'probabilities',
      );
      setResult({ labels: reply.labels, probabilities: reply.probabilities[0] ?? [] });
    });
  };
  const predictFile = (file: File) =>
    void attempt(async () => {
      setBulk(undefined);
      const reply = await askResults({ type: 'results-predict-file', file }, 'file');
      saveBytes(reply.csv, reply.fileName, 'text/csv');
      setBulk(`Predicted ${reply.rows} rows of ${file.name}; saved ${reply.fileName}.`);
    });

  return (
    <section className="results-panel" aria-labelledby="playground-title">
      <h3 id="playground-title">Playground</h3>
      {!info ? (
        <p>Nothing to try yet: train a model, or use a loaded classifier as it is.</p>
      ) : (
        <>
          <form className="playground-form" onSubmit={predict}>
            <label>
              {info.pairs ? 'First text' : 'Text to classify'}
              <textarea rows={3} value={text} onChange={(e) => setText(e.target.value)} />
            </label>
            {info.pairs && (
              <label>
                Second text
                <textarea rows={3} value={text2} onChange={(e) => setText2(e.target.value)} />
              </label>
            )}
            <button type="submit" disabled={busy}>
              Predict
            </button>
          </form>
          {result && <ProbabilityBars labels={result.labels} probabilities={result.probabilities} />}
          <label>
            Predict a file (CSV, TSV, JSON, JSONL, Parquet or TXT) and download the predictions as CSV
            <input
              type="file"
              accept={SUPPORTED_EXTENSIONS.join(',')}
              disabled={busy}
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = '';
                if (file) predictFile(file);
              }}
            />
          </label>
          {busy && <p role="status">Predicting…</p>}
          {bulk && !busy && <p role="status">{bulk}</p>}
        </>
      )}
      {error && <p role="alert">{error}</p>}
    </section>
  );
}
