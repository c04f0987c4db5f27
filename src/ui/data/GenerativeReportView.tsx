// The Data step for generative data (a causal LM's plain text, instruction or chat data): which of the three
// the file is, the cleaning report and the split, as core/data/generative.ts's analyzeGenerative computes them
// (the worker trains on the same function's rows). Over-long examples need the model's tokenizer: the Train
// step's run reports them, with the tokens they lose, when it tokenises.
import type { GenerativeAnalysis, GenerativeIssueKind } from '../../core/data/generative';
import type { SplitOptions } from '../../core/data/prepare';
import { SplitFields } from './SplitFields';

const KIND_TEXT = {
  text: 'plain text (each text packed into blocks, EOS after each)',
  instruction: 'instruction data (prompt → completion; loss on the completion by default)',
  chat: 'chat (conversations of messages; loss on the assistant turns by default)',
} as const;

const ISSUE_TITLES: Record<GenerativeIssueKind, string> = {
  'empty-texts': 'Empty texts',
  duplicates: 'Exact duplicates',
  'malformed-conversations': 'Malformed conversations',
  'too-long': 'Over-long examples',
};

/** The kinds the report always lists (zero included), so the person sees what was checked. */
const CHECKED: GenerativeIssueKind[] = ['empty-texts', 'duplicates', 'malformed-conversations'];

export function GenerativeReportView({
  analysis,
  split,
  onSplit,
}: {
  analysis: GenerativeAnalysis;
  split: SplitOptions;
  onSplit: (split: SplitOptions) => void;
}) {
  if (!analysis.ok)
    return (
      <div role="alert" className="alert" data-testid="generative-problem">
        {analysis.message}
      </div>
    );
  const { report, columns } = analysis;
  const kinds = report.kind === 'chat' ? CHECKED : CHECKED.filter((k) => k !== 'malformed-conversations');
  const from =
    columns.kind === 'chat'
      ? `column ${columns.messages}`
      : columns.kind === 'instruction'
        ? `columns ${columns.prompt}${columns.input ? ` + ${columns.input}` : ''} → ${columns.completion}`
        : `column ${columns.text}`;
  return (
    <section aria-label="Generative data" className="generative-report">
      <p data-testid="generative-kind" data-kind={report.kind}>
        Generative data: <strong>{report.kind}</strong>, {KIND_TEXT[report.kind]}; from the {from}
        {report.alpaca
          ? ' (Alpaca’s names: instruction + input as the prompt, output as the completion)'
          : ''}
        .
      </p>
      <h3>Cleaning report</h3>
      <table className="generative-issues" data-testid="generative-issues" aria-label="Cleaning report">
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">Rows</th>
            <th scope="col">Examples</th>
          </tr>
        </thead>
        <tbody>
          {kinds.map((kind) => {
            const issue = report.issues.find((i) => i.kind === kind);
            return (
              <tr key={kind} data-issue={kind} data-count={issue?.count ?? 0}>
                <th scope="row">{ISSUE_TITLES[kind]}</th>
                <td>{issue ? `${issue.count}, dropped` : 0}</td>
                <td>{issue?.examples.join('; ') ?? ''}</td>
              </tr>
            );
          })}
          <tr data-issue="too-long">
            <th scope="row">{ISSUE_TITLES['too-long']}</th>
            <td colSpan={2}>
              counted with the model’s tokenizer when a run starts (rows longer than block_size, and the
              tokens they lose)
            </td>
          </tr>
        </tbody>
      </table>
      <h3>Split</h3>
      <SplitFields
        idPrefix="gen-split"
        validationFromFile={analysis.validationFrom === 'file'}
        split={split}
        onSplit={onSplit}
      />
      <p
        data-testid="generative-split"
        data-train={analysis.trainRows}
        data-validation={analysis.validationRows}
      >
        {report.total} rows read: {analysis.trainRows} for training, {analysis.validationRows} for validation.
      </p>
    </section>
  );
}
