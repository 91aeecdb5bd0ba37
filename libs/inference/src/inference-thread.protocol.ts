/** The messages between `InferenceThreads` and its threads (`inference.thread.ts`). Internal to this lib. */

/** onnxruntime session options an inference thread accepts (plain data: they cross a thread boundary). */
export interface ThreadSessionOptions {
  readonly executionProviders: readonly 'cpu'[];
  readonly intraOpNumThreads: number;
  readonly interOpNumThreads: number;
  readonly graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
}

/** One input or output of a loaded model, as onnxruntime describes it. */
export interface ValueSignature {
  readonly name: string;
  readonly isTensor: boolean;
  readonly type: string | undefined;
  readonly shape: readonly (number | string)[];
}

export interface SessionSignature {
  readonly inputs: readonly ValueSignature[];
  readonly outputs: readonly ValueSignature[];
}

export type ThreadRequest =
  | { readonly kind: 'load'; readonly id: number; readonly key: string; readonly model: Uint8Array; readonly options: ThreadSessionOptions }
  | { readonly kind: 'run'; readonly id: number; readonly key: string; readonly input: Float32Array; readonly dims: readonly number[] }
  | { readonly kind: 'release'; readonly id: number; readonly key: string };

export type ThreadReply =
  /** `runMs`: how long the run took in the thread, from its start there to its scores. */
  | { readonly id: number; readonly ok: true; readonly signature?: SessionSignature; readonly scores?: Float32Array; readonly runMs?: number }
  | { readonly id: number; readonly ok: false; readonly message: string };
