// For generative data from TXT files: whether each line is a document (datasets' default) or each file's whole
// text is one (`sample_by="document"`, blank lines and all). Part of the config the Data step confirms.
import type { TxtDocuments } from '../../core/data/txt';

export function TxtDocumentsChoice({
  value,
  onChange,
}: {
  value: TxtDocuments;
  onChange: (value: TxtDocuments) => void;
}) {
  const option = (choice: TxtDocuments, text: string) => (
    <label>
      <input
        type="radio"
        name="txt-documents"
        value={choice}
        checked={value === choice}
        onChange={() => onChange(choice)}
      />{' '}
      {text}
    </label>
  );
  return (
    <fieldset className="txt-documents" data-testid="txt-documents">
      <legend>The TXT files’ documents</legend>
      {option('line', 'One document per line')}{' '}
      {option('file', 'One document per file (its whole text, blank lines included)')}
    </fieldset>
  );
}
