/**
 * electron-vite build for the desktop console: `npx electron-vite build` → out/main, out/preload,
 * out/renderer (electron-vite's defaults; what electron-builder.yml packs). Output directories are
 * left to those defaults so `electron-vite build --outDir <dir>` can redirect all three.
 * Browser mode builds the renderer alone with renderer/vite.config.ts (also → out/renderer, base
 * './', React plugin); keep the renderer section here consistent with it.
 */
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { faceAssets } from './scripts/vite-face-assets';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      // package.json "type": "module" → ES module output, out/main/index.js (= package.json "main").
      // Runtime `dependencies` stay external and ship in the asar's node_modules; better-sqlite3 is
      // listed explicitly because it is native (unpacked from the asar, see electron-builder.yml).
      externalizeDeps: true,
      rolldownOptions: {
        input: { index: resolve(root, 'main/electron/index.ts') },
        external: ['better-sqlite3'],
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload (webPreferences.sandbox = true) can only require the electron module and a few
      // polyfilled modules: bundle every dependency (zod, the contract) into one CommonJS file.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'preload/index.ts') },
        output: {
          format: 'cjs',
          // .cjs: unambiguous CommonJS inside a "type": "module" package (main loads out/preload/index.cjs).
          entryFileNames: '[name].cjs',
          codeSplitting: false,
        },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    base: './',
    // faceAssets: the Human models and tfjs wasm binaries the face engine loads (out/renderer/models, /wasm).
    plugins: [react(), faceAssets()],
    build: {
      chunkSizeWarningLimit: 4096,
      rolldownOptions: {
        // The console, and the technician's camera self-test page (out/renderer/face/selftest.html).
        input: { index: resolve(root, 'renderer/index.html'), selftest: resolve(root, 'renderer/face/selftest.html') },
      },
    },
  },
});
