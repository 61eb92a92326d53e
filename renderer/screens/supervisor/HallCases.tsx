/**
 * 全厅办件 (issue 6; docs/sync.md "Hall-wide cases"): every console's cases as the hub's hall_cases
 * feed tells them, for the supervisor station (setting sync.hallCases). Filters by state, counter and
 * deadline colour; overdue and due-soon cases first with the clerk's list colours. No applicant data:
 * the feed never carries any.
 */
import { Alert, Button, Card, Flex, Select, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState, type HTMLAttributes } from 'react';
import { CASE_STATE_LABELS, CASE_STATE_NAMES, type CaseStateName } from '../../../preload/case-contract';
import type { HallCaseList, HallCaseRow } from '../../../preload/sync-contract';
import { hall } from '../../bridge';
import { useConsole } from '../../store/console';
import { errorText } from '../../store/errors';
import { CASE_STATE_COLORS, DEADLINE_ROW_BG, DEADLINE_TAG } from '../clerk/case-labels';

function time(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

const columns = [
  {
    title: '受理编号',
    dataIndex: 'receiptNo',
    width: 200,
    render: (no: string | null) => <Typography.Text style={{ fontSize: 12, fontFamily: 'ui-monospace, Consolas, monospace' }}>{no ?? '—'}</Typography.Text>,
  },
  { title: '事项', dataIndex: 'serviceItemName', ellipsis: true, render: (name: string | null, row: HallCaseRow) => name ?? row.serviceItemCode ?? '—' },
  { title: '状态', dataIndex: 'stateLabel', width: 90, render: (label: string, row: HallCaseRow) => <Tag color={row.state ? CASE_STATE_COLORS[row.state] : 'default'}>{label}</Tag> },
  { title: '窗口', dataIndex: 'counterNumber', width: 80, render: (n: number | null, row: HallCaseRow) => (n !== null ? `${n}号窗口` : (row.counterId ?? '—')) },
  { title: '终端', dataIndex: 'consoleId', width: 120, ellipsis: true },
  { title: '受理时间', dataIndex: 'acceptedAt', width: 100, render: (v: string | null) => time(v) },
  { title: '更新', dataIndex: 'updatedAt', width: 100, render: (v: string) => time(v) },
  {
    title: '期限',
    dataIndex: 'deadline',
    width: 140,
    render: (deadline: string | null, row: HallCaseRow) => (
      <span>
        {deadline ?? '—'}
        {DEADLINE_TAG[row.deadlineLevel].text && (
          <Tag color={DEADLINE_TAG[row.deadlineLevel].color} style={{ marginInlineStart: 4 }}>
            {DEADLINE_TAG[row.deadlineLevel].text}
          </Tag>
        )}
        {row.tolerated && <Tag color="orange">容缺</Tag>}
      </span>
    ),
  },
];

export function HallCases() {
  const { counters } = useConsole();
  const [state, setState] = useState<CaseStateName | undefined>();
  const [counterId, setCounterId] = useState<string | undefined>();
  const [level, setLevel] = useState<'warning' | 'overdue' | undefined>();
  const [list, setList] = useState<HallCaseList | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    const r = await hall().hallCases.list({ state, counterId, deadlineLevel: level, limit: 200 });
    setLoading(false);
    if (r.ok) {
      setList(r.value);
      setError(null);
    } else setError(errorText(r.error));
  }, [state, counterId, level]);
  useEffect(() => {
    void load();
    return hall().on('sync.changed', () => void load());
  }, [load]);

  return (
    <Card
      title="全厅办件"
      style={{ margin: 16 }}
      data-testid="hall-cases"
      extra={
        <Typography.Text type="secondary" data-testid="hall-cases-synced">
          {list?.syncedAt ? `数据更新于 ${time(list.syncedAt)}` : '尚未同步'}
        </Typography.Text>
      }
    >
      {list && !list.enabled && <Alert type="info" showIcon title="本机不是主管工作站，未下载全厅办件（设置 sync.hallCases）" style={{ marginBottom: 12 }} />}
      {error && <Alert type="warning" showIcon title={error} action={<Button size="small" onClick={() => void load()}>重试</Button>} style={{ marginBottom: 12 }} />}
      <Flex gap={8} wrap style={{ marginBottom: 12 }}>
        <Select<CaseStateName>
          allowClear
          placeholder="全部状态"
          style={{ width: 140 }}
          value={state}
          onChange={setState}
          options={CASE_STATE_NAMES.map((s) => ({ value: s, label: CASE_STATE_LABELS[s] }))}
          data-testid="hall-cases-state"
        />
        <Select<string>
          allowClear
          placeholder="全部窗口"
          style={{ width: 160 }}
          value={counterId}
          onChange={setCounterId}
          options={counters.map((c) => ({ value: c.id, label: `${c.number}号窗口 · ${c.name}` }))}
          data-testid="hall-cases-counter"
        />
        <Select<'warning' | 'overdue'>
          allowClear
          placeholder="全部期限"
          style={{ width: 120 }}
          value={level}
          onChange={setLevel}
          options={[
            { value: 'overdue', label: '超期' },
            { value: 'warning', label: '临期' },
          ]}
        />
      </Flex>
      <Table<HallCaseRow>
        size="small"
        rowKey="caseId"
        columns={columns}
        dataSource={list?.rows ?? []}
        loading={loading}
        pagination={false}
        tableLayout="fixed"
        locale={{ emptyText: '没有符合条件的办件' }}
        onRow={(row) =>
          ({ style: { background: DEADLINE_ROW_BG[row.deadlineLevel] }, 'data-testid': `hall-case-${row.receiptNo ?? row.caseId}`, 'data-level': row.deadlineLevel }) as HTMLAttributes<HTMLElement>
        }
      />
      {list?.hasMore && <Typography.Text type="secondary">只显示前 200 条，请用筛选缩小范围</Typography.Text>}
    </Card>
  );
}
