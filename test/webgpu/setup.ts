// Gives this test process a real WebGPU device (Dawn on SwiftShader here, a real driver where there is one).
import { installNodeWebGPU } from '../../src/cli/node-webgpu';

installNodeWebGPU();
