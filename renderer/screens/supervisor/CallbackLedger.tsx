/**
 * 回访台账 (screens note, Supervisor: "ratings ledger with callback deadlines"): the callbacks that
 * ratings ≤ 2 opened, open ones first by fix deadline, coloured on the working-day calendar (main
 * decides the colour); closing one asks what was done. Refreshes when a pad submits a rating.
 */
import { App, Button, Card, Form, Input, Modal, Segmented, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState, type HTMLAttributes } from 'react';
import { RATING_LEVEL_LABELS, type CallbackView } from '../../../preload/case-contract';
import { hall } from '../../bridge';
import { errorText } from '../../store/errors';

type Filter = 'open' | 'closed' | 'all';

const DEADLINE_TAG: Record<CallbackView['deadlineLevel'], { color: string; text: string }> = {
  none: { color: 'default', text: '' },
  ok: { color: 'green', text: '期限内' },
  warning: { color: 'gold', text: '即将到期' },
  overdue: { color: 'red', text: '已超期' },
};

function time(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function CallbackLedger() {
  const { message } = App.useApp();
  const [filter, setFilter] = useState<Filter>('open');
  const [rows, setRows] = useState<CallbackView[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [closing, setClosing] = useState<CallbackView | null>(null);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<{ note: string }>();

  const load = useCallback(async () => {
    setLoading(true);
    const r = await hall().callbacks.list({ state: filter });
    setLoading(false);
    if (r.ok) {
      setRows(r.value);
      setError(null);
    } else setError(errorText(r.error));
  }, [filter]);
  useEffect(() => {
    void load();
    return hall().on('ratings.changed', () => void load());
  }, [load]);

  const close = async ({ note }: { note: string }) => {
    if (!closing) return;
    setSaving(true);
    const r = await hall().callbacks.close({ id: closing.id, note });
    setSaving(false);
    if (!r.ok) {
      message.error(errorText(r.error));
      return;
    }
    message.success('回访已办结');
    setClosing(null);
    form.resetFields();
    void load();
  };

  return (
    <Card
      title="回访台账（差评整改）"
      style={{ margin: 16 }}
      data-testid="callback-ledger"
      extra={
        <Segmented<Filter>
          value={filter}
          onChange={setFilter}
          options={[
            { value: 'open', label: '待回访' },
            { value: 'closed', label: '已办结' },
            { value: 'all', label: '全部' },
          ]}
          data-testid="callback-filter"
        />
      }
    >
      {error && <Typography.Text type="danger">{error}</Typography.Text>}
      <Table<CallbackView>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={rows}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: filter === 'open' ? '没有待回访的差评' : '暂无记录' }}
        onRow={(row) => ({ 'data-testid': `callback-row-${row.id}` }) as HTMLAttributes<HTMLElement>}
        columns={[
          { title: '评价时间', dataIndex: 'openedAt', render: (v: string) => time(v), width: 150 },
          { title: '窗口', dataIndex: 'counterNumber', render: (n: number | null) => (n === null ? '—' : `${n}号窗口`), width: 90 },
          { title: '办件编号', dataIndex: 'receiptNo', render: (v: string | null) => v ?? '—' },
          {
            title: '评价',
            dataIndex: 'ratingLevel',
            width: 110,
            render: (level: number) => <Tag color={level <= 1 ? 'red' : 'volcano'}>{RATING_LEVEL_LABELS[level as 1 | 2] ?? level}</Tag>,
          },
          { title: '原因', dataIndex: 'reasons', render: (rs: string[]) => (rs.length ? rs.join('、') : '—') },
          {
            title: '整改期限',
            dataIndex: 'fixDeadline',
            width: 190,
            render: (d: string, row) =>
              row.state === 'open' ? (
                <span data-testid="callback-deadline">
                  {d} <Tag color={DEADLINE_TAG[row.deadlineLevel].color}>{DEADLINE_TAG[row.deadlineLevel].text}</Tag>
                </span>
              ) : (
                <span data-testid="callback-deadline">{d}</span>
              ),
          },
          {
            title: '状态',
            dataIndex: 'state',
            width: 180,
            render: (state: CallbackView['state'], row) =>
              state === 'open' ? (
                <Tag color="blue">待回访</Tag>
              ) : (
                <span>
                  <Tag>已办结</Tag>
                  <Typography.Text type="secondary">{time(row.closedAt)}</Typography.Text>
                </span>
              ),
          },
          { title: '回访及整改情况', dataIndex: 'note', render: (v: string | null) => v ?? '', ellipsis: true },
          {
            title: '操作',
            key: 'actions',
            fixed: 'right',
            width: 100,
            render: (_: unknown, row) =>
              row.state === 'open' && (
                <Button type="link" onClick={() => setClosing(row)} data-testid="callback-close">
                  办结回访
                </Button>
              ),
          },
        ]}
      />
      <Modal
        title="办结回访"
        open={closing !== null}
        onCancel={() => setClosing(null)}
        okText="办结"
        confirmLoading={saving}
        onOk={() => form.submit()}
        destroyOnHidden
        data-testid="callback-close-dialog"
      >
        {closing && (
          <Typography.Paragraph type="secondary">
            {closing.counterNumber ? `${closing.counterNumber}号窗口 · ` : ''}
            {RATING_LEVEL_LABELS[closing.ratingLevel as 1 | 2] ?? closing.ratingLevel}
            {closing.reasons.length ? ` · ${closing.reasons.join('、')}` : ''} · 整改期限 {closing.fixDeadline}
          </Typography.Paragraph>
        )}
        <Form form={form} layout="vertical" onFinish={(v) => void close(v)} preserve={false}>
          <Form.Item name="note" label="回访及整改情况" rules={[{ required: true, whitespace: true, message: '请填写回访及整改情况' }]}>
            <Input.TextArea rows={4} maxLength={1000} showCount placeholder="例如：已电话回访申请人，说明原因并致歉；已调整高峰期窗口排班" data-testid="callback-note" />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
