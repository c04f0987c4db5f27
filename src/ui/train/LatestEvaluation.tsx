// The latest evaluation as a sentence a person reads, with the same figures as JSON in a hidden element
// (data-testid="metrics-latest"), which automation reads.
import { latestMetricsJson, type LogEntry } from './metric-store';

const percent = (x: number | undefined) => (x === undefined ? '–' : `${(x * 100).toFixed(1)} %`);
const fixed = (x: number | undefined, digits: number) => (x === undefined ? '–' : x.toFixed(digits));

export function LatestEvaluation({ record }: { record: LogEntry | undefined }) {
  return (
    <p className="metrics-latest" data-testid="metrics-latest-summary">
      {record && record.eval_perplexity !== undefined
        ? `Latest evaluation (weights of step ${record.step}, epoch ${record.epoch.toFixed(2)}): loss ` +
          `${fixed(record.eval_loss, 4)}, perplexity ${fixed(record.eval_perplexity, 2)}` +
          (record.eval_bleu !== undefined
            ? `, BLEU ${fixed(record.eval_bleu, 2)}, ROUGE-L ${fixed(record.eval_rougeL, 4)}.`
            : '.')
        : record
          ? `Latest evaluation (weights of step ${record.step}, epoch ${record.epoch.toFixed(2)}): accuracy ` +
            `${percent(record.eval_accuracy)}, macro F1 ${fixed(record.eval_f1, 3)}, loss ${fixed(record.eval_loss, 4)}.`
          : 'No evaluation yet.'}
      <span data-testid="metrics-latest" hidden>
        {latestMetricsJson(record)}
      </span>
    </p>
  );
}
