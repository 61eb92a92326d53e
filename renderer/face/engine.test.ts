import { describe, expect, it } from 'vitest';
import { FACE_MODELS, modelFileNames } from './assets';
import { faceModelVersion, humanConfig, pickBestFace } from './engine';

describe('humanConfig', () => {
  const config = humanConfig('app://console/', 3);

  it('runs on wasm with models and binaries from our own origin', () => {
    expect(config.backend).toBe('wasm');
    expect(config.wasmPath).toBe('app://console/wasm/');
    expect(config.modelBasePath).toBe('app://console/models/');
    expect(config.cacheModels).toBe(false);
    expect(config.warmup).toBe('none'); // Human's warm-up fetches a data: URL our CSP refuses
  });

  it('loads exactly the models the build copies, and nothing else', () => {
    const face = config.face!;
    const enabled = [face.detector, face.mesh, face.description, face.antispoof, face.liveness].map((m) => m?.modelPath);
    expect(enabled.map((p) => p?.replace('.json', '')).sort()).toEqual(Object.values(FACE_MODELS).sort());
    for (const off of [face.iris, face.emotion, face.attention, face.gear, config.body, config.hand, config.object, config.segmentation, config.gesture]) {
      expect(off?.enabled).toBe(false);
    }
    expect(modelFileNames()).toHaveLength(10);
  });

  it('analyses every frame afresh (no cached results between video frames)', () => {
    expect(config.cacheSensitivity).toBe(0);
    expect(config.skipAllowed).toBe(false);
    expect(config.face!.description!.skipFrames).toBe(0);
  });

  it('names the model set a threshold is calibrated for', () => {
    expect(faceModelVersion('3.3.6')).toBe('human@3.3.6+faceres');
  });
});

describe('pickBestFace', () => {
  const face = (box: [number, number, number, number], score: number, embedding: number[] | undefined) => ({ box, score, embedding });
  it('takes the largest face that has an embedding', () => {
    const near = face([0, 0, 200, 200], 0.8, [1]);
    expect(pickBestFace([face([0, 0, 50, 50], 0.99, [1]), near, face([0, 0, 300, 300], 0.9, undefined)])).toBe(near);
    expect(pickBestFace([face([0, 0, 300, 300], 0.9, [])])).toBeNull();
    expect(pickBestFace([])).toBeNull();
  });
  it('breaks a size tie by detection score', () => {
    const better = face([0, 0, 100, 100], 0.95, [1]);
    expect(pickBestFace([face([5, 5, 100, 100], 0.7, [1]), better])).toBe(better);
  });
});
