// The cleaning report: each issue with its count, a few examples and the action the person can take; then the
// split settings, the class counts per split and what the stratified split did. The counts come from
// prepareDataset, which makes them add up (a row is counted under one issue at most).
import type {
  CleaningIssue,
  CleaningOptions,
  CleaningReport,
  IssueKind,
  SplitOptions,
} from '../../core/data/prepare';
import type { SplitSummary } from '../../core/data/split';
import { SplitFields } from './SplitFields';

const TITLES: Record<IssueKind, string> = {
  'label-spellings': 'Label spellings',
  'empty-labels': 'Empty labels',
  'empty-texts': 'Empty texts',
  duplicates: 'Exact duplicates',
  conflicts: 'Same text with different labels',
  'long-texts': 'Very long texts',
  'rare-classes': 'Rare classes',
  imbalance: 'Class imbalance',
};

function action(issue: CleaningIssue, options: CleaningOptions, set: (o: CleaningOptions) => void) {
  const box = (key: keyof CleaningOptions, label: string) => (
    <label>
      <input
        type="checkbox"
        checked={Boolean(options[key])}
        onChange={(e) => set({ ...options, [key]: e.target.checked })}
      />{' '}
      {label}
    </label>
  );
  const n = issue.count;
  const rows = (one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  switch (issue.kind) {
    case 'label-spellings':
      return box('mergeLabelSpellings', 'Merge labels that differ only by case or surrounding spaces');
    case 'empty-labels':
      return box('dropEmptyLabels', `Drop the ${rows('row', 'rows')} without a label`);
    case 'empty-texts':
      return box('dropEmptyTexts', `Drop the ${rows('empty text', 'empty texts')}`);
    case 'duplicates':
      return box('dropDuplicates', `Drop the ${rows('extra copy', 'extra copies')}`);
    case 'conflicts':
      return box('dropConflicts', `Drop the ${rows('conflicting row', 'conflicting rows')}`);
    case 'long-texts':
      return box(
        'dropLongTexts',
        `Drop the ${rows('text', 'texts')} longer than ${options.longTextChars} characters (otherwise they are truncated)`,
      );
    case 'rare-classes':
      return box(
        'dropRareClasses',
        `Drop the ${rows('row', 'rows')} of classes with fewer than ${options.rareClassMin} examples`,
      );
    case 'imbalance':
      return box(
        'capImbalance',
        `Downsample classes to at most ${options.maxImbalance}× the smallest (removes ${rows('row', 'rows')})`,
      );
  }
}

/** The thresholds behind "very long", "rare" and the imbalance cap. */
function Limits({
  cleaning,
  onCleaning,
}: {
  cleaning: CleaningOptions;
  onCleaning: (o: CleaningOptions) => void;
}) {
  const number = (
    id: string,
    label: string,
    key: 'longTextChars' | 'rareClassMin' | 'maxImbalance',
    min: number,
  ) => (
    <span className="field">
      <label htmlFor={id}>{label}</label>{' '}
      <input
        id={id}
        type="number"
        min={min}
        value={cleaning[key]}
        onChange={(e) => {
          const value = Math.trunc(Number(e.target.value));
          if (value >= min) onCleaning({ ...cleaning, [key]: value });
        }}
      />{' '}
    </span>
  );
  return (
    <fieldset>
      <legend>Limits</legend>
      {number('limit-long', 'Very long text (characters)', 'longTextChars', 1)}
      {number('limit-rare', 'Rare class (fewer examples than)', 'rareClassMin', 1)}
      {number('limit-imbalance', 'Largest class at most (× smallest)', 'maxImbalance', 1)}
    </fieldset>
  );
}

/** How many rows, and what happens to them with the current options. */
function IssueCount({ issue, cleaning }: { issue: CleaningIssue; cleaning: CleaningOptions }) {
  const rows = `${issue.count} row${issue.count === 1 ? '' : 's'}`;
  if (issue.kind === 'imbalance') {
    return (
      <>{`largest / smallest class = ${issue.ratio?.toFixed(1)}${issue.dropped > 0 ? `, ${issue.dropped} rows dropped` : ''}`}</>
    );
  }
  if (issue.kind === 'label-spellings') {
    return <>{`${rows} ${cleaning.mergeLabelSpellings ? 'relabelled' : 'could be relabelled'}`}</>;
  }
  const fate = issue.dropped > 0 ? 'dropped' : issue.kind === 'long-texts' ? 'truncated' : 'kept';
  return <>{`${rows}, ${fate}`}</>;
}

/** "3 spellings of positive merged", with each spelling as written (quoted, so spaces show) and its rows. */
function Spellings({ issue, merged }: { issue: CleaningIssue; merged: boolean }) {
  return (
    <ul className="spellings">
      {issue.spellings!.map((s) => (
        <li key={s.label} data-testid="label-spelling">
          {s.variants.length} spellings of {s.label} {merged ? 'merged' : 'kept apart'}{' '}
          <span className="muted">
            ({s.variants.map((v) => `${JSON.stringify(v.spelling)} × ${v.rows}`).join(', ')})
          </span>
        </li>
      ))}
    </ul>
  );
}

export function CleaningReportView({
  report,
  cleaning,
  onCleaning,
}: {
  report: CleaningReport;
  cleaning: CleaningOptions;
  onCleaning: (options: CleaningOptions) => void;
}) {
  return (
    <section aria-label="Cleaning report">
      <h3>Cleaning report</h3>
      <p data-testid="cleaning-summary">
        {report.total} rows: {report.kept} kept, {report.dropped} dropped
        {report.unlabeled > 0 && `, ${report.unlabeled} without a label`}.
      </p>
      <Limits cleaning={cleaning} onCleaning={onCleaning} />
      {report.issues.length === 0 && <p>No problems found.</p>}
      <ul className="issues">
        {report.issues.map((issue) => (
          <li key={issue.kind} data-issue={issue.kind}>
            <strong>{TITLES[issue.kind]}</strong>: <IssueCount issue={issue} cleaning={cleaning} />
            {issue.spellings && <Spellings issue={issue} merged={cleaning.mergeLabelSpellings} />}
            {issue.examples.length > 0 && issue.kind !== 'imbalance' && (
              <ul className="examples">
                {issue.examples.map((e, i) => (
                  <li key={i}>{e}</li>
                ))}
              </ul>
            )}
            <div>{action(issue, cleaning, onCleaning)}</div>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function SplitView({
  report,
  split,
  onSplit,
}: {
  report: CleaningReport;
  split: SplitOptions;
  onSplit: (split: SplitOptions) => void;
}) {
  const { labels, classCounts } = report;
  const total = (n: number[]) => n.reduce((a, b) => a + b, 0);
  const hasTest = total(classCounts.test) > 0;
  return (
    <section aria-label="Split">
      <h3>Split</h3>
      <SplitFields
        idPrefix="split"
        validationFromFile={report.validationFrom === 'file'}
        split={split}
        onSplit={onSplit}
      />
      {report.split && <SplitNotes summary={report.split} />}
      <table className="class-counts" aria-label="Class counts per split">
        <thead>
          <tr>
            <th scope="col">Class</th>
            <th scope="col">Train</th>
            <th scope="col">Validation</th>
            {hasTest && <th scope="col">Test</th>}
            {report.split && <th scope="col">Note</th>}
          </tr>
        </thead>
        <tbody>
          {labels.map((label, i) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{classCounts.train[i]}</td>
              <td>{classCounts.validation[i]}</td>
              {hasTest && <td>{classCounts.test[i]}</td>}
              {report.split && <td>{classNote(report.split, label)}</td>}
            </tr>
          ))}
          <tr>
            <th scope="row">Total</th>
            <td data-testid="train-count">{total(classCounts.train)}</td>
            <td data-testid="validation-count">{total(classCounts.validation)}</td>
            {hasTest && <td>{total(classCounts.test)}</td>}
            {report.split && <td />}
          </tr>
        </tbody>
      </table>
    </section>
  );
}

const percent = (share: number) => `${Number((share * 100).toFixed(1))} %`;
const names = (labels: string[]) =>
  labels.length > 8 ? `${labels.slice(0, 8).join(', ')} and ${labels.length - 8} more` : labels.join(', ');

/** What the stratified split did, and the classes it cannot measure well. */
function SplitNotes({ summary }: { summary: SplitSummary }) {
  const { notValidated, oneValidationRow, roundedUp } = summary;
  const classes = (n: number) => `${n} class${n === 1 ? '' : 'es'}`;
  return (
    <>
      <p data-testid="split-summary">
        Validation: {summary.validationRows} of {summary.rows} rows ({percent(summary.actualShare)}; asked for{' '}
        {percent(summary.requestedShare)}). Each class puts that share of its rows in validation, rounded, and
        at least one row when it has two or more
        {roundedUp.length > 0 &&
          `: ${classes(roundedUp.length)} got one row above ${roundedUp.length === 1 ? 'its' : 'their'} share`}
        .
      </p>
      {notValidated.length > 0 && (
        <p className="warning" data-testid="split-warning">
          {classes(notValidated.length)} too small to validate (one row, kept in training; nothing measures
          them): {names(notValidated)}.
        </p>
      )}
      {oneValidationRow.length > 0 && (
        <p className="warning" data-testid="split-warning">
          {classes(oneValidationRow.length)} validated on a single row (their scores can only be 0 or 1):{' '}
          {names(oneValidationRow)}.
        </p>
      )}
    </>
  );
}

function classNote(summary: SplitSummary, label: string): string {
  if (summary.notValidated.includes(label)) return 'not validated (one row)';
  if (summary.oneValidationRow.includes(label)) return 'one validation row';
  return '';
}
