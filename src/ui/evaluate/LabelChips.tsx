/** A list of labels as chips (wrapping, each one readable on its own), not a comma-separated paragraph. */
export function LabelChips({ labels }: { labels: readonly string[] }) {
  return (
    <ul className="chips" aria-label="Labels">
      {labels.map((label) => (
        <li key={label} className="chip">
          {label}
        </li>
      ))}
    </ul>
  );
}
