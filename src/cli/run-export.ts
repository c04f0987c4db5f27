// `npm run export`: re-exports a sequence classifier (a Hub id or a folder, fine-tuned here or anywhere) as the
// folder the app downloads, ONNX files included, without training it. The weights go through the engine's
// loader, so bare-prefixed or MLM-shaped checkpoints come out under the names save_pretrained writes, and a
// model without a trained head is refused rather than exported with a random one.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { onnxModelFiles, type ExportFiles } from '../core/export/bundle';
import { hasOnnxExport, noOnnxReason } from '../core/export/onnx/classifier';
import type { StreamedFiles } from '../core/export/streamed-file';
import { CliError } from './fail';
import { classifierWeights } from '../core/export/classifier-weights';
import { buildClassifierConfig, configJson } from '../core/export/config';
import { formatListing } from '../core/export/listing';
import { streamSafetensors } from '../core/export/safetensors-writer';
import { tokenizerFiles } from '../core/export/tokenizer-files';
import { checkExportWeights } from '../core/export/weights-check';
import type { HFConfig } from '../core/models/types';
import type { ModelExportOptions } from './args';
import { loadAdapter, loadModel, modelFileBytes } from './load-model';
import { mergedWeights } from '../core/lora/merge';
import { trainedClassifier } from './run-predict';
import { startBackend } from './start-backend';
import { writeExportFolder } from './write-folder';

/** Files of an earlier export that describe the training; kept when the model is a local folder. */
const CARRIED_OVER = ['README.md', 'training_args.json', 'metrics.json'];

export async function runExport(o: ModelExportOptions): Promise<number> {
  await startBackend(o.backend);
  const base = await loadModel(o.model, o.hub);
  const baseConfig = base.config as HFConfig;
  // A PEFT adapter on the base: exported merged (W + scale·B·A), so the folder loads without PEFT.
  const adapter = o.adapter ? await loadAdapter(o.adapter, o.hub) : undefined;
  const { model, labels } = trainedClassifier(base, adapter);
  try {
    const weights = model.lora ? await mergedWeights(model) : await classifierWeights(model.variables);
    const architecture = model.architecture;
    const config = buildClassifierConfig(model.config, { architecture, labels, baseModelId: base.hubId });
    checkExportWeights(architecture, config, weights, labels.length);
    const encoder = new TextEncoder();
    const files: ExportFiles = new Map([['config.json', encoder.encode(configJson(config))]]);
    for (const [name, bytes] of tokenizerFiles(
      modelFileBytes(base),
      model.config,
      base.displayName,
      undefined,
      true,
    ))
      files.set(name, bytes);
    if (!o.onnxOnly && !base.hubId && !adapter) {
      for (const name of CARRIED_OVER) {
        const bytes = await readFile(join(o.model, name)).catch(() => undefined);
        if (bytes) files.set(name, new Uint8Array(bytes));
      }
    }
    // A decoder classifier has no ONNX graph here: --onnx is refused, a plain export is the transformers folder.
    if (!hasOnnxExport(architecture)) {
      if (o.onnxOnly) throw new CliError(`--onnx: ${noOnnxReason(architecture)}`);
      process.stderr.write(`note: no onnx/ files: ${noOnnxReason(architecture)}\n`);
    }
    const onnx: StreamedFiles = hasOnnxExport(architecture)
      ? onnxModelFiles({ architecture, baseConfig, labels, weights, baseModelId: base.hubId })
      : new Map();
    // Streamed from the weights as they are written, like the ONNX files: no second copy of the model.
    if (!o.onnxOnly) onnx.set('model.safetensors', streamSafetensors(weights));
    await writeExportFolder(o.out, files, onnx);
    process.stdout.write(`${formatListing(files, onnx)}\n`);
    process.stderr.write(
      `exported ${base.displayName} (${architecture}, ${labels.length} labels) to ${o.out}\n`,
    );
    return 0;
  } finally {
    model.dispose();
  }
}
