// `npm run bench`: measures and prints a table, and writes the same figures as JSON to bench/results/.
// Each suite runs side by side in one invocation so that ratios between backends are fair.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importSuite } from './import';
import { loadSuite } from './load';
import { matmulSuite } from './matmul';

const suites = [loadSuite, matmulSuite, importSuite];

const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
for (const suite of suites) {
  console.log(`\n## ${suite.name}`);
  const rows = await suite.run();
  console.table(rows);
  results[suite.name] = rows;
}
const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify(results, null, 2));
console.log(`\nWrote ${file}`);
process.exit(0);
