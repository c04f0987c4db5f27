// What later steps read: a stored dataset with its confirmed mapping, cleaning and split applied.
import { prepareDataset, type DatasetConfig, type PreparedDataset } from '../data/prepare';
import { getDataset, readDatasetParts } from './datasets';
import type { WebTuneDatabase } from './db';

/** The train / validation / test examples of a stored dataset, under its confirmed config (or the one given). */
export async function loadPreparedDataset(
  db: WebTuneDatabase,
  id: string,
  config?: DatasetConfig,
): Promise<PreparedDataset> {
  const meta = await getDataset(db, id);
  if (!meta) throw new Error(`Dataset ${id} is not stored (was it deleted?).`);
  const chosen = config ?? meta.confirmed;
  if (!chosen) throw new Error(`Dataset ${meta.name} has not been confirmed with "Use this dataset" yet.`);
  return prepareDataset(await readDatasetParts(db, meta), chosen);
}
