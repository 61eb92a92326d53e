/**
 * Switch each device between its emulator and real hardware (串口 / HID / 网络 / USB). Saved in the
 * console's settings, applied at the next start (the running devices keep working until then).
 */
import { Alert, Button, Card, Flex, Form, Input, InputNumber, Select, Tag } from 'antd';
import { useEffect, useState } from 'react';
import type { DevicesConfig } from '../../../preload/contract';
import { hall } from '../../bridge';
import { errorText } from '../../store/errors';

type Kind = keyof DevicesConfig;
const MODES: Record<Kind, { value: string; label: string }[]> = {
  idcard: [
    { value: 'emulated', label: '模拟读卡器' },
    { value: 'serial', label: '串口（115200）' },
    { value: 'hid', label: 'HID 读卡器' },
  ],
  scanner: [
    { value: 'emulated', label: '模拟扫码枪' },
    { value: 'hid', label: 'HID POS 扫码枪' },
  ],
  printer: [
    { value: 'emulated', label: '模拟打印机' },
    { value: 'tcp', label: '网络打印机（9100）' },
    { value: 'usb-printer', label: 'USB 打印机（/dev/usb/lp*）' },
    { value: 'serial', label: '串口打印机' },
  ],
};
const LABELS: Record<Kind, string> = { idcard: '读卡器', scanner: '扫码枪', printer: '打印机' };

const hex = (n: number | undefined) => (n === undefined ? '' : `0x${n.toString(16).padStart(4, '0')}`);
const parseHex = (s: string) => Number.parseInt(s.replace(/^0x/i, ''), 16);

function DeviceFields({ kind, value, onChange }: { kind: Kind; value: Record<string, unknown>; onChange(v: Record<string, unknown>): void }) {
  const set = (k: string, v: unknown) => onChange({ ...value, [k]: v });
  const mode = value.mode as string;
  return (
    <Flex gap={8} wrap align="center" data-testid={`config-${kind}`}>
      <span style={{ width: 56 }}>{LABELS[kind]}</span>
      <Select style={{ width: 200 }} value={mode} options={MODES[kind]} onChange={(m) => onChange({ mode: m })} />
      {(mode === 'serial' || mode === 'hid' || mode === 'usb-printer') && (
        <Input style={{ width: 180 }} placeholder={mode === 'usb-printer' ? '/dev/usb/lp0' : mode === 'serial' ? '/dev/ttyUSB0 或 COM3' : 'HID 设备路径'} value={(value.path as string) ?? ''} onChange={(e) => set('path', e.target.value)} />
      )}
      {mode === 'serial' && <InputNumber style={{ width: 110 }} placeholder="波特率" value={(value.baudRate as number) ?? 115200} onChange={(v) => set('baudRate', v ?? 115200)} />}
      {mode === 'hid' && (
        <>
          <Input style={{ width: 90 }} placeholder="VID 0x0c2e" defaultValue={hex(value.vendorId as number | undefined)} onChange={(e) => set('vendorId', parseHex(e.target.value))} />
          <Input style={{ width: 90 }} placeholder="PID" defaultValue={hex(value.productId as number | undefined)} onChange={(e) => set('productId', parseHex(e.target.value))} />
        </>
      )}
      {mode === 'tcp' && (
        <>
          <Input style={{ width: 160 }} placeholder="打印机地址" value={(value.host as string) ?? ''} onChange={(e) => set('host', e.target.value)} />
          <InputNumber style={{ width: 90 }} placeholder="端口" value={(value.port as number) ?? 9100} onChange={(v) => set('port', v ?? 9100)} />
        </>
      )}
    </Flex>
  );
}

export function DeviceConfigCard() {
  const [draft, setDraft] = useState<Record<Kind, Record<string, unknown>> | null>(null);
  const [running, setRunning] = useState<DevicesConfig | null>(null);
  const [saved, setSaved] = useState<DevicesConfig | null>(null);
  const [message, setMessage] = useState<{ type: 'success' | 'error'; text: string } | null>(null);

  useEffect(() => {
    void hall()
      .devices.config({})
      .then((r) => {
        if (!r.ok) return;
        setDraft(r.value.saved as unknown as Record<Kind, Record<string, unknown>>);
        setRunning(r.value.running);
        setSaved(r.value.saved);
      });
  }, []);

  if (!draft) return null;
  const pending = saved && running && JSON.stringify(saved) !== JSON.stringify(running);
  const save = async () => {
    const r = await hall().devices.configure({ config: draft as unknown as DevicesConfig });
    if (r.ok) {
      setSaved(r.value.saved);
      setMessage({ type: 'success', text: '设备配置已保存，重启工作台后生效' });
    } else setMessage({ type: 'error', text: r.error.code === 'bad_input' ? `配置不完整：${r.error.message.replace(/^devices\.configure: /, '')}` : errorText(r.error) });
  };
  return (
    <Card title="设备接入" size="small" extra={pending && <Tag color="orange">已保存，待重启生效</Tag>} style={{ flex: '1 1 640px' }} data-testid="device-config">
      <Form component={false}>
        <Flex vertical gap={8}>
          {(Object.keys(MODES) as Kind[]).map((kind) => (
            <DeviceFields key={kind} kind={kind} value={draft[kind]} onChange={(v) => setDraft({ ...draft, [kind]: v })} />
          ))}
          <Flex gap={8} align="center">
            <Button type="primary" onClick={() => void save()} data-testid="save-device-config">
              保存配置
            </Button>
            {message && <Alert type={message.type} showIcon message={message.text} style={{ padding: '2px 8px' }} />}
          </Flex>
        </Flex>
      </Form>
    </Card>
  );
}
