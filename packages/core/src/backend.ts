import * as tf from '@tensorflow/tfjs-core';
import { show } from './assert';
import { gradientsRegistered } from './gradients';
import { registerMatMulGradient } from './matmul';

/** A backend memrec can run on (`webgl` / `webgpu` when the application imports their package). */
export type BackendName = 'node' | 'wasm' | 'cpu' | 'webgl' | 'webgpu';

const BACKENDS: readonly BackendName[] = ['node', 'wasm', 'cpu', 'webgl', 'webgpu'];

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * `'auto'` (default) tries, in Node: node, then webgpu / webgl when imported, then wasm, then
   * cpu; in a browser or a Web Worker: webgpu, webgl (each when imported), wasm, cpu. A named
   * backend is required to load.
   */
  backend?: 'auto' | BackendName;
  /** Where the one-line report goes; `false` for silence. Default: `console.error`. */
  log?: ((line: string) => void) | false;
  /**
   * Where the wasm backend's `.wasm` files are served (a page): a URL prefix ending in `/`, or
   * one URL per file name (`tfjs-backend-wasm.wasm`, `tfjs-backend-wasm-simd.wasm`,
   * `tfjs-backend-wasm-threaded-simd.wasm`), passed to the backend's `setWasmPaths`. Unset: the
   * package's own files (Node).
   */
  wasmPaths?: string | Record<string, string>;
}

/** True under Node (where tfjs-node can exist); false in a browser or a Web Worker. */
function inNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: unknown } } }).process;
  return typeof p?.versions?.node === 'string';
}

// A computed specifier: bundlers for the browser leave it alone (tfjs-node is Node-only).
const TFJS_NODE = ['@tensorflow', 'tfjs-node'].join('/');

/** What {@link initBackend} chose and why. */
export interface BackendChoice {
  backend: BackendName;
  /** Why, e.g. `tfjs-node not installed`. */
  reason: string;
  /** The one-line report, e.g. `backend: wasm (tfjs-node not installed)`. */
  line: string;
}

function shortError(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (/Cannot find (module|package) '@tensorflow\/tfjs-node'/.test(msg)) return 'not installed';
  if (/native addon|tfjs_binding|\.node/.test(msg)) return 'native addon missing';
  return msg.split('\n')[0].slice(0, 120);
}

async function tryLoad(name: BackendName, wasmPaths: InitBackendOptions['wasmPaths']): Promise<string | null> {
  try {
    if (name === 'node') {
      if (!inNode()) return 'not available outside Node';
      await import(/* @vite-ignore */ /* webpackIgnore: true */ TFJS_NODE);
    } else if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      if (wasmPaths !== undefined && tf.findBackend('wasm') == null) wasm.setWasmPaths(wasmPaths);
    } else if (name === 'cpu') {
      await import('@tensorflow/tfjs-backend-cpu');
    } else if (tf.findBackendFactory(name) == null) {
      return 'not imported';
    }
    if (tf.findBackendFactory(name === 'node' ? 'tensorflow' : name) == null) {
      return 'backend did not register';
    }
    const ok = await tf.setBackend(name === 'node' ? 'tensorflow' : name);
    if (!ok) return 'backend failed to initialise';
    await tf.ready();
    return null;
  } catch (e) {
    return shortError(e);
  }
}

/**
 * Loads and activates a TensorFlow.js backend and reports the choice in one line.
 *
 * `'auto'` tries `@tensorflow/tfjs-node` (native, Node only), then webgpu and webgl when the
 * application has imported `@tensorflow/tfjs-backend-webgpu` / `-webgl` (memrec does not depend
 * on them; in a browser they are always listed in the report, as `not imported` when absent),
 * then `@tensorflow/tfjs-backend-wasm`, then `@tensorflow/tfjs-backend-cpu`. A named backend
 * that cannot load is an error, never a silent fallback. In a page, `wasmPaths` says where the
 * site serves the `.wasm` files. Also sets tfjs's `PROD` flag (skips debug checks and the cpu backend's
 * banner), verifies that gradients are registered and (re)installs the faster rank-2 `matMul`
 * gradient ({@link registerMatMulGradient}).
 *
 * @example
 * ```ts
 * import { initBackend } from '@memrec/core';
 * const choice = await initBackend({ backend: 'auto' });
 * // stderr: "backend: wasm (tfjs-node not installed)"
 * ```
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendChoice> {
  const requested = options.backend ?? 'auto';
  if (requested !== 'auto' && !BACKENDS.includes(requested)) {
    throw new Error(`initBackend: backend must be one of auto, ${BACKENDS.join(', ')}, got ${show(requested)}`);
  }
  const gpu = (['webgpu', 'webgl'] as const).filter((b) => !inNode() || tf.findBackendFactory(b) != null);
  const order: BackendName[] = inNode() ? ['node', ...gpu, 'wasm', 'cpu'] : [...gpu, 'wasm', 'cpu'];
  tf.env().set('PROD', true);
  if (!gradientsRegistered()) {
    throw new Error('initBackend: gradients must be registered by @memrec/core, got none (was tfjs-core loaded twice?)');
  }
  let choice: BackendChoice;
  if (requested !== 'auto') {
    const err = await tryLoad(requested, options.wasmPaths);
    if (err !== null) {
      const pkg = requested === 'node' ? '@tensorflow/tfjs-node' : `@tensorflow/tfjs-backend-${requested}`;
      const gpu = requested === 'webgl' || requested === 'webgpu';
      // imported but not started: the browser or the machine lacks it (no WebGPU adapter, no GL)
      const how = gpu && err === 'backend failed to initialise' ? `this browser or machine does not provide ${requested}` : gpu ? `install and import ${pkg}` : `install ${pkg}`;
      throw new Error(`initBackend: backend "${requested}" must be loadable, got: ${err} (${how}, or use backend "auto")`);
    }
    choice = { backend: requested, reason: 'requested', line: `backend: ${requested} (requested)` };
  } else {
    const skipped: string[] = [];
    let found: BackendName | null = null;
    for (const name of order) {
      const err = await tryLoad(name, options.wasmPaths);
      if (err === null) {
        found = name;
        break;
      }
      skipped.push(`${name === 'node' ? 'tfjs-node' : name} ${err}`);
    }
    if (found === null) throw new Error(`initBackend: no backend could be loaded: ${skipped.join('; ')}`);
    const reason = skipped.length ? skipped.join('; ') : 'native, fastest';
    choice = { backend: found, reason, line: `backend: ${found} (${reason})` };
  }
  // Loading a backend package (tfjs-node pulls in @tensorflow/tfjs, even when its native addon
  // is missing) registers tfjs's own gradients again: put the faster matMul gradient back.
  registerMatMulGradient();
  const log = options.log === undefined ? (l: string) => console.error(l) : options.log;
  if (log) log(choice.line);
  return choice;
}

/**
 * The active backend as a {@link BackendName} (`'tensorflow'` is reported as `'node'`).
 *
 * @example
 * ```ts
 * await initBackend({ backend: 'cpu', log: false });
 * activeBackend(); // 'cpu'
 * ```
 */
export function activeBackend(): BackendName {
  const b = tf.getBackend();
  return b === 'tensorflow' ? 'node' : (b as BackendName);
}
