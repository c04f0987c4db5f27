import type { ExportEntry } from '../../core/export/listing';
import { formatBytes } from '../../core/export/listing';

/** The files of a download, with sizes and what each is for. */
export function FileTable({ files, testId }: { files: ExportEntry[]; testId: string }) {
  return (
    <table className="export-files" data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">File</th>
          <th scope="col">Size</th>
          <th scope="col">What it is for</th>
        </tr>
      </thead>
      <tbody>
        {files.map((f) => (
          <tr key={f.name} data-file={f.name}>
            <td>
              <code>{f.name}</code>
            </td>
            <td data-bytes={f.bytes}>{formatBytes(f.bytes)}</td>
            <td>{f.purpose}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
