export { OnnxModelRunner } from './onnx-model.runner.js';
