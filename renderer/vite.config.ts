import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { faceAssets } from '../scripts/vite-face-assets';

/** Renderer build for browser mode (headless host) and e2e; electron-vite builds the same root for Electron. */
export default defineConfig({
  root: resolve(import.meta.dirname),
  base: './',
  // faceAssets: the Human models and tfjs wasm binaries the face engine loads (out/renderer/models, /wasm).
  plugins: [react(), faceAssets()],
  build: {
    outDir: resolve(import.meta.dirname, '../out/renderer'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
    rolldownOptions: {
      // The console, and the technician's camera self-test page (served at /face/selftest.html).
      input: { index: resolve(import.meta.dirname, 'index.html'), selftest: resolve(import.meta.dirname, 'face/selftest.html') },
    },
  },
});
