import { defineConfig } from 'vite';

/**
 * The playground's static build: `index.html` and its module, two Web Workers (training and
 * file parsing) and the TensorFlow.js wasm backend's `.wasm` files as assets, with relative
 * URLs so the folder can be served from any path.
 */
export default defineConfig({
  base: './',
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 4096,
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
