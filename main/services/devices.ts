/**
 * Device health as the console reports it to the status bar. Until the device registry lands
 * (drivers/registry.ts, hardware issue) every kind reports what is configured: emulated devices are
 * "ok · 模拟", real ones "unknown · 未检测".
 */
import { DEVICE_KINDS, type DeviceKind, type DeviceStatus } from '../../preload/contract';
import type { Clock } from '../domain/clock';

const LABELS: Record<DeviceKind, string> = {
  idcard: '读卡器',
  camera: '摄像头',
  scanner: '扫码枪',
  printer: '打印机',
};

export class DeviceStatusService {
  constructor(
    private readonly emulated: boolean,
    private readonly clock: Clock,
  ) {}

  list(): DeviceStatus[] {
    const updatedAt = this.clock().toISOString();
    return DEVICE_KINDS.map((kind) => ({
      kind,
      label: LABELS[kind],
      health: this.emulated ? 'ok' : 'unknown',
      emulated: this.emulated,
      detail: this.emulated ? '模拟设备' : '未检测',
      updatedAt,
    }));
  }
}
