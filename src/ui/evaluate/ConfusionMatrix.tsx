import { confusionLayout } from '../../worker/results-shape';

/**
 * Rows are the true classes, columns the predicted ones. Each cell shows its share of the row (the true class),
 * so a class of 5 rows and one of 500 read alike; the count is on hover (and in data-count). The table scrolls
 * in both directions with sticky headers, so 80 classes stay readable; `keep` (label indices) shows only those
 * rows and columns, with shares still of the whole row.
 */
export function ConfusionMatrix({
  labels,
  confusion,
  keep,
}: {
  labels: readonly string[];
  confusion: readonly (readonly number[])[];
  keep?: readonly number[];
}) {
  const layout = confusionLayout(labels, confusion);
  const shown = keep ?? layout.labels.map((_l, i) => i);
  return (
    <div
      className="results-scroll confusion-scroll"
      tabIndex={0}
      role="region"
      aria-label="Confusion matrix, scrollable"
    >
      <table
        className="confusion"
        aria-label="Confusion matrix (rows: true class, columns: predicted class; share of the row)"
      >
        <thead>
          <tr>
            <th scope="col" className="corner">
              true ↓ / predicted →
            </th>
            {shown.map((i) => (
              <th scope="col" key={i} title={layout.labels[i]}>
                <span className="col-label">{layout.labels[i]}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((t) => {
            const row = layout.rows[t]!;
            return (
              <tr key={row.label}>
                <th scope="row" title={row.label}>
                  {row.label}
                </th>
                {shown.map((p) => {
                  const cell = row.cells[p]!;
                  return (
                    <td
                      key={p}
                      className={[
                        cell.correct ? 'correct' : cell.count === 0 ? 'zero' : '',
                        cell.share > 0.5 ? 'strong' : '',
                      ]
                        .join(' ')
                        .trim()}
                      style={{ background: shade(cell.share, cell.correct) }}
                      data-count={cell.count}
                      title={`true ${row.label}, predicted ${layout.labels[p]}: ${cell.count} of ${row.total}`}
                    >
                      {row.total === 0 ? '' : `${Math.round(cell.share * 100)}%`}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The theme's accent for correct predictions, its danger colour for mistakes; the stronger, the larger the share
 * of the row. Up to half the row the tint stays light under the page's text; above it the cell is dark enough for
 * the accent's own text colour (the `strong` class): both keep 4.5:1 in the light and the dark theme.
 */
function shade(share: number, correct: boolean): string | undefined {
  if (share === 0) return undefined;
  const percent = share > 0.5 ? 80 + 40 * (share - 0.5) : 8 + 70 * share;
  return `color-mix(in srgb, var(${correct ? '--accent' : '--danger'}) ${percent.toFixed(0)}%, var(--surface))`;
}
