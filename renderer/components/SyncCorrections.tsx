/**
 * 待更正 (issue 6; docs/sync.md "Needs correction"): the status bar's red tag when the hub rejected
 * uploads that nobody has settled; it opens a drawer listing each one (type, receipt or ticket number,
 * the hub's reason in Chinese when known, else as sent) with 重新提交 and 标记已处理 (asks why). Main
 * decides who may see and settle which row; nothing personal is shown.
 */
import { Alert, App, Button, Drawer, Empty, Form, Input, List, Modal, Space, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import type { SyncStatus } from '../../preload/contract';
import type { SyncCorrection } from '../../preload/sync-contract';
import { hall } from '../bridge';
import { errorText } from '../store/errors';

function time(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function SyncCorrectionsTag({ sync }: { sync: SyncStatus | null }) {
  const [open, setOpen] = useState(false);
  const n = sync?.needsCorrection ?? 0;
  if (n === 0 && !open) return null;
  return (
    <>
      {n > 0 && (
        <Tag color="red" data-testid="status-corrections" style={{ cursor: 'pointer', marginInlineEnd: 0 }} onClick={() => setOpen(true)} role="button" tabIndex={0} onKeyDown={(e) => e.key === 'Enter' && setOpen(true)}>
          待更正 {n}
        </Tag>
      )}
      <SyncCorrectionsDrawer open={open} onClose={() => setOpen(false)} count={n} />
    </>
  );
}

export function SyncCorrectionsDrawer({ open, onClose, count }: { open: boolean; onClose: () => void; count: number }) {
  const { message } = App.useApp();
  const [rows, setRows] = useState<SyncCorrection[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<{ type: 'success' | 'error'; text: string } | null>(null);
  const [busySeq, setBusySeq] = useState<number | null>(null);
  const [dismissing, setDismissing] = useState<SyncCorrection | null>(null);
  const [form] = Form.useForm<{ reason: string }>();

  const load = useCallback(async () => {
    setLoading(true);
    const r = await hall().sync.corrections({});
    setLoading(false);
    if (r.ok) {
      setRows(r.value.rows);
      setError(null);
    } else setError(errorText(r.error));
  }, []);
  useEffect(() => {
    if (open) void load();
  }, [open, load, count]);

  const resend = async (row: SyncCorrection) => {
    setBusySeq(row.seq);
    const r = await hall().sync.resend({ seq: row.seq });
    setBusySeq(null);
    if (r.ok) setResult({ type: 'success', text: `已重新提交（${row.typeLabel}${row.reference ? ` ${row.reference}` : ''}），联网后自动上传` });
    else setResult({ type: 'error', text: errorText(r.error) });
    void load();
  };
  const dismiss = async ({ reason }: { reason: string }) => {
    if (!dismissing) return;
    const row = dismissing;
    setBusySeq(row.seq);
    const r = await hall().sync.dismiss({ seq: row.seq, reason });
    setBusySeq(null);
    if (!r.ok) {
      message.error(errorText(r.error));
      return;
    }
    setDismissing(null);
    form.resetFields();
    setResult({ type: 'success', text: `已标记为已处理（${row.typeLabel}${row.reference ? ` ${row.reference}` : ''}）` });
    void load();
  };

  return (
    <Drawer title="待更正的上传记录" open={open} onClose={onClose} size={560} data-testid="corrections-drawer" destroyOnHidden>
      <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
        中心平台拒收了下列记录。若是平台规则或本机时钟的问题已解决，点“重新提交”；若办件数据有误，请先在办件中更正，再将此条“标记已处理”。
      </Typography.Paragraph>
      {result && <Alert type={result.type} showIcon title={result.text} closable onClose={() => setResult(null)} style={{ marginBottom: 12 }} data-testid="corrections-result" />}
      {error && <Alert type="warning" showIcon title={error} style={{ marginBottom: 12 }} />}
      <List<SyncCorrection>
        loading={loading}
        dataSource={rows}
        locale={{ emptyText: <Empty description="没有待更正的记录" /> }}
        renderItem={(row) => (
          <List.Item
            data-testid={`correction-${row.seq}`}
            actions={[
              <Button key="resend" type="primary" size="small" loading={busySeq === row.seq} onClick={() => void resend(row)} data-testid={`correction-resend-${row.seq}`}>
                重新提交
              </Button>,
              <Button key="dismiss" size="small" disabled={busySeq === row.seq} onClick={() => setDismissing(row)} data-testid={`correction-dismiss-${row.seq}`}>
                标记已处理
              </Button>,
            ]}
          >
            <List.Item.Meta
              title={
                <Space size={8} wrap>
                  <Tag color="blue">{row.typeLabel}</Tag>
                  <Typography.Text style={{ fontFamily: 'ui-monospace, Consolas, monospace', fontSize: 12 }}>{row.reference ?? `记录 #${row.seq}`}</Typography.Text>
                  {row.counterNumber !== null && <Typography.Text type="secondary">{row.counterNumber}号窗口</Typography.Text>}
                </Space>
              }
              description={
                <Space direction="vertical" size={2}>
                  <Typography.Text type="danger">{row.reasonText ?? row.reason}</Typography.Text>
                  {row.reasonText && (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      平台原因：{row.reason}
                    </Typography.Text>
                  )}
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    记录于 {time(row.createdAt)} · 拒收于 {time(row.rejectedAt)}
                  </Typography.Text>
                </Space>
              }
            />
          </List.Item>
        )}
      />
      <Modal
        title="标记已处理"
        open={dismissing !== null}
        onCancel={() => setDismissing(null)}
        onOk={() => form.submit()}
        okText="确定"
        cancelText="取消"
        confirmLoading={dismissing !== null && busySeq === dismissing.seq}
        destroyOnHidden
      >
        <Typography.Paragraph>此记录将不再上传，处理原因会记入审计日志。</Typography.Paragraph>
        <Form form={form} layout="vertical" onFinish={(v) => void dismiss(v)} preserve={false}>
          <Form.Item name="reason" label="处理原因" rules={[{ required: true, whitespace: true, message: '请填写处理原因' }, { max: 200, message: '不超过200字' }]}>
            <Input.TextArea rows={3} maxLength={200} showCount data-testid="correction-dismiss-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </Drawer>
  );
}
