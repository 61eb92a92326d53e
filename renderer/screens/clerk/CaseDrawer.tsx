/**
 * One case (`cases.get`): what was decided and when, the audit trail, materials, fees and payment
 * (scan the payer's code: `cases.pay`), the next steps main allows (撤件 / 不予许可 ask a reason,
 * 暂停 asks 补正 / 听证 / 鉴定), and each document: 打印 (补打 when printed before, F9) and 导出PDF.
 */
import { Alert, App, Button, Descriptions, Divider, Drawer, Empty, Flex, Form, Input, List, Modal, Popconfirm, Radio, Space, Spin, Tag, Timeline, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  CASE_ACTION_LABELS,
  CASE_ACTIONS,
  DOCUMENT_LABELS,
  MATERIAL_STATUS_LABELS,
  type CaseDetail,
  type DocumentKind,
} from '../../../preload/case-contract';
import { hall } from '../../bridge';
import { fullTime } from '../../lib/dates';
import { textRules } from '../../lib/form-rules';
import { formatFen } from '../../lib/money';
import { SCAN_KIND_LABELS } from '../../lib/scans';
import { useCases } from '../../store/cases';
import { useConsole } from '../../store/console';
import { errorText } from '../../store/errors';
import { CASE_STATE_COLORS, CASE_STATE_TEXT, DEADLINE_TAG, MATERIAL_STATUS_COLORS, PAUSE_REASONS } from './case-labels';
import { RevealPersonal } from './RevealPersonal';

type CaseAction = (typeof CASE_ACTIONS)[number];
const isCaseAction = (a: string): a is CaseAction => (CASE_ACTIONS as readonly string[]).includes(a);
/** Steps that need a reason (legal or destructive). */
const NEEDS_REASON: readonly CaseAction[] = ['withdraw', 'deny'];
const PAYMENT_SCANS = new Set(['wechat_pay', 'alipay', 'unionpay']);

