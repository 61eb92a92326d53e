/**
 * The clerk's one screen (screens note): queue on the left, the current ticket and intake in the
 * centre, the checklist on the right, shortcuts along the bottom. Queue, intake and receipts arrive
 * with the counter issue; this is the frame they fill.
 */
import { App, Button, Card, Divider, Empty, Flex, Input, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import type { ScanView } from '../../../preload/contract';
import { StatusBar } from '../../components/StatusBar';
import { listenForWedgeScans, routeScan, SCAN_KIND_LABELS } from '../../lib/scans';
import { useConsole } from '../../store/console';
import { ApplicantPanel } from './ApplicantPanel';
import { FacePanel } from './FacePanel';
import { CurrentTicket, QueuePanel, useQueueAction } from './QueuePanel';

const SHORTCUTS = [
  ['F1', '叫号'],
  ['F2', '重呼'],
  ['F3', '过号'],
  ['F4', '转窗'],
  ['F5', '读卡'],
  ['F6', '人脸'],
  ['F8', '受理'],
  ['F9', '打印'],
  ['Esc', '取消'],
] as const;

/** F5 reads the card; HID POS scans from main and wedge scans from the keyboard land in the focused field or show what they are. */
function useCounterInputs(openFace: () => void) {
  const { message } = App.useApp();
  const { readCard, setLastScan, lastScan } = useConsole();
  const act = useQueueAction();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const queueKeys: Record<string, 'call' | 'recall' | 'skip'> = { F1: 'call', F2: 'recall', F3: 'skip' };
      if (queueKeys[e.key]) {
        e.preventDefault();
        void act(queueKeys[e.key]!);
      } else if (e.key === 'F5') {
        e.preventDefault(); // never reload the console
        void readCard();
      } else if (e.key === 'F6') {
        e.preventDefault();
        openFace();
      }
    };
    const onAction = (scan: ScanView) => {
      setLastScan(scan);
      message.info(`已扫描${SCAN_KIND_LABELS[scan.kind]}：${scan.masked}`);
    };
    window.addEventListener('keydown', onKey);
    const detach = listenForWedgeScans(window, onAction);
    return () => {
      window.removeEventListener('keydown', onKey);
      detach();
    };
  }, [readCard, setLastScan, message, openFace, act]);
  // HID POS scans arrive as events (store.lastScan); route each once.
  useEffect(() => {
    if (lastScan?.source === 'hidpos') routeScan(lastScan, document, () => message.info(`已扫描${SCAN_KIND_LABELS[lastScan.kind]}：${lastScan.masked}`));
  }, [lastScan, message]);
}

export function CounterWorkspace() {
  const [faceOpen, setFaceOpen] = useState(false);
  const openFace = useCallback(() => setFaceOpen(true), []);
  useCounterInputs(openFace);
  const lastScan = useConsole((s) => s.lastScan);
  return (
    <Flex vertical style={{ height: '100%' }} data-testid="counter-workspace">
      <StatusBar />
      <Flex gap={12} style={{ flex: 1, padding: 12, minHeight: 0 }}>
        <QueuePanel />
        <Card title="当前办理" size="small" style={{ flex: 1, overflow: 'auto' }} data-testid="intake-panel">
          <CurrentTicket />
          <Divider style={{ margin: '12px 0' }} />
          <ApplicantPanel />
          <Button style={{ marginTop: 8 }} onClick={openFace} data-testid="open-face">
            F6 人脸比对
          </Button>
          <FacePanel open={faceOpen} onClose={() => setFaceOpen(false)} />
          <Divider style={{ margin: '12px 0' }} />
          <Flex vertical gap={8}>
            <Typography.Text strong>扫码 / 编号</Typography.Text>
            <Input placeholder="扫描号票、回执或付款码，或手工输入" allowClear data-testid="scan-field" style={{ maxWidth: 420 }} />
            {lastScan && (
              <span data-testid="last-scan">
                <Tag color="geekblue">{SCAN_KIND_LABELS[lastScan.kind]}</Tag>
                {lastScan.masked}
              </span>
            )}
          </Flex>
        </Card>
        <Card title="材料清单" size="small" style={{ width: 300 }} data-testid="checklist-panel">
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="选择办理事项后显示所需材料" />
        </Card>
      </Flex>
      <Flex gap={16} style={{ padding: '6px 16px', background: '#fff', borderTop: '1px solid #e5e5e5' }} data-testid="shortcuts">
        {SHORTCUTS.map(([key, label]) => (
          <span key={key}>
            <Typography.Text keyboard>{key}</Typography.Text> {label}
          </span>
        ))}
      </Flex>
    </Flex>
  );
}
