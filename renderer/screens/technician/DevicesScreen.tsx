/**
 * Technician diagnostics: every device with its health and last message, a self-test button each
 * (test print with the receipt preview, test read, test scan), reconnect, and the print queue with
 * reprint (补打).
 */
import { Alert, Button, Card, Descriptions, Flex, Image, Space, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import type { DeviceKind, DeviceTestResult, PrintJobView } from '../../../preload/contract';
import { hall } from '../../bridge';
import { errorText } from '../../store/errors';
import { useConsole } from '../../store/console';
import { DeviceConfigCard } from './DeviceConfigCard';

const HEALTH_TAG: Record<string, { color: string; text: string }> = {
  ok: { color: 'green', text: '正常' },
  warning: { color: 'orange', text: '注意' },
  error: { color: 'red', text: '故障' },
  absent: { color: 'default', text: '未连接' },
  unknown: { color: 'default', text: '未检测' },
};
const TEST_LABEL: Record<DeviceKind, string> = { printer: '测试打印', idcard: '测试读卡', scanner: '测试扫码', camera: '摄像头自检' };
const JOB_STATE: Record<PrintJobView['state'], string> = { queued: '等待打印', printing: '打印中', printed: '已打印', failed: '失败' };

/** Shown as an <img>: scripts inside an SVG image never run. */
function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

export function DevicesScreen() {
  const { devices, refreshStatus } = useConsole();
  const [result, setResult] = useState<DeviceTestResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<DeviceKind | null>(null);
  const [jobs, setJobs] = useState<PrintJobView[]>([]);

  const loadJobs = useCallback(async () => {
    const r = await hall().printer.jobs({ limit: 20 });
    if (r.ok) setJobs(r.value);
  }, []);
  useEffect(() => {
    void loadJobs();
    return hall().on('printer.job', () => void loadJobs());
  }, [loadJobs]);

  const runTest = async (kind: DeviceKind) => {
    if (kind === 'camera') {
      window.open('./face/selftest.html', '_self');
      return;
    }
    setBusy(kind);
    setError(null);
    const r = await hall().devices.test({ kind });
    setBusy(null);
    if (r.ok) setResult(r.value);
    else setError(errorText(r.error));
  };

  return (
    <Flex gap={12} style={{ padding: 12 }} align="flex-start" wrap>
      <Card
        title="设备状态"
        size="small"
        style={{ flex: '1 1 640px' }}
        data-testid="devices-table"
        extra={
          <Button size="small" onClick={() => void hall().devices.reconnect({}).then(() => refreshStatus())}>
            重新连接
          </Button>
        }
      >
        <Table
          size="small"
          pagination={false}
          rowKey="kind"
          dataSource={devices}
          columns={[
            { title: '设备', dataIndex: 'label' },
            { title: '状态', dataIndex: 'health', render: (h: string) => <Tag color={HEALTH_TAG[h]?.color}>{HEALTH_TAG[h]?.text ?? h}</Tag> },
            { title: '类型', dataIndex: 'emulated', render: (e: boolean) => (e ? <Tag color="purple">模拟</Tag> : <Tag>实体</Tag>) },
            { title: '说明', dataIndex: 'detail' },
            {
              title: '',
              dataIndex: 'kind',
              render: (kind: DeviceKind) => (
                <Button size="small" loading={busy === kind} onClick={() => void runTest(kind)} data-testid={`test-${kind}`}>
                  {TEST_LABEL[kind]}
                </Button>
              ),
            },
          ]}
        />
        {error && <Alert style={{ marginTop: 12 }} type="error" showIcon message={error} />}
        {result && (
          <Alert
            style={{ marginTop: 12 }}
            type={result.ok ? 'success' : 'warning'}
            showIcon
            message={result.message}
            data-testid="test-result"
          />
        )}
        {result?.card && (
          <Descriptions size="small" column={2} style={{ marginTop: 12 }} data-testid="test-card">
            <Descriptions.Item label="证件">{result.card.kindLabel}</Descriptions.Item>
            <Descriptions.Item label="姓名">{result.card.nameMasked}</Descriptions.Item>
            <Descriptions.Item label="证件号码">{result.card.idNumberMasked}</Descriptions.Item>
            <Descriptions.Item label="读卡用时">{result.card.readMs} 毫秒</Descriptions.Item>
          </Descriptions>
        )}
      </Card>
      <Flex vertical gap={12} style={{ flex: '1 1 420px' }}>
        {result?.previewSvg && (
          <Card title="回执预览" size="small" data-testid="receipt-preview">
            <Image src={svgDataUrl(result.previewSvg)} alt="回执预览" preview={false} style={{ maxWidth: 360, background: '#fff', boxShadow: '0 1px 4px rgba(0,0,0,.15)' }} />
          </Card>
        )}
        <Card title="打印队列" size="small" data-testid="print-jobs">
          <Table
            size="small"
            pagination={false}
            rowKey="id"
            dataSource={jobs}
            locale={{ emptyText: '暂无打印任务' }}
            columns={[
              { title: '内容', dataIndex: 'kind', render: (k: string, j) => `${k === 'test-page' ? '测试页' : k === 'acceptance-receipt' ? '受理回执' : k}${j.reference ? ` ${j.reference}` : ''}` },
              { title: '状态', dataIndex: 'state', render: (s: PrintJobView['state'], j) => <span title={j.lastError ?? ''}>{JOB_STATE[s]}</span> },
              { title: '次数', dataIndex: 'attempts' },
              {
                title: '',
                dataIndex: 'id',
                render: (id: string) => (
                  <Button size="small" onClick={() => void hall().printer.reprint({ jobId: id }).then(loadJobs)}>
                    补打
                  </Button>
                ),
              },
            ]}
          />
          <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
            打印机断开或缺纸时任务保留在队列中，恢复后自动补打。
          </Typography.Paragraph>
        </Card>
      </Flex>
      <DeviceConfigCard />
      <Space />
    </Flex>
  );
}
