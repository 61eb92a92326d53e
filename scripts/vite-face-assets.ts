/**
 * Vite plugin for the renderer build (renderer/vite.config.ts and electron.vite.config.ts): ships
 * the face engine's files with the renderer so it never reaches the network at run time.
 *
 * - build: emits the Human models the engine uses into `<outDir>/models/` and the tfjs wasm
 *   binaries into `<outDir>/wasm/` (about 11 MB instead of Human's 28 MB: see renderer/face/assets.ts);
 * - dev server: answers `/models/*` and `/wasm/*` from node_modules.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';
import { MODELS_DIR, WASM_DIR, WASM_FILES, modelFileNames } from '../renderer/face/assets';

const require = createRequire(import.meta.url);

/** Where the files come from: Human's models/ and tfjs-backend-wasm's dist/. */
export function faceAssetSources(): { from: string; to: string }[] {
  // Human's exports map hides package.json: go up from its CommonJS entry (dist/human.node.js).
  const humanRoot = dirname(dirname(require.resolve('@vladmandic/human')));
  const wasmDist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  return [
    ...modelFileNames().map((name) => ({ from: join(humanRoot, 'models', name), to: `${MODELS_DIR}/${name}` })),
    ...WASM_FILES.map((name) => ({ from: join(wasmDist, 'dist', name), to: `${WASM_DIR}/${name}` })),
  ];
}

const CONTENT_TYPES: Record<string, string> = { '.json': 'application/json', '.bin': 'application/octet-stream', '.wasm': 'application/wasm' };

export function faceAssets(): Plugin {
  const sources = faceAssetSources();
  return {
    name: 'hall-face-assets',
    generateBundle() {
      for (const { from, to } of sources) this.emitFile({ type: 'asset', fileName: to, source: readFileSync(from) });
    },
    configureServer(server) {
      const byUrl = new Map(sources.map((s) => [`/${s.to}`, s.from]));
      server.middlewares.use((req, res, next) => {
        const file = byUrl.get((req.url ?? '').split('?', 1)[0] ?? '');
        if (!file) return next();
        res.setHeader('Content-Type', CONTENT_TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream');
        res.end(readFileSync(file));
      });
    },
  };
}
