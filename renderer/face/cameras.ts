/**
 * Cameras for the face check: list them, remember the counter's choice (by device label: device ids
 * change between sessions and origins, labels do not), start and stop a stream.
 */

export interface CameraInfo {
  deviceId: string;
  label: string;
}

export const CAMERA_STORAGE_KEY = 'hall.face.camera';

/** Minimal storage surface (window.localStorage in the page; a map in tests). */
export interface LabelStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function defaultStore(): LabelStore | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage disabled
  }
}

export function loadPreferredCameraLabel(store: LabelStore | null = defaultStore()): string | null {
  const label = store?.getItem(CAMERA_STORAGE_KEY);
  return label ? label : null;
}

export function savePreferredCameraLabel(label: string, store: LabelStore | null = defaultStore()): void {
  if (label) store?.setItem(CAMERA_STORAGE_KEY, label);
}

/** The remembered camera if it is plugged in, else the first one; null when there is none. */
export function chooseCamera(cameras: readonly CameraInfo[], preferredLabel: string | null): CameraInfo | null {
  if (preferredLabel) {
    const match = cameras.find((c) => c.label === preferredLabel);
    if (match) return match;
  }
  return cameras[0] ?? null;
}

/**
 * Video inputs. Labels are empty until the page has been granted the camera once: call after a
 * stream has started (startCamera) to get them.
 */
export async function listCameras(): Promise<CameraInfo[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices
    .filter((d) => d.kind === 'videoinput')
    .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `摄像头 ${i + 1}` }));
}

export interface StartCameraOptions {
  deviceId?: string | null;
  width?: number;
  height?: number;
}

export async function startCamera({ deviceId, width = 640, height = 480 }: StartCameraOptions = {}): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) throw new Error('此环境不支持摄像头');
  return navigator.mediaDevices.getUserMedia({
    audio: false,
    video: {
      ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
      width: { ideal: width },
      height: { ideal: height },
    },
  });
}

export function stopCamera(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

/** The label of the camera a stream plays (to remember it). */
export function streamCameraLabel(stream: MediaStream): string | null {
  return stream.getVideoTracks()[0]?.label || null;
}

/** Plain-language message for a getUserMedia failure. */
export function cameraErrorMessage(err: unknown): string {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return '摄像头权限被拒绝';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return '未找到摄像头';
    case 'NotReadableError':
    case 'AbortError':
      return '摄像头被占用或无法打开';
    default:
      return err instanceof Error && err.message ? `摄像头无法打开：${err.message}` : '摄像头无法打开';
  }
}