/** Save a base64 PDF as a file through a Blob URL (no data: URL in the page). */
function downloadBase64(fileName: string, base64: string): void {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

function ActionDialog({ detail, action, onClose }: { detail: CaseDetail; action: CaseAction | null; onClose(): void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ reason?: string; pauseReason?: 'correction' | 'hearing' | 'appraisal' }>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setError(null), [action]);
  if (!action) return null;
  const submit = async (v: { reason?: string; pauseReason?: 'correction' | 'hearing' | 'appraisal' }) => {
    setBusy(true);
    const r = await hall().cases.act({ id: detail.id, action, ...(v.reason?.trim() ? { reason: v.reason.trim() } : {}), ...(v.pauseReason ? { pauseReason: v.pauseReason } : {}) });
    setBusy(false);
    if (!r.ok) return setError(errorText(r.error));
    useCases.getState().showDetail(r.value);
    message.success(`${CASE_ACTION_LABELS[action]}：已完成`);
    onClose();
  };
  return (
    <Modal
      open
      title={`${CASE_ACTION_LABELS[action]} · ${detail.receiptNo}`}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={`确认${CASE_ACTION_LABELS[action]}`}
      okButtonProps={{ danger: NEEDS_REASON.includes(action), loading: busy }}
      cancelText="取消 (Esc)"
      destroyOnHidden
      data-testid="case-action-dialog"
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} preserve={false}>
        {action === 'pause' && (
          <Form.Item name="pauseReason" label="暂停原因（期限停止计算）" rules={[{ required: true, message: '请选择暂停原因：补正、听证或鉴定' }]}>
            <Radio.Group optionType="button" options={PAUSE_REASONS.map((p) => ({ value: p.value, label: p.label }))} />
          </Form.Item>
        )}
        <Form.Item name="reason" label={action === 'pause' ? '说明（可不填）' : '原因'} rules={textRules('原因', 1000, NEEDS_REASON.includes(action))}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} autoFocus data-testid="case-action-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function Payment({ detail }: { detail: CaseDetail }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ scanText: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const lastScan = useConsole((s) => s.lastScan);
  const seenScan = useRef(lastScan);

  const pay = useCallback(
    async (scanText: string) => {
      setBusy(true);
      const r = await hall().cases.pay({ id: detail.id, scanText });
      setBusy(false);
      form.resetFields();
      if (!r.ok) return setError(errorText(r.error));
      setError(null);
      useCases.getState().showDetail(r.value);
      message.success('缴费成功');
    },
    [detail.id, form, message],
  );

  // A payment code scanned while this case waits for payment pays it (wedge or HID POS scanner).
  useEffect(() => {
    if (!lastScan || lastScan === seenScan.current) return;
    seenScan.current = lastScan;
    if (detail.feeStatus === 'unpaid' && PAYMENT_SCANS.has(lastScan.kind) && !busy) {
      message.info(`已扫描${SCAN_KIND_LABELS[lastScan.kind]}：${lastScan.masked}，正在收款…`);
      void pay(lastScan.text);
    }
  }, [lastScan, detail.feeStatus, busy, pay, message]);

  if (detail.feeStatus === 'none') return <Typography.Text type="secondary">本事项不收费</Typography.Text>;
  return (
    <>
      <List
        size="small"
        dataSource={detail.fees}
        renderItem={(f) => (
          <List.Item style={{ paddingInline: 0 }}>
            <span>{f.name}</span>
            <span>{formatFen(f.amountFen)}</span>
          </List.Item>
        )}
        footer={
          <Flex justify="space-between">
            <Typography.Text strong>合计</Typography.Text>
            <Typography.Text strong data-testid="case-fee-total">
              {formatFen(detail.feeTotalFen)}
            </Typography.Text>
          </Flex>
        }
      />
      {detail.feeStatus === 'paid' ? (
        <Alert type="success" showIcon title={`已缴费 · ${detail.paidAt ? fullTime(detail.paidAt) : ''}${detail.paidVia ? ` · ${detail.paidVia}` : ''}`} data-testid="case-paid" />
      ) : (
        <>
          <Typography.Paragraph type="secondary" style={{ margin: '4px 0' }}>
            缴款码 {detail.paymentCode ?? '—'}：申请人可扫描缴款通知上的二维码缴费，或出示付款码由窗口扫码收款。
          </Typography.Paragraph>
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 8 }} data-testid="pay-error" />}
          <Form form={form} layout="inline" onFinish={({ scanText }) => void pay(scanText.trim())}>
            <Form.Item
              name="scanText"
              style={{ flex: 1, marginInlineEnd: 8 }}
              rules={[
                { required: true, whitespace: true, message: '请扫描缴款人的付款码' },
                { max: 4096, message: '付款码内容过长' },
              ]}
            >
              <Input placeholder="扫描缴款人的付款码（微信 / 支付宝 / 云闪付）" autoComplete="off" data-testid="pay-scan" />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={busy}>
              收款
            </Button>
          </Form>
        </>
      )}
    </>
  );
}

