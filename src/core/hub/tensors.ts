// Weights as they come out of a checkpoint file, before any tfjs: float32 data by transformers tensor name.
export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

export type TensorMap = Map<string, HostTensor>;
