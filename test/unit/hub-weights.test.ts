import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localFolderSource } from '../../src/cli/local-source';
import { ModelLoadError } from '../../src/core/hub/errors';
import { loadWeights } from '../../src/core/hub/load';
import { readPytorchBin } from '../../src/core/hub/pytorch-bin';
import { readSafetensors } from '../../src/core/hub/safetensors';
import type { TensorMap } from '../../src/core/hub/tensors';
import { unpickleStateDict } from '../../src/core/hub/unpickle';
import { startHubMirror, type HubMirror } from '../support/hub-mirror';
import { sharedModelDir } from '../support/shared';
import { SYSTEM_PYTHON, writeTorchFixtures, type TorchFixtures } from '../support/torch-fixtures';
import { hubSource } from '../../src/core/hub/http-source';

const FIXTURE = 'webtune/tiny-random-roberta-cls';
const fixtureFile = () => join(sharedModelDir(FIXTURE), 'model.safetensors');

function expectSameTensors(actual: TensorMap, expected: TensorMap) {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [name, tensor] of expected) {
    const got = actual.get(name)!;
    expect(got.shape, name).toEqual(tensor.shape);
    expect(got.data.length, name).toBe(tensor.data.length);
    // Bit-exact: compare as integers so that -0 / NaN cannot hide a difference.
    expect(
      Buffer.compare(Buffer.from(got.data.slice().buffer), Buffer.from(tensor.data.slice().buffer)),
      name,
    ).toBe(0);
  }
}

describe('checkpoint formats written by PyTorch', () => {
  let torch: TorchFixtures;
  let hub: HubMirror;
  let reference: TensorMap;

  beforeAll(async () => {
    torch = writeTorchFixtures(fixtureFile());
    for (const folder of ['bin', 'sharded', 'hostile']) {
      copyFileSync(join(sharedModelDir(FIXTURE), 'config.json'), join(torch.dir, folder, 'config.json'));
    }
    hub = await startHubMirror({
      repos: {
        'test/bin': join(torch.dir, 'bin'),
        'test/sharded': join(torch.dir, 'sharded'),
        'test/hostile': join(torch.dir, 'hostile'),
      },
    });
    reference = readSafetensors(new Uint8Array(readFileSync(fixtureFile())));
  }, 60_000);
  afterAll(async () => {
    await hub?.close();
    if (torch) rmSync(torch.dir, { recursive: true, force: true });
  });

  const read = (path: string) => new Uint8Array(readFileSync(join(torch.dir, path)));

  it('reads a pytorch_model.bin from torch.save, through the mirror, as exactly the safetensors tensors', async () => {
    const { weights, weightFiles } = await loadWeights(hubSource('test/bin', { endpoint: hub.url }));
    expect(weightFiles).toEqual(['pytorch_model.bin']);
    expectSameTensors(weights, reference);
    // It looked for the safetensors first, then took the .bin.
    expect(hub.requests.filter((r) => r.includes('/test/bin/'))).toEqual([
      'GET /test/bin/resolve/main/model.safetensors',
      'GET /test/bin/resolve/main/model.safetensors.index.json',
      'GET /test/bin/resolve/main/pytorch_model.bin',
    ]);
  });

  it("reads PyTorch's legacy (pre-1.6, non-zip) format as the same tensors", () => {
    expectSameTensors(readPytorchBin(read('legacy/pytorch_model.bin')), reference);
  });

  it('reads a sharded safetensors checkpoint through its index', async () => {
    const { weights, weightFiles } = await loadWeights(hubSource('test/sharded', { endpoint: hub.url }));
    expect(weightFiles).toEqual([
      'model-00001-of-00003.safetensors',
      'model-00002-of-00003.safetensors',
      'model-00003-of-00003.safetensors',
    ]);
    expectSameTensors(weights, reference);
  });

  it('converts F16 and BF16 safetensors and .bin storages to float32 exactly as torch rounds them', () => {
    for (const dtype of ['f16', 'bf16']) {
      const expected = readSafetensors(read(`${dtype}-as-f32/model.safetensors`));
      expectSameTensors(readSafetensors(read(`${dtype}/model.safetensors`)), expected);
      expectSameTensors(readPytorchBin(read(`bin-${dtype}/pytorch_model.bin`)), expected);
      // And the rounding is small: within half a unit in the last place of the format.
      const tolerance = dtype === 'f16' ? 2 ** -11 : 2 ** -8;
      let worst = 0;
      for (const [name, tensor] of expected) {
        const original = reference.get(name)!.data;
        tensor.data.forEach((v, i) => {
          worst = Math.max(worst, Math.abs(v - original[i]!) / (Math.abs(original[i]!) * tolerance + 1e-7));
        });
      }
      expect(worst).toBeLessThanOrEqual(1);
      expect(worst).toBeGreaterThan(0); // the values really were rounded
    }
  });

  it('reads strided views that share a storage (a transpose, a strided slice) in row-major order', () => {
    const expected = JSON.parse(readFileSync(join(torch.dir, 'strided/strided.json'), 'utf8')) as Record<
      string,
      { shape: number[]; data: number[] }
    >;
    for (const file of ['strided/pytorch_model.bin', 'strided/legacy.bin']) {
      const tensors = readPytorchBin(read(file), file);
      expect(tensors.size).toBe(Object.keys(expected).length);
      for (const [name, { shape, data }] of Object.entries(expected)) {
        expect(tensors.get(name)?.shape).toEqual(shape);
        expect([...tensors.get(name)!.data]).toEqual(data.map(Math.fround));
      }
    }
  });

  it('refuses a pickle that calls os.system, naming the model, the file and the global, and runs nothing', async () => {
    const error = await loadWeights(hubSource('test/hostile', { endpoint: hub.url })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ModelLoadError).code).toBe('unsafe-pickle');
    expect((error as Error).message).toMatch(/test\/hostile/);
    expect((error as Error).message).toMatch(/pytorch_model\.bin/);
    expect((error as Error).message).toMatch(/refusing to load posix\.system/);
    expect(existsSync(torch.marker)).toBe(false);
    // The pickle is really hostile: torch.load (1.13, no weights_only) runs the command.
    const load = 'import sys, torch; torch.load(sys.argv[1])';
    execFileSync(SYSTEM_PYTHON, ['-c', load, join(torch.dir, 'hostile/pytorch_model.bin')]);
    expect(existsSync(torch.marker)).toBe(true);
  });
});

