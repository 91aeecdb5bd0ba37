export { OnnxModelRunner, type InferenceResult, type RunnerOptions } from './onnx-model.runner.js';
export { InferenceThreads, MAX_INFERENCE_THREADS } from './inference.threads.js';
