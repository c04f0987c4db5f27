// ONNX Runtime and onnx.checker from the Python stack (test/python/requirements.txt), the independent
// consumers of the exported ONNX files: check each file, then run it on int64 inputs and return its outputs.
import { runPythonStack } from './python';

export interface OnnxRun {
  /** onnx.checker.check_model(full_check=True) passed. */
  checked: boolean;
  inputNames: string[];
  outputNames: string[];
  opset: number;
  /** Operator types in the graph, sorted, each once. */
  opTypes: string[];
  logits: number[][];
}

const SCRIPT = String.raw`
import json, sys
import numpy as np
import onnx
import onnxruntime as ort

job = json.load(sys.stdin)
out = []
for path in job["paths"]:
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    feed = {n: np.array(job["inputs"][n], dtype=np.int64) for n in names}
    (logits,) = session.run(["logits"], feed)
    out.append({
        "checked": True,
        "inputNames": names,
        "outputNames": [o.name for o in session.get_outputs()],
        "opset": next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx")),
        "opTypes": sorted({n.op_type for n in model.graph.node}),
        "logits": logits.astype(np.float64).tolist(),
    })
print(json.dumps(out))
`;

/** Checks and runs each file on the same inputs (by name; each file takes the ones its graph declares). */
export function runOnnxFiles(paths: string[], inputs: Record<string, number[][]>): OnnxRun[] {
  return runPythonStack<OnnxRun[]>(SCRIPT, { paths, inputs }, 600_000);
}
