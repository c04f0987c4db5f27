// The Python stack a generated training project pins: the versions WebTune's own tests compare against
// (test/python/requirements.txt; a unit test keeps the two equal), so the project reproduces what was checked.
export const PROJECT_REQUIREMENTS: Readonly<Record<string, string>> = {
  torch: '2.13.0',
  transformers: '5.18.0',
  accelerate: '1.15.0',
  datasets: '5.0.1',
  safetensors: '0.8.0',
  numpy: '2.4.6',
  peft: '0.21.0',
  sacrebleu: '2.6.0',
};

/** What every project needs; a LoRA run's adds peft, a causal LM's with generation metrics sacrebleu. */
export const BASE_PACKAGES = ['torch', 'transformers', 'accelerate', 'datasets', 'safetensors', 'numpy'];

/** requirements.txt: every package pinned, and only those the run's scripts import. */
export function requirementsTxt(packages: readonly string[]): string {
  return `${packages.map((p) => `${p}==${PROJECT_REQUIREMENTS[p] ?? missing(p)}`).join('\n')}\n`;
}

function missing(name: string): never {
  throw new Error(`No pinned version for the Python package ${name}`);
}
