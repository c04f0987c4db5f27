// Our safetensors writer against the specification: round trip through the reader bit for bit, the header's
// layout checked field by field, and an independent reading of the file in Python (struct + json + torch).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSafetensors, readSafetensorsHeader } from '../../src/core/hub/safetensors';
import type { TensorMap } from '../../src/core/hub/tensors';
import {
  SafetensorsWriteError,
  safetensorsOrder,
  writeSafetensors,
} from '../../src/core/export/safetensors-writer';
import { runPython } from '../support/reference';
import { sharedPath } from '../support/shared';

function bits(data: Float32Array): Uint32Array {
  return new Uint32Array(data.buffer, data.byteOffset, data.length);
}

function expectSameTensors(actual: TensorMap, expected: TensorMap): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [name, tensor] of expected) {
    const got = actual.get(name)!;
    expect(got.shape, name).toEqual(tensor.shape);
    expect(bits(got.data), name).toEqual(bits(tensor.data));
  }
}

/** Checks the layout the specification asks for and returns the parsed header. */
function checkLayout(file: Uint8Array, tensors: TensorMap) {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  expect((8 + headerLength) % 8).toBe(0);
  const headerText = new TextDecoder().decode(file.subarray(8, 8 + headerLength));
  expect(headerText.startsWith('{')).toBe(true);
  // Only spaces may follow the JSON object.
  expect(headerText.slice(headerText.lastIndexOf('}') + 1)).toMatch(/^ *$/);
  const header = JSON.parse(headerText) as Record<string, unknown>;
  expect(header.__metadata__).toEqual({ format: 'pt' });
  let expectedOffset = 0;
  for (const name of safetensorsOrder(tensors)) {
    const entry = header[name] as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const tensor = tensors.get(name)!;
    expect(entry.dtype).toBe('F32');
    expect(entry.shape).toEqual(tensor.shape);
    expect(entry.data_offsets).toEqual([expectedOffset, expectedOffset + tensor.data.length * 4]);
    expectedOffset += tensor.data.length * 4;
  }
  expect(Object.keys(header).length).toBe(tensors.size + 1);
  expect(file.byteLength).toBe(8 + headerLength + expectedOffset);
  return header;
}

describe('writeSafetensors', () => {
  it('writes special values, scalars and empty tensors that read back bit for bit', () => {
    const tensors: TensorMap = new Map([
      [
        'z.last',
        { shape: [2, 3], data: new Float32Array([0, -0, 1.5e-45, -3.4028234e38, Infinity, -Infinity]) },
      ],
      ['a.scalar', { shape: [], data: new Float32Array([0.1]) }],
      ['m.empty', { shape: [0, 4], data: new Float32Array(0) }],
      // A name a plain-object header would have swallowed as its prototype.
      ['__proto__', { shape: [1], data: new Float32Array([2]) }],
    ]);
    const file = writeSafetensors(tensors);
    checkLayout(file, tensors);
    expectSameTensors(readSafetensors(file), tensors);
    expect(readSafetensorsHeader(file).metadata).toEqual({ format: 'pt' });
  });

  it('round-trips any set of tensors, laid out in name order with aligned data', () => {
    const tensorArb = fc
      .array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 3 })
      .chain((shape) =>
        fc
          .float32Array({
            minLength: shape.reduce((a, b) => a * b, 1),
            maxLength: shape.reduce((a, b) => a * b, 1),
            noNaN: true,
          })
          .map((data) => ({ shape, data })),
      );
    const mapArb = fc
      .dictionary(
        fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s !== '__metadata__'),
        tensorArb,
        {
          maxKeys: 6,
        },
      )
      .map((record) => new Map(Object.entries(record)) as TensorMap);
    fc.assert(
      fc.property(mapArb, (tensors) => {
        const file = writeSafetensors(tensors);
        checkLayout(file, tensors);
        expectSameTensors(readSafetensors(file), tensors);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps a subarray view’s own values, not its whole buffer', () => {
    const backing = new Float32Array([9, 1, 2, 3, 9]);
    const tensors: TensorMap = new Map([['w', { shape: [3], data: backing.subarray(1, 4) }]]);
    expect([...readSafetensors(writeSafetensors(tensors)).get('w')!.data]).toEqual([1, 2, 3]);
  });

  it('refuses data that does not fit the shape, and reserved names, naming the tensor', () => {
    const bad: TensorMap = new Map([['bert.x', { shape: [2, 2], data: new Float32Array(3) }]]);
    expect(() => writeSafetensors(bad)).toThrow(SafetensorsWriteError);
    expect(() => writeSafetensors(bad)).toThrow(/bert\.x has shape \[2, 2\] \(4 values\) but holds 3/);
    const reserved: TensorMap = new Map([['__metadata__', { shape: [1], data: new Float32Array(1) }]]);
    expect(() => writeSafetensors(reserved)).toThrow(/__metadata__/);
    const fractional: TensorMap = new Map([['w', { shape: [1.5], data: new Float32Array(1) }]]);
    expect(() => writeSafetensors(fractional)).toThrow(/w has an invalid shape/);
  });
});

// A reader written from the specification alone, plus torch: checks the rules and compares every tensor with
// the fixture file that refbert.py wrote (an independent writer).
const PYTHON_CHECK = `
import json, struct, sys, torch
def parse(path):
    raw = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', raw[:8])
    assert (8 + n) % 8 == 0, 'data does not start 8-byte aligned'
    text = raw[8:8 + n].decode('utf-8')
    header = json.loads(text)
    assert text.rstrip(' ').endswith('}'), 'the header is padded with something other than spaces'
    meta = header.pop('__metadata__', None)
    data = raw[8 + n:]
    spans = sorted(tuple(v['data_offsets']) for v in header.values())
    at = 0
    for a, b in spans:
        assert a == at, 'offsets are not contiguous'
        at = b
    assert at == len(data), 'offsets do not cover the data exactly'
    out = {}
    for name, v in header.items():
        a, b = v['data_offsets']
        assert v['dtype'] == 'F32'
        t = torch.frombuffer(bytearray(data[a:b]), dtype=torch.float32).reshape(v['shape'])
        out[name] = t
    return meta, out
meta, ours = parse(sys.argv[1])
_, theirs = parse(sys.argv[2])
assert meta == {'format': 'pt'}, meta
assert sorted(ours) == sorted(theirs), 'tensor names differ'
for name in theirs:
    assert torch.equal(ours[name], theirs[name]), name
print(json.dumps({'tensors': len(ours), 'values': sum(t.numel() for t in ours.values())}))
`;

describe('an exported safetensors file read by Python', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'webtune-st-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('holds exactly the fixture classifier’s tensors', async () => {
    const fixture = sharedPath('models', 'webtune--tiny-random-distilbert-cls', 'model.safetensors');
    const tensors = readSafetensors(new Uint8Array(readFileSync(fixture)));
    const ours = join(dir, 'model.safetensors');
    await writeFile(ours, writeSafetensors(tensors));
    const result = JSON.parse(await runPython(['-c', PYTHON_CHECK, ours, fixture])) as {
      tensors: number;
      values: number;
    };
    expect(result.tensors).toBe(tensors.size);
    expect(result.values).toBe([...tensors.values()].reduce((a, t) => a + t.data.length, 0));
  });
});
