/**
 * The clerk's one screen (screens note): queue on the left, the current ticket and intake in the
 * centre, the checklist on the right, shortcuts along the bottom. Queue, intake and receipts arrive
 * with the counter issue; this is the frame they fill.
 */
import { App, Card, Divider, Flex, Input, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import type { ScanView } from '../../../preload/contract';
import { StatusBar } from '../../components/StatusBar';
import { listenForWedgeScans, routeScan, SCAN_KIND_LABELS } from '../../lib/scans';
import { useConsole } from '../../store/console';
import { ApplicantPanel } from './ApplicantPanel';
import { FacePanel } from './FacePanel';
import { CaseDrawer } from './CaseDrawer';
import { CaseList, CasesTabLabel } from './CaseList';
import { IntakeBody, IntakeHeader, useFaceRecorded } from './IntakePanel';
import { MaterialsChecklist } from './MaterialsChecklist';
import { CurrentTicket, QUEUE_SHORTCUTS, QueuePanel } from './QueuePanel';

const SHORTCUTS = [
  ...QUEUE_SHORTCUTS,
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
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // The queue's keys (F1–F4, F7, F10) are QueuePanel's own.
      if (e.key === 'F5') {
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
  }, [readCard, setLastScan, message, openFace]);
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
  const onFaceRecorded = useFaceRecorded(useCallback(() => setFaceOpen(false), []));
  const [centerTab, setCenterTab] = useState<'intake' | 'cases'>('intake');
  return (
    <Flex vertical style={{ height: '100%' }} data-testid="counter-workspace">
      <StatusBar />
      <Flex gap={12} style={{ flex: 1, padding: 12, minHeight: 0 }}>
        <QueuePanel />
        <Card
          size="small"
          tabList={[
            { key: 'intake', label: '当前办理' },
            { key: 'cases', label: <CasesTabLabel /> },
          ]}
          activeTabKey={centerTab}
          onTabChange={(key) => setCenterTab(key as 'intake' | 'cases')}
          style={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column' }}
          styles={{ body: { flex: 1, minHeight: 0, overflow: 'auto' } }}
          data-testid="intake-panel"
        >
          <div style={{ display: centerTab === 'intake' ? 'block' : 'none' }}>
            <CurrentTicket />
            <Divider style={{ margin: '8px 0' }} />
            <IntakeHeader />
            <ApplicantPanel />
            <IntakeBody onOpenFace={openFace} />
            <FacePanel open={faceOpen} onClose={() => setFaceOpen(false)} onRecorded={onFaceRecorded} />
            <Divider style={{ margin: '10px 0' }} />
            <Flex align="center" gap={8} wrap>
              <Typography.Text strong>扫码 / 编号</Typography.Text>
              <Input placeholder="扫描号票、回执或付款码，或手工输入" allowClear data-testid="scan-field" style={{ maxWidth: 360 }} />
              {lastScan && (
                <span data-testid="last-scan">
                  <Tag color="geekblue">{SCAN_KIND_LABELS[lastScan.kind]}</Tag>
                  {lastScan.masked}
                </span>
              )}
            </Flex>
          </div>
          <div style={{ display: centerTab === 'cases' ? 'block' : 'none' }}>
            <CaseList />
          </div>
          <CaseDrawer />
        </Card>
        <MaterialsChecklist />
      </Flex>
      <Flex wrap gap={14} style={{ padding: '6px 16px', rowGap: 2, background: '#fff', borderTop: '1px solid #e5e5e5' }} data-testid="shortcuts">
        {SHORTCUTS.map(([key, label]) => (
          <span key={key}>
            <Typography.Text keyboard>{key}</Typography.Text> {label}
          </span>
        ))}
      </Flex>
    </Flex>
  );
}
