/**
 * 办件 (the second tab of the centre): today's figures, filters (state, 临期 / 超期 / 容缺逾期, dates,
 * 办件编号) and the cases with their deadline colours (yellow 临期, red 超期), refreshed when main
 * says a case changed. A row opens the case drawer.
 */
import { Alert, Badge, Button, DatePicker, Flex, Form, Input, Segmented, Select, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect } from 'react';
import { CASE_STATE_NAMES, type CaseRow } from '../../../preload/case-contract';
import { hall } from '../../bridge';
import { fromIsoDate, shortTime, toIsoDate } from '../../lib/dates';
import { formatFen } from '../../lib/money';
import { useCases, type QuickFilter } from '../../store/cases';
import { CASE_STATE_COLORS, CASE_STATE_TEXT, DEADLINE_ROW_BG, DEADLINE_TAG, FEE_TEXT } from './case-labels';
import { TodaySummary } from './TodaySummary';

/** Keeps the list and the figures current: loads once, then on every `cases.changed`. */
export function useCasesLive(): void {
  useEffect(() => {
    const cases = useCases.getState();
    void cases.refresh();
    void cases.refreshSummary();
    const off = hall().on('cases.changed', ({ caseId }) => useCases.getState().onChanged(caseId));
    return () => {
      off();
      useCases.setState({ rows: [], hasMore: false, summary: null, openId: null, detail: null, detailError: null });
    };
  }, []);
}

/** The tab's label: how many open cases need attention. */
export function CasesTabLabel() {
  const summary = useCases((s) => s.summary);
  const warn = summary?.openWarning ?? 0;
  const overdue = (summary?.openOverdue ?? 0) + (summary?.commitmentsOverdue ?? 0);
  return (
    <span data-testid="cases-tab">
      办件
      {overdue > 0 && <Badge count={overdue} size="small" style={{ marginInlineStart: 6 }} title={`${overdue} 件超期或容缺逾期`} />}
      {warn > 0 && <Badge count={warn} size="small" color="#faad14" style={{ marginInlineStart: 4 }} title={`${warn} 件临期`} />}
    </span>
  );
}

const QUICK: { value: QuickFilter; label: string }[] = [
  { value: 'all', label: '全部' },
  { value: 'warning', label: '临期' },
  { value: 'overdue', label: '超期' },
  { value: 'commitmentOverdue', label: '容缺逾期' },
];

function Filters() {
  const filters = useCases((s) => s.filters);
  const setFilters = useCases((s) => s.setFilters);
  const [form] = Form.useForm<{ receiptNo: string }>();
  const submitReceipt = () =>
    void form.validateFields().then(
      ({ receiptNo }) => setFilters({ receiptNo: receiptNo ?? '' }),
      () => undefined,
    );
  return (
    <Flex vertical gap={6} style={{ margin: '8px 0' }}>
      <Flex gap={8} wrap align="center">
        <Segmented size="small" value={filters.quick} options={QUICK} onChange={(quick) => setFilters({ quick: quick as QuickFilter })} data-testid="case-quick-filter" />
        <Select
          size="small"
          value={filters.scope}
          onChange={(scope) => setFilters({ scope })}
          options={[
            { value: 'counter', label: '本窗口' },
            { value: 'mine', label: '我受理的' },
            { value: 'hall', label: '全大厅' },
          ]}
          style={{ width: 96 }}
          aria-label="范围"
        />
        <DatePicker.RangePicker
          size="small"
          value={[fromIsoDate(filters.from), fromIsoDate(filters.to)]}
          onChange={(range) => setFilters({ from: toIsoDate(range?.[0]), to: toIsoDate(range?.[1]) })}
          allowEmpty={[true, true]}
          placeholder={['受理开始日期', '结束日期']}
          style={{ width: 240 }}
        />
      </Flex>
      <Flex gap={8} wrap align="flex-start">
        <Select
          size="small"
          mode="multiple"
          allowClear
          value={filters.states}
          onChange={(states) => setFilters({ states })}
          options={CASE_STATE_NAMES.filter((s) => s !== 'draft').map((s) => ({ value: s, label: CASE_STATE_TEXT[s] }))}
          placeholder="办件状态（全部）"
          maxTagCount="responsive"
          style={{ width: 260 }}
          data-testid="case-state-filter"
        />
        <Form form={form} layout="inline" onFinish={submitReceipt} initialValues={{ receiptNo: filters.receiptNo }}>
          <Form.Item
            name="receiptNo"
            style={{ marginInlineEnd: 0 }}
            rules={[
              { max: 64, message: '办件编号最多 64 个字符' },
              { pattern: /^[A-Za-z0-9-]*$/, message: '办件编号只含字母、数字和“-”' },
            ]}
          >
            <Input.Search size="small" allowClear placeholder="办件编号（可扫描回执）" onSearch={submitReceipt} style={{ width: 260 }} data-testid="case-receipt-filter" />
          </Form.Item>
        </Form>
      </Flex>
    </Flex>
  );
}

