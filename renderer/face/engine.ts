/**
 * The face engine (runs in the renderer): @vladmandic/human on the tfjs wasm backend, with the models
 * and wasm binaries the build copied next to the renderer (renderer/face/assets.ts) — never fetched
 * from the network. Gives, for one picture (a video frame, a photo), the best face with its
 * embedding, liveness and anti-spoof scores; and the similarity of two embeddings.
 *
 * Nothing here keeps or sends a picture: `detect` returns numbers only.
 * Human (2 MB of JavaScript) is imported on first use, so screens that never check a face do not load it.
 */
import type { Config, FaceResult, Human, Input } from '@vladmandic/human';
import { FACE_MODELS, MODELS_DIR, WASM_DIR } from './assets';

/** What the engine measured on one picture. No pixels. */
export interface FaceSample {
  /** FaceRes descriptor (1024 values). */
  embedding: number[];
  /** Liveness model's confidence that the face is live (0..1). */
  liveness: number | null;
  /** Anti-spoof model's confidence that the face is real, not a photo or screen (0..1). */
  antispoof: number | null;
  /** Detection confidence (0..1). */
  score: number;
  /** Face box in input pixels: x, y, width, height. */
  box: [number, number, number, number];
  /** How many faces the picture holds (the best one is returned). */
  faces: number;
  /** Time detect + embed took (ms). */
  ms: number;
}

export type FaceInput = HTMLVideoElement | HTMLImageElement | HTMLCanvasElement | OffscreenCanvas | ImageBitmap | ImageData;

export interface FaceEngine {
  /** What the scores depend on, recorded with each check (a threshold is only valid for it). */
  readonly modelVersion: string;
  /** tfjs backend actually in use ('wasm'). */
  readonly backend: string;
  /** Time to set up the backend and load the models (ms). */
  readonly setupMs: number;
  /** Time of the warm-up inference (ms). */
  readonly warmupMs: number;
  detect(input: FaceInput): Promise<FaceSample | null>;
  /** Human's normalised similarity, 0 (different) .. 1 (identical). */
  similarity(a: readonly number[], b: readonly number[]): number;
}

export interface FaceEngineOptions {
  /** URL of the renderer root that holds models/ and wasm/. Default: the folder above this bundle's chunk. */
  assetBase?: string | URL;
  /** Faces looked for in one picture (a queue behind the applicant may show). */
  maxFaces?: number;
}

/** The model set a similarity threshold is calibrated for (see drivers/camera/README.md). */
export function faceModelVersion(humanVersion: string): string {
  return `human@${humanVersion}+${FACE_MODELS.description}`;
}

/** Default asset base: built chunks live in `<root>/assets/`, the models in `<root>/models/`. */
function defaultAssetBase(): URL {
  return new URL(/* @vite-ignore */ '../', import.meta.url);
}

export function humanConfig(assetBase: string | URL, maxFaces: number): Partial<Config> {
  const base = new URL(assetBase);
  const model = (name: string) => `${name}.json`;
  const off = { enabled: false };
  return {
    backend: 'wasm',
    wasmPath: new URL(`${WASM_DIR}/`, base).href,
    modelBasePath: new URL(`${MODELS_DIR}/`, base).href,
    // No IndexedDB model cache: the files are local already, and nothing is left behind.
    cacheModels: false,
    debug: false,
    async: true,
    // Human's own warm-up fetches a data: URL, which our CSP (connect-src 'self') refuses — and then
    // never settles. createFaceEngine warms up on a blank frame instead.
    warmup: 'none',
    // Every frame is analysed afresh: no result reuse between video frames.
    cacheSensitivity: 0,
    skipAllowed: false,
    // The image filter runs on WebGL when present: off, so every machine computes the same numbers.
    filter: { enabled: false, equalization: false, flip: false },
    face: {
      enabled: true,
      detector: { modelPath: model(FACE_MODELS.detector), rotation: false, maxDetected: maxFaces, minConfidence: 0.2, skipFrames: 0, skipTime: 0, return: false },
      mesh: { enabled: true, modelPath: model(FACE_MODELS.mesh) },
      attention: off,
      iris: off,
      emotion: off,
      gear: off,
      description: { enabled: true, modelPath: model(FACE_MODELS.description), skipFrames: 0, skipTime: 0 },
      antispoof: { enabled: true, modelPath: model(FACE_MODELS.antispoof), skipFrames: 0, skipTime: 0 },
      liveness: { enabled: true, modelPath: model(FACE_MODELS.liveness), skipFrames: 0, skipTime: 0 },
    },
    body: off,
    hand: off,
    object: off,
    gesture: off,
    segmentation: off,
  };
}

/** The face to use: the largest with an embedding (the applicant is closest to the counter camera). */
export function pickBestFace<F extends Pick<FaceResult, 'box' | 'score' | 'embedding'>>(faces: readonly F[]): F | null {
  let best: F | null = null;
  let bestArea = -1;
  for (const face of faces) {
    if (!face.embedding || face.embedding.length === 0) continue;
    const area = face.box[2] * face.box[3];
    if (area > bestArea || (area === bestArea && best !== null && face.score > best.score)) {
      best = face;
      bestArea = area;
    }
  }
  return best;
}

const finiteOrNull = (v: number | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

class HumanFaceEngine implements FaceEngine {
  constructor(
    private readonly human: Human,
    readonly modelVersion: string,
    readonly backend: string,
    readonly setupMs: number,
    readonly warmupMs: number,
  ) {}

  async detect(input: FaceInput): Promise<FaceSample | null> {
    const started = performance.now();
    const result = await this.human.detect(input as Input);
    const ms = performance.now() - started;
    if (result.error) throw new Error(`face engine: ${result.error}`);
    const face = pickBestFace(result.face);
    if (!face?.embedding) return null;
    return {
      embedding: Array.from(face.embedding),
      liveness: finiteOrNull(face.live),
      antispoof: finiteOrNull(face.real),
      score: face.score,
      box: [face.box[0], face.box[1], face.box[2], face.box[3]],
      faces: result.face.length,
      ms,
    };
  }

  similarity(a: readonly number[], b: readonly number[]): number {
    if (a.length === 0 || a.length !== b.length) return 0;
    return this.human.match.similarity([...a], [...b]);
  }
}

/**
 * One detection on a blank frame: initialises the wasm kernels and the detector. The embedding and
 * liveness models first run on the first real face (the reference photo, usually).
 */
async function warmUp(human: Human): Promise<void> {
  const blank = new ImageData(new Uint8ClampedArray(256 * 256 * 4).fill(128), 256, 256);
  await human.detect(blank as Input);
}

export async function createFaceEngine(options: FaceEngineOptions = {}): Promise<FaceEngine> {
  const started = performance.now();
  const { Human } = await import('@vladmandic/human');
  const human = new Human(humanConfig(options.assetBase ?? defaultAssetBase(), options.maxFaces ?? 3));
  await human.load();
  const backend = human.tf.getBackend();
  if (backend !== 'wasm') throw new Error(`face engine: wasm backend unavailable (got ${String(backend)})`);
  const loaded = performance.now();
  await warmUp(human);
  const warmed = performance.now();
  return new HumanFaceEngine(human, faceModelVersion(human.version), backend, loaded - started, warmed - loaded);
}

let shared: Promise<FaceEngine> | null = null;

/** One engine per page (models take ~11 MB of memory); a failed load may be retried. */
export function getFaceEngine(options?: FaceEngineOptions): Promise<FaceEngine> {
  if (!shared) {
    shared = createFaceEngine(options);
    shared.catch(() => {
      shared = null;
    });
  }
  return shared;
}
