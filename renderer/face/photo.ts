/** Reference photos (card photo, hub photo, a technician's test photo) → one face sample. */
import type { FaceEngine, FaceSample } from './engine';

export type ReferencePhoto = Blob | ImageBitmap | HTMLImageElement;

/**
 * Detect the reference face. A Blob is decoded to a bitmap that is closed right after; a bitmap or
 * image element given by the caller stays the caller's. Returns null when the photo holds no face.
 */
export async function sampleReferencePhoto(engine: FaceEngine, photo: ReferencePhoto): Promise<FaceSample | null> {
  if (photo instanceof Blob) {
    const bitmap = await createImageBitmap(photo);
    try {
      return await engine.detect(bitmap);
    } finally {
      bitmap.close();
    }
  }
  if (typeof HTMLImageElement !== 'undefined' && photo instanceof HTMLImageElement) {
    if (!photo.complete || photo.naturalWidth === 0) await photo.decode();
  }
  return engine.detect(photo);
}

/** Wait until a <video> has a frame to analyse. */
export function videoReady(video: HTMLVideoElement, timeoutMs = 5000): Promise<void> {
  if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && video.videoWidth > 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error('摄像头无画面'));
    }, timeoutMs);
    const onData = () => {
      if (video.videoWidth === 0) return;
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      video.removeEventListener('loadeddata', onData);
      video.removeEventListener('playing', onData);
    };
    video.addEventListener('loadeddata', onData);
    video.addEventListener('playing', onData);
  });
}
