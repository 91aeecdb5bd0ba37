import { parentPort } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import type { ThreadReply, ThreadRequest } from './inference-thread.protocol.js';
import { signatureOf } from './session.signature.js';

/**
 * The body of one inference thread (started by `InferenceThreads`): it holds one onnxruntime
 * session per loaded model key and runs one request at a time, in the order they were posted, so the
 * thread's event loop, not the service's, is the one onnxruntime's synchronous `run` blocks; a run
 * posted while another runs starts as soon as that one's reply is posted. Every request gets exactly one reply
 * with its id; a failure is a reply with its message, never a thrown error.
 */
const port = parentPort;
if (!port) throw new Error('inference.thread must run in a worker thread (InferenceThreads starts it)');

const sessions = new Map<string, ort.InferenceSession>();

async function handle(request: ThreadRequest): Promise<ThreadReply> {
  switch (request.kind) {
    case 'load': {
      const session = await ort.InferenceSession.create(request.model, request.options);
      await sessions.get(request.key)?.release();
      sessions.set(request.key, session);
      return { id: request.id, ok: true, signature: signatureOf(session) };
    }
    case 'run': {
      const session = sessions.get(request.key);
      if (!session) return { id: request.id, ok: false, message: `no session "${request.key}" is loaded in this thread` };
      const input = session.inputNames[0] as string;
      const output = session.outputNames[0] as string;
      const started = performance.now();
      const out = await session.run({ [input]: new ort.Tensor('float32', request.input, request.dims) });
      // The output may view a larger native buffer, all of which postMessage would copy: send an exact copy.
      const scores = (out[output]?.data as Float32Array).slice();
      return { id: request.id, ok: true, scores, runMs: performance.now() - started };
    }
    case 'release': {
      await sessions.get(request.key)?.release();
      sessions.delete(request.key);
      return { id: request.id, ok: true };
    }
  }
}

port.on('message', (request: ThreadRequest) => {
  handle(request).then(
    (reply) => port.postMessage(reply, reply.ok && reply.scores ? [reply.scores.buffer as ArrayBuffer] : []),
    (e: unknown) => port.postMessage({ id: request.id, ok: false, message: e instanceof Error ? e.message : String(e) } satisfies ThreadReply),
  );
});