function Documents({ detail }: { detail: CaseDetail }) {
  const { message } = App.useApp();
  const [printed, setPrinted] = useState<Set<DocumentKind>>(new Set());
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void hall()
      .printer.jobs({ limit: 200 })
      .then((r) => {
        if (live && r.ok) setPrinted(new Set(r.value.filter((j) => j.reference === detail.receiptNo).map((j) => j.kind as DocumentKind)));
      });
    return () => {
      live = false;
    };
  }, [detail.receiptNo]);

  const print = useCallback(
    async (kind: DocumentKind) => {
      setBusy(`print:${kind}`);
      const r = await hall().cases.print({ id: detail.id, kind });
      setBusy(null);
      if (!r.ok) return void message.warning(errorText(r.error));
      setPrinted((s) => new Set([...s, kind]));
      message.success(r.value.state === 'failed' ? `${DOCUMENT_LABELS[kind]}未能打印：${r.value.lastError ?? '打印机故障'}，已保存，排除故障后可补打` : `${DOCUMENT_LABELS[kind]}已发送打印`);
    },
    [detail.id, message],
  );

  const pdf = async (kind: DocumentKind) => {
    setBusy(`pdf:${kind}`);
    const r = await hall().cases.pdf({ id: detail.id, kind });
    setBusy(null);
    if (!r.ok) return void message.warning(errorText(r.error));
    downloadBase64(r.value.fileName, r.value.base64);
    message.success(`已导出 ${r.value.fileName}`);
  };

  // F9 prints the case's first document while the drawer is open.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'F9' || !detail.documents[0]) return;
      e.preventDefault();
      void print(detail.documents[0]);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [detail.documents, print]);

  if (detail.documents.length === 0) return <Typography.Text type="secondary">暂无文书</Typography.Text>;
  return (
    <List
      size="small"
      dataSource={detail.documents}
      data-testid="case-documents"
      renderItem={(kind, i) => (
        <List.Item style={{ paddingInline: 0 }}>
          <span>{DOCUMENT_LABELS[kind]}</span>
          <Space size={4}>
            <Button size="small" loading={busy === `print:${kind}`} onClick={() => void print(kind)} data-testid={`print-${kind}`}>
              {i === 0 ? 'F9 ' : ''}
              {printed.has(kind) ? '补打' : '打印'}
            </Button>
            <Button size="small" loading={busy === `pdf:${kind}`} onClick={() => void pdf(kind)} data-testid={`pdf-${kind}`}>
              导出PDF
            </Button>
          </Space>
        </List.Item>
      )}
    />
  );
}

function Actions({ detail }: { detail: CaseDetail }) {
  const { message } = App.useApp();
  const [dialog, setDialog] = useState<CaseAction | null>(null);
  const actions = detail.actions.filter(isCaseAction);
  if (actions.length === 0) return null;
  const direct = async (action: CaseAction) => {
    const r = await hall().cases.act({ id: detail.id, action });
    if (!r.ok) return void message.warning(errorText(r.error));
    useCases.getState().showDetail(r.value);
    message.success(`${CASE_ACTION_LABELS[action]}：已完成`);
  };
  return (
    <>
      <Flex wrap gap={6} data-testid="case-actions">
        {actions.map((action) =>
          NEEDS_REASON.includes(action) || action === 'pause' ? (
            <Button key={action} size="small" danger={NEEDS_REASON.includes(action)} onClick={() => setDialog(action)} data-testid={`case-act-${action}`}>
              {CASE_ACTION_LABELS[action]}…
            </Button>
          ) : (
            <Popconfirm key={action} title={`确定${CASE_ACTION_LABELS[action]}？`} okText="确定" cancelText="取消" onConfirm={() => direct(action)}>
              <Button size="small" type={action === 'approve' || action === 'complete' ? 'primary' : 'default'} data-testid={`case-act-${action}`}>
                {CASE_ACTION_LABELS[action]}
              </Button>
            </Popconfirm>
          ),
        )}
      </Flex>
      <ActionDialog detail={detail} action={dialog} onClose={() => setDialog(null)} />
    </>
  );
}

