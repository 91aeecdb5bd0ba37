import type ort from 'onnxruntime-node';
import type { SessionSignature, ValueSignature } from './inference-thread.protocol.js';

/** A loaded session's inputs and outputs as plain data (it crosses thread boundaries). */
export function signatureOf(session: ort.InferenceSession): SessionSignature {
  const plain = (m: ort.InferenceSession.ValueMetadata): ValueSignature => ({
    name: m.name,
    isTensor: m.isTensor,
    type: m.isTensor ? m.type : undefined,
    shape: m.isTensor ? [...m.shape] : [],
  });
  return { inputs: session.inputMetadata.map(plain), outputs: session.outputMetadata.map(plain) };
}