const columns: ColumnsType<CaseRow> = [
  {
    title: '办件编号',
    dataIndex: 'receiptNo',
    width: 196,
    render: (no: string, row) => (
      <Tooltip title={`受理时间 ${shortTime(row.createdAt)}`}>
        <Typography.Text style={{ fontSize: 12, fontFamily: 'ui-monospace, Consolas, monospace' }}>{no}</Typography.Text>
      </Tooltip>
    ),
  },
  { title: '事项', dataIndex: 'serviceItemName', ellipsis: true },
  { title: '申请人', dataIndex: 'applicantMasked', width: 72, render: (v: string | null) => v ?? '—' },
  {
    title: '状态',
    dataIndex: 'stateLabel',
    width: 84,
    render: (label: string, row) => <Tag color={CASE_STATE_COLORS[row.state]}>{label}</Tag>,
  },
  {
    title: '期限',
    dataIndex: 'deadline',
    width: 120,
    render: (deadline: string | null, row) => (
      <Flex vertical gap={2}>
        <span>
          {deadline ?? '—'}
          {DEADLINE_TAG[row.deadlineLevel].text && (
            <Tag color={DEADLINE_TAG[row.deadlineLevel].color} style={{ marginInlineStart: 4 }}>
              {DEADLINE_TAG[row.deadlineLevel].text}
            </Tag>
          )}
        </span>
        {row.tolerated && (
          <Tag color={row.commitmentOverdue ? 'red' : 'orange'} style={{ width: 'fit-content' }}>
            容缺{row.commitmentOverdue ? '逾期' : ''} {row.commitmentDeadline ?? ''}
          </Tag>
        )}
      </Flex>
    ),
  },
  {
    title: '费用',
    dataIndex: 'feeTotalFen',
    width: 88,
    render: (fen: number, row) =>
      row.feeStatus === 'none' ? (
        <Typography.Text type="secondary">免费</Typography.Text>
      ) : (
        <Flex vertical>
          <span>{formatFen(fen)}</span>
          <Typography.Text type={row.feeStatus === 'paid' ? 'success' : 'warning'} style={{ fontSize: 12 }}>
            {FEE_TEXT[row.feeStatus]}
          </Typography.Text>
        </Flex>
      ),
  },
];

export function CaseList() {
  useCasesLive();
  const rows = useCases((s) => s.rows);
  const hasMore = useCases((s) => s.hasMore);
  const loading = useCases((s) => s.loading);
  const error = useCases((s) => s.error);
  const openId = useCases((s) => s.openId);
  const { open, loadMore, refresh } = useCases.getState();
  return (
    <div data-testid="case-list">
      <TodaySummary />
      <Filters />
      {error && <Alert type="warning" showIcon title={error} action={<Button size="small" onClick={() => void refresh()}>重试</Button>} style={{ marginBottom: 8 }} />}
      <Table<CaseRow>
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={rows}
        loading={loading}
        pagination={false}
        tableLayout="fixed"
        locale={{ emptyText: '没有符合条件的办件' }}
        onRow={(row) => ({
          onClick: () => void open(row.id),
          onKeyDown: (e) => e.key === 'Enter' && void open(row.id),
          tabIndex: 0,
          style: { cursor: 'pointer', background: row.id === openId ? '#e6f4ff' : DEADLINE_ROW_BG[row.deadlineLevel] },
          'data-testid': `case-row-${row.receiptNo}`,
          'data-level': row.deadlineLevel,
        })}
      />
      {hasMore && (
        <Button block size="small" style={{ marginTop: 8 }} onClick={() => void loadMore()} loading={loading}>
          加载更多
        </Button>
      )}
    </div>
  );
}
