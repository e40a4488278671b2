import * as tf from '@tensorflow/tfjs-core';
import { initBackend, activeBackend } from './index';

describe('initBackend', () => {
  it('auto picks the first loadable backend and reports why in one line', async () => {
    const lines: string[] = [];
    const choice = await initBackend({ backend: 'auto', log: (l) => lines.push(l) });
    expect(['node', 'wasm', 'cpu']).toContain(choice.backend);
    expect(lines).toEqual([choice.line]);
    expect(choice.line).toMatch(/^backend: (node|wasm|cpu) \(.+\)$/);
    if (choice.backend !== 'node') expect(choice.line).toMatch(/tfjs-node (not installed|native addon missing)/);
    expect(activeBackend()).toBe(choice.backend);
  });

  it('a forced backend is used as requested', async () => {
    const choice = await initBackend({ backend: 'cpu', log: false });
    expect(choice.line).toBe('backend: cpu (requested)');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('a forced backend that cannot load is an error, not a fallback', async () => {
    let nodeAvailable = true;
    try {
      await import('@tensorflow/tfjs-node' as string);
    } catch {
      nodeAvailable = false;
    }
    if (nodeAvailable) return; // machines with the native addon: nothing to refuse
    await expect(initBackend({ backend: 'node', log: false })).rejects.toThrow(
      /^initBackend: backend "node" must be loadable, got: .+ \(install @tensorflow\/tfjs-node, or use backend "auto"\)$/,
    );
  });

  it('rejects unknown backend names', async () => {
    await expect(initBackend({ backend: 'metal' as never, log: false })).rejects.toThrow(
      'initBackend: backend must be one of auto, node, wasm, cpu, webgl, webgpu, got "metal"',
    );
  });

  it('webgl / webgpu must be imported by the application to be requested', async () => {
    await expect(initBackend({ backend: 'webgl', log: false })).rejects.toThrow(
      'initBackend: backend "webgl" must be loadable, got: not imported (install and import @tensorflow/tfjs-backend-webgl, or use backend "auto")',
    );
  });

  it('an imported webgpu that cannot start (no adapter) is an error that says so, not "install it"', async () => {
    tf.registerBackend('webgpu', () => {
      throw new Error('no WebGPU adapter');
    });
    try {
      await expect(initBackend({ backend: 'webgpu', log: false })).rejects.toThrow(
        'initBackend: backend "webgpu" must be loadable, got: backend failed to initialise (this browser or machine does not provide webgpu, or use backend "auto")',
      );
    } finally {
      tf.removeBackend('webgpu');
    }
  });

  it('auto tries an imported webgl before wasm and cpu, and reports why it moved on', async () => {
    // a registered factory stands for an imported @tensorflow/tfjs-backend-webgl without a GL context
    tf.registerBackend('webgl', () => {
      throw new Error('no GL context');
    });
    try {
      const choice = await initBackend({ log: false });
      expect(['node', 'wasm', 'cpu']).toContain(choice.backend);
      if (choice.backend !== 'node') expect(choice.reason).toMatch(/; webgl backend failed to initialise(;|$)/);
      expect(choice.reason).not.toMatch(/webgpu/); // not imported: under Node it is not listed
    } finally {
      tf.removeBackend('webgl');
    }
  });
});
