// "Download as a training project" through the page: the zip the Export step saves, read back as the project's
// file names (inside its one folder), its text files and the rows of its JSONL files.
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';

export async function downloadTrainingProject(page: Page) {
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 60_000 }),
    page.getByRole('button', { name: 'Download as a training project', exact: true }).click(),
  ]);
  const entries = unzipSync(new Uint8Array(readFileSync(await download.path())));
  const folder = Object.keys(entries)[0]!.split('/')[0]!;
  const file = (name: string) => new TextDecoder().decode(entries[`${folder}/${name}`]);
  return {
    names: Object.keys(entries)
      .map((n) => n.slice(folder.length + 1))
      .sort(),
    file,
    rows: <Row>(name: string) =>
      file(name)
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Row),
  };
}
