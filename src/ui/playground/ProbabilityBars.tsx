/** Every class's probability as a bar, the most likely first. */
export function ProbabilityBars({
  labels,
  probabilities,
}: {
  labels: readonly string[];
  probabilities: readonly number[];
}) {
  const sorted = labels
    .map((label, i) => ({ label, p: probabilities[i] ?? 0 }))
    .sort((a, b) => b.p - a.p || a.label.localeCompare(b.label));
  return (
    <ul className="prob-bars" aria-label="Class probabilities" data-testid="probabilities">
      {sorted.map(({ label, p }) => (
        <li key={label} data-label={label} data-probability={p}>
          <span className="prob-label">{label}</span>
          <span className="prob-track" aria-hidden="true">
            <span className="prob-bar" style={{ display: 'block', width: `${(p * 100).toFixed(2)}%` }} />
          </span>
          <span className="prob-value">{(p * 100).toFixed(1)}%</span>
        </li>
      ))}
    </ul>
  );
}