describe('the unpickler refuses what a state dict does not need', () => {
  const pickle = (...parts: (number[] | string)[]) =>
    new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...new TextEncoder().encode(p)] : p)));

  it('refuses unknown globals by GLOBAL and STACK_GLOBAL before calling anything', () => {
    expect(() => unpickleStateDict(pickle([0x80, 2], 'cbuiltins\neval\n'), 'x.pkl')).toThrow(
      /x\.pkl: refusing to load builtins\.eval/,
    );
    const stackGlobal = pickle([0x80, 4, 0x8c, 2], 'os', [0x8c, 6], 'system', [0x93]);
    expect(() => unpickleStateDict(stackGlobal, 'y.pkl')).toThrow(/refusing to load os\.system/);
  });

  it('refuses opcodes that build arbitrary objects, and allowed globals used as functions they are not', () => {
    expect(() => unpickleStateDict(pickle([0x80, 2, 0x81]), 'z.pkl')).toThrow(/opcode NEWOBJ is not allowed/);
    expect(() =>
      unpickleStateDict(pickle([0x80, 2], 'ctorch\nFloatStorage\n', [0x29, 0x52, 0x2e]), 'w.pkl'),
    ).toThrow(/torch\.FloatStorage cannot be called/);
  });

  it('reads plain data: dicts, lists, tuples, ints, floats, strings', () => {
    // {'a': [1, -2, 3.5], 'b': ('x', True, None)} as pickled by protocol 2.
    const bytes = pickle(
      [0x80, 2, 0x7d, 0x28, 0x58, 1, 0, 0, 0],
      'a',
      [0x5d, 0x28, 0x4b, 1, 0x4a, 0xfe, 0xff, 0xff, 0xff, 0x47, 0x40, 0x0c, 0, 0, 0, 0, 0, 0, 0x65],
      [0x58, 1, 0, 0, 0],
      'b',
      [0x58, 1, 0, 0, 0],
      'x',
      [0x88, 0x4e, 0x87, 0x75, 0x2e],
    );
    expect(unpickleStateDict(bytes, 'p.pkl')).toEqual(
      new Map<unknown, unknown>([
        ['a', [1, -2, 3.5]],
        ['b', ['x', true, null]],
      ]),
    );
  });

  it('says when a .bin is not a checkpoint, a cut legacy file, or a zip without data.pkl', () => {
    expect(() => readPytorchBin(new TextEncoder().encode('<html>Not Found</html>'), 'odd.bin')).toThrow(
      /odd\.bin is neither a zip archive .* nor PyTorch's legacy format/,
    );
    expect(() => readPytorchBin(new Uint8Array([0x80, 2, 0x8a, 0x0a]), 'cut.bin')).toThrow(
      /cut\.bin \(legacy format\): the pickle ends in the middle of an instruction/,
    );
    expect(() => readPytorchBin(zipSync({ 'a/readme.txt': new Uint8Array(1) }), 'odd.bin')).toThrow(
      /no <name>\/data\.pkl/,
    );
  });
});

describe('local folders', () => {
  it('loads the weights of a fixture folder as its safetensors', async () => {
    const { weights } = await loadWeights(localFolderSource(sharedModelDir(FIXTURE)));
    expectSameTensors(weights, readSafetensors(new Uint8Array(readFileSync(fixtureFile()))));
  });
});
