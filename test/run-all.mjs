// `npm test`: typecheck, lint, unit (Node and WebGPU-in-Node), e2e (Chromium), in that order; stops at the
// first failure and prints how long each stage took.
import { spawnSync } from 'node:child_process';

const stages = [
  ['system', 'node', ['test/ensure-system.mjs']],
  ['typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['lint', 'npx', ['eslint', '.']],
  ['format', 'npx', ['prettier', '--check', '.']],
  ['unit', 'npx', ['vitest', 'run', '--project', 'unit', '--project', 'webgpu']],
  ['e2e', 'npx', ['vitest', 'run', '--project', 'e2e']],
];

const timings = [];
const started = Date.now();
for (const [name, command, args] of stages) {
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const t0 = Date.now();
  const { status, error } = spawnSync(command, args, { stdio: 'inherit' });
  timings.push(`${name} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (error || status !== 0) {
    console.error(`\nnpm test failed at ${name}${error ? `: ${error.message}` : ` (exit ${status})`}.`);
    process.exit(status || 1);
  }
}
console.log(`\nAll stages passed in ${((Date.now() - started) / 1000).toFixed(0)} s: ${timings.join(', ')}.`);