function Body({ detail }: { detail: CaseDetail }) {
  const level = DEADLINE_TAG[detail.deadlineLevel];
  return (
    <>
      <Descriptions size="small" column={2} bordered data-testid="case-facts">
        <Descriptions.Item label="事项" span={2}>
          {detail.serviceItemName}（{detail.serviceItemCode}）
        </Descriptions.Item>
        <Descriptions.Item label="申请人">{detail.applicantMasked ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="代办人">{detail.agentMasked ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="受理时间">{fullTime(detail.createdAt)}</Descriptions.Item>
        <Descriptions.Item label="窗口">{detail.counterNumber ? `${detail.counterNumber}号窗口` : '—'}</Descriptions.Item>
        <Descriptions.Item label="办理期限">
          {detail.deadline ?? '—'}
          {level.text && (
            <Tag color={level.color} style={{ marginInlineStart: 6 }}>
              {level.text}
            </Tag>
          )}
        </Descriptions.Item>
        <Descriptions.Item label="容缺">
          {detail.tolerated ? (
            <Tag color={detail.commitmentOverdue ? 'red' : 'orange'}>
              承诺 {detail.commitmentDeadline ?? '—'} 前补齐{detail.commitmentOverdue ? '（已逾期）' : ''}
            </Tag>
          ) : (
            '否'
          )}
        </Descriptions.Item>
      </Descriptions>
      <RevealPersonal detail={detail} />

      <Divider titlePlacement="start" style={{ margin: '14px 0 8px' }}>
        下一步
      </Divider>
      {detail.actions.length ? <Actions detail={detail} /> : <Typography.Text type="secondary">本办件当前没有可办理的操作</Typography.Text>}

      <Divider titlePlacement="start" style={{ margin: '14px 0 8px' }}>
        材料
      </Divider>
      <List
        size="small"
        dataSource={detail.materials}
        renderItem={(m) => (
          <List.Item style={{ paddingInline: 0 }}>
            <span>
              {m.name}
              {m.note ? <Typography.Text type="secondary">（{m.note}）</Typography.Text> : null}
            </span>
            <Tag color={MATERIAL_STATUS_COLORS[m.status]}>{MATERIAL_STATUS_LABELS[m.status]}</Tag>
          </List.Item>
        )}
      />

      <Divider titlePlacement="start" style={{ margin: '14px 0 8px' }}>
        费用与缴费
      </Divider>
      <Payment detail={detail} />

      <Divider titlePlacement="start" style={{ margin: '14px 0 8px' }}>
        文书
      </Divider>
      <Documents detail={detail} />

      <Divider titlePlacement="start" style={{ margin: '14px 0 8px' }}>
        办理记录
      </Divider>
      <Timeline
        data-testid="case-events"
        items={detail.events.map((e) => ({
          key: `${e.at}-${e.toState}`,
          content: (
            <>
              <Typography.Text strong>
                {e.fromState ? `${CASE_STATE_TEXT[e.fromState]} → ` : ''}
                {CASE_STATE_TEXT[e.toState]}
              </Typography.Text>
              <Typography.Text type="secondary" style={{ marginInlineStart: 8 }}>
                {fullTime(e.at)} · {e.actor}
              </Typography.Text>
              {e.reason && <div style={{ whiteSpace: 'pre-wrap' }}>{e.reason}</div>}
            </>
          ),
        }))}
      />
    </>
  );
}

export function CaseDrawer() {
  const openId = useCases((s) => s.openId);
  const detail = useCases((s) => s.detail);
  const detailError = useCases((s) => s.detailError);
  const close = useCases((s) => s.close);
  return (
    <Drawer
      open={openId !== null}
      onClose={close}
      size={600}
      title={
        detail ? (
          <Flex align="center" gap={8}>
            <span data-testid="case-drawer-receipt">{detail.receiptNo}</span>
            <Tag color={CASE_STATE_COLORS[detail.state]} data-testid="case-drawer-state">
              {detail.stateLabel || CASE_STATE_TEXT[detail.state]}
            </Tag>
          </Flex>
        ) : (
          '办件详情'
        )
      }
      destroyOnHidden
      data-testid="case-drawer"
    >
      {detailError && <Alert type="error" showIcon title={detailError} />}
      {!detail && !detailError && (
        <Flex justify="center" style={{ padding: 48 }}>
          <Spin />
        </Flex>
      )}
      {detail && <Body detail={detail} />}
      {!detail && detailError && <Empty description="无法读取该办件" />}
    </Drawer>
  );
}
