export * from './onnx-model.runner.js';
