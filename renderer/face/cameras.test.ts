import { describe, expect, it } from 'vitest';
import { CAMERA_STORAGE_KEY, cameraErrorMessage, chooseCamera, loadPreferredCameraLabel, savePreferredCameraLabel, type LabelStore } from './cameras';

const cams = [
  { deviceId: 'a', label: 'Integrated Camera' },
  { deviceId: 'b', label: 'USB 人脸摄像头 (0c45:6366)' },
];

function memoryStore(): LabelStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

describe('camera choice', () => {
  it('picks the remembered camera by label, else the first, else none', () => {
    expect(chooseCamera(cams, 'USB 人脸摄像头 (0c45:6366)')?.deviceId).toBe('b');
    expect(chooseCamera(cams, 'unplugged camera')?.deviceId).toBe('a');
    expect(chooseCamera(cams, null)?.deviceId).toBe('a');
    expect(chooseCamera([], 'x')).toBeNull();
  });

  it('remembers the label (not the device id) and ignores empty labels', () => {
    const store = memoryStore();
    expect(loadPreferredCameraLabel(store)).toBeNull();
    savePreferredCameraLabel('', store);
    expect(store.map.size).toBe(0);
    savePreferredCameraLabel('USB 人脸摄像头 (0c45:6366)', store);
    expect(store.map.get(CAMERA_STORAGE_KEY)).toBe('USB 人脸摄像头 (0c45:6366)');
    expect(loadPreferredCameraLabel(store)).toBe('USB 人脸摄像头 (0c45:6366)');
    expect(loadPreferredCameraLabel(null)).toBeNull();
  });

  it('explains getUserMedia failures in Chinese', () => {
    expect(cameraErrorMessage(new DOMException('denied', 'NotAllowedError'))).toBe('摄像头权限被拒绝');
    expect(cameraErrorMessage(new DOMException('none', 'NotFoundError'))).toBe('未找到摄像头');
    expect(cameraErrorMessage(new DOMException('busy', 'NotReadableError'))).toBe('摄像头被占用或无法打开');
    expect(cameraErrorMessage('weird')).toBe('摄像头无法打开');
  });
});
