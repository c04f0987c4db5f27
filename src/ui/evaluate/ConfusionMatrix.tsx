import { confusionLayout } from '../../worker/results-shape';

/**
 * Rows are the true classes, columns the predicted ones; each cell is shaded by its share of the row. The
 * table scrolls in both directions with sticky headers, so 80 classes stay readable.
 */
export function ConfusionMatrix({
  labels,
  confusion,
}: {
  labels: readonly string[];
  confusion: readonly (readonly number[])[];
}) {
  const layout = confusionLayout(labels, confusion);
  return (
    <div className="results-scroll confusion-scroll">
      <table className="confusion" aria-label="Confusion matrix (rows: true class, columns: predicted class)">
        <thead>
          <tr>
            <th scope="col" className="corner">
              true ↓ / predicted →
            </th>
            {layout.labels.map((label) => (
              <th scope="col" key={label} title={label}>
                <span className="col-label">{label}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {layout.rows.map((row) => (
            <tr key={row.label}>
              <th scope="row" title={row.label}>
                {row.label}
              </th>
              {row.cells.map((cell, p) => (
                <td
                  key={p}
                  className={cell.correct ? 'correct' : cell.count === 0 ? 'zero' : undefined}
                  style={{ background: shade(cell.share, cell.correct) }}
                  title={`true ${row.label}, predicted ${layout.labels[p]}: ${cell.count} of ${row.total}`}
                >
                  {cell.count}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Blue for correct predictions, red for mistakes; the stronger, the larger the share of the row. */
function shade(share: number, correct: boolean): string | undefined {
  if (share === 0) return undefined;
  const alpha = (0.12 + 0.7 * share).toFixed(2);
  return correct ? `rgba(43, 89, 195, ${alpha})` : `rgba(196, 48, 43, ${alpha})`;
}
