/**
 * What the self-test page exposes on `window.hallFaceSelftest`: the engine's figures and a way to
 * measure a photo given as bytes, so a technician's script (and our calibration and e2e runs) can
 * check the engine in the real browser without a camera. Numbers in, numbers out; nothing kept.
 */
import { getFaceEngine, type FaceSample } from './engine';
import { sampleReferencePhoto, videoReady } from './photo';

export interface EngineFigures {
  modelVersion: string;
  backend: string;
  setupMs: number;
  warmupMs: number;
}

export interface FaceSelftestHook {
  engine(): Promise<EngineFigures>;
  /** Detect the best face in an encoded image (JPEG/PNG bytes, base64). */
  samplePhoto(base64: string, type?: string): Promise<FaceSample | null>;
  /** Detect the best face in the current frame of the page's camera preview. */
  sampleVideo(): Promise<FaceSample | null>;
  similarity(a: readonly number[], b: readonly number[]): Promise<number>;
}

declare global {
  interface Window {
    hallFaceSelftest?: FaceSelftestHook;
  }
}

function bytesFromBase64(base64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

export function installSelftestHook(): void {
  window.hallFaceSelftest = {
    async engine() {
      const e = await getFaceEngine();
      return { modelVersion: e.modelVersion, backend: e.backend, setupMs: e.setupMs, warmupMs: e.warmupMs };
    },
    async samplePhoto(base64, type = 'image/jpeg') {
      return sampleReferencePhoto(await getFaceEngine(), new Blob([bytesFromBase64(base64)], { type }));
    },
    async sampleVideo() {
      const video = document.querySelector<HTMLVideoElement>('video[data-testid="face-video"]');
      if (!video) throw new Error('no camera preview on this page');
      await videoReady(video);
      return (await getFaceEngine()).detect(video);
    },
    async similarity(a, b) {
      return (await getFaceEngine()).similarity(a, b);
    },
  };
}
