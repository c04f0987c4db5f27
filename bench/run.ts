// `npm run bench`: measures and prints a table, and writes the same figures as JSON to bench/results/.
// Each suite runs side by side in one invocation so that ratios between backends are fair.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSuite } from './generate';
import { importSuite } from './import';
import { loraStepSuite } from './lora';
import { loadSuite } from './load';
import { matmulSuite, modelShapePeak } from './matmul';
import { onnxSuite } from './onnx';
import { onnxMemorySuite } from './onnx-memory';
import { stepProfileSuite, trainStepSuite, type StepRow } from './train-step';

// BENCH_QUICK=1: a few minutes (bert-tiny and MiniLM at batch 32 on wasm); the full run takes ~15.
const trainWithShare = {
  name: trainStepSuite.name,
  async run() {
    // The step's matMul FLOP rate as a share of the best matMul rate the backend reached at the models' shapes.
    return (await trainStepSuite.run()).map((r: StepRow) => {
      const peak = modelShapePeak(
        r.backend.startsWith('transformers') ? '' : (r.backend.split(' ')[0] ?? ''),
      );
      return { ...r, share_of_matmul: r.gflops && peak ? `${Math.round((100 * r.gflops) / peak)}%` : '' };
    });
  },
};
const suites = [
  loadSuite,
  matmulSuite,
  trainWithShare,
  stepProfileSuite,
  loraStepSuite,
  generateSuite,
  importSuite,
  onnxSuite,
  onnxMemorySuite,
];

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
