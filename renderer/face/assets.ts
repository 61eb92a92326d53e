/**
 * The face engine's static files: which Human models and tfjs wasm binaries the renderer loads.
 * One list for both sides: the engine (renderer/face/engine.ts) configures Human with these names,
 * and the build plugin (scripts/vite-face-assets.ts) copies exactly these files into the renderer
 * output (`models/`, `wasm/`) so nothing is fetched from the network at run time.
 */

/** Human 3.3.6 models used for a 1:1 check (each is `<name>.json` + `<name>.bin`). */
export const FACE_MODELS = {
  detector: 'blazeface',
  /** Face mesh: refines the detector's box (and the crop faceres, antispoof and liveness see). */
  mesh: 'facemesh',
  /** HSE FaceRes: 1024-value descriptor (the embedding). */
  description: 'faceres',
  antispoof: 'antispoof',
  liveness: 'liveness',
} as const;

/**
 * tfjs-backend-wasm 4.22.0 binaries. The threaded build needs cross-origin isolation
 * (SharedArrayBuffer), which neither shell enables, so only the SIMD and plain builds ship.
 */
export const WASM_FILES = ['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm.wasm'] as const;

/** Output folders, relative to the renderer root (out/renderer). */
export const MODELS_DIR = 'models';
export const WASM_DIR = 'wasm';

/** Every model file the build must copy, relative to @vladmandic/human/models. */
export function modelFileNames(): string[] {
  return Object.values(FACE_MODELS).flatMap((name) => [`${name}.json`, `${name}.bin`]);
}
