/**
 * The §32 decision at the counter: 受理 (F8), 一次性告知 and 不予受理, each confirmed in a dialog that
 * asks what the law needs (a reason for 不予受理, the credit-list decision for listed applicants, an
 * optional 补正 date), plus 放弃受理 (Esc) with its reason. Input is checked at the field first; main
 * checks again and its sentence is shown when it refuses.
 */
import { Alert, App, DatePicker, Descriptions, Form, Input, List, Modal, Radio, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { CREDIT_STANDING_LABELS, INTAKE_DECISION_LABELS, ITEM_KIND_LABELS, type IntakeDecision } from '../../../preload/case-contract';
import { formatFen } from '../../lib/money';
import { toIsoDate } from '../../lib/dates';
import { textRules } from '../../lib/form-rules';
import { useIntake } from '../../store/intake';

export type DecisionKind = IntakeDecision['decision'];

interface DecisionForm {
  reason?: string;
  returnBy?: Dayjs | null;
  creditAction?: 'apply' | 'waive';
  creditReason?: string;
}

const OK_TEXT: Record<DecisionKind, string> = { accept: '确认受理', correction: '出具一次性告知书', refuse: '确认不予受理' };

/** Listed applicants (失信 / 重点关注): the clerk applies the joint measures or records why not. */
function creditQuestionNeeded(standing: string | undefined): boolean {
  return standing === 'dishonest' || standing === 'watch';
}

export function DecisionDialog({ kind, onClose }: { kind: DecisionKind | null; onClose(): void }) {
  const { message } = App.useApp();
  const view = useIntake((s) => s.view);
  const item = useIntake((s) => s.item);
  const commitmentDeadline = useIntake((s) => s.commitmentDeadline);
  const decide = useIntake((s) => s.decide);
  const busy = useIntake((s) => s.busy);
  const [form] = Form.useForm<DecisionForm>();
  const [error, setError] = useState<string | null>(null);
  const creditAction = Form.useWatch('creditAction', form);

  useEffect(() => {
    if (kind) setError(null);
  }, [kind]);

  if (!view) return null;
  const credit = view.credit;
  const askCredit = creditQuestionNeeded(credit?.standing);
  const a = view.assessment;
  const blocked = kind === 'accept' && view.blockers.length > 0;

  const submit = async (values: DecisionForm) => {
    if (!kind) return;
    const input: IntakeDecision = { decision: kind };
    if (kind === 'refuse') input.reason = values.reason?.trim();
    if (kind === 'correction' && values.returnBy) input.returnBy = toIsoDate(values.returnBy) ?? undefined;
    if (askCredit && values.creditAction) {
      input.credit = { action: values.creditAction, ...(values.creditAction === 'waive' ? { reason: values.creditReason?.trim() } : {}) };
    }
    const refused = await decide(input);
    if (refused) {
      setError(refused);
      return;
    }
    message.success(`${INTAKE_DECISION_LABELS[kind]}已完成`);
    onClose();
  };

  return (
    <Modal
      open={kind !== null}
      title={kind ? `${INTAKE_DECISION_LABELS[kind]} · ${item?.name ?? ''}` : ''}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={kind ? OK_TEXT[kind] : ''}
      okButtonProps={{ disabled: blocked, loading: busy, danger: kind === 'refuse', autoFocus: kind !== 'refuse' }}
      cancelText="取消 (Esc)"
      width={560}
      destroyOnHidden
      data-testid="decision-dialog"
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="decision-error" />}
      {blocked && (
        <Alert
          type="error"
          showIcon
          title="暂不能受理"
          description={
            <ul style={{ margin: 0, paddingInlineStart: 18 }}>
              {view.blockers.map((b) => (
                <li key={b}>{b}</li>
              ))}
            </ul>
          }
          style={{ marginBottom: 12 }}
        />
      )}
      {kind === 'accept' && item && (
        <Descriptions size="small" column={1} bordered style={{ marginBottom: 12 }}>
          <Descriptions.Item label="事项">
            {item.name} <Tag>{ITEM_KIND_LABELS[item.kind]}</Tag>
          </Descriptions.Item>
          <Descriptions.Item label="承诺办结">{view.promisedDeadline ?? '当场办结'}</Descriptions.Item>
          {a && a.tolerated.length > 0 && (
            <Descriptions.Item label="容缺材料">
              {a.tolerated.join('、')}（承诺 {commitmentDeadline ?? '—'} 前补齐）
            </Descriptions.Item>
          )}
          <Descriptions.Item label="收费">{formatFen(view.feeTotalFen)}</Descriptions.Item>
        </Descriptions>
      )}
      {kind === 'correction' && a && (
        <>
          <Typography.Paragraph style={{ marginBottom: 4 }}>一次性告知申请人补齐补正以下材料：</Typography.Paragraph>
          <List
            size="small"
            bordered
            data-testid="correction-list"
            dataSource={[...a.missing.map((name) => ({ name, note: '缺少，请补齐' })), ...a.defective.map((d) => ({ name: d.name, note: d.note }))]}
            renderItem={(m) => (
              <List.Item>
                <Typography.Text strong>{m.name}</Typography.Text>
                <Typography.Text type="secondary">{m.note}</Typography.Text>
              </List.Item>
            )}
            style={{ marginBottom: 12 }}
          />
        </>
      )}
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} preserve={false}>
        {kind === 'refuse' && (
          <Form.Item name="reason" label="不予受理理由" rules={textRules('不予受理理由', 1000, true)}>
            <Input.TextArea autoSize={{ minRows: 3, maxRows: 6 }} placeholder="例如：申请事项不属于本机关职权范围" autoFocus data-testid="refuse-reason" />
          </Form.Item>
        )}
        {kind === 'correction' && (
          <Form.Item
            name="returnBy"
            label="请于…前补正（可不填）"
            rules={[{ validator: (_r, v: Dayjs | null | undefined) => (v && v.isBefore(view.today, 'day') ? Promise.reject(new Error('补正日期不能早于今天')) : Promise.resolve()) }]}
          >
            <DatePicker disabledDate={(d) => d.isBefore(view.today, 'day')} style={{ width: 200 }} data-testid="return-by" />
          </Form.Item>
        )}
        {askCredit && credit && (
          <div data-testid="credit-question">
            <Alert
              type={credit.standing === 'dishonest' ? 'error' : 'warning'}
              showIcon
              title={`申请人在信用名单中：${CREDIT_STANDING_LABELS[credit.standing]}`}
              description={credit.measures.length ? `适用本事项的联合奖惩措施：${credit.measures.join('；')}` : '没有适用本事项的联合奖惩措施'}
              style={{ marginBottom: 12 }}
            />
            <Form.Item name="creditAction" label="联合奖惩措施" rules={[{ required: true, message: '请选择执行措施，或不执行并填写原因' }]}>
              <Radio.Group
                options={[
                  { value: 'apply', label: '执行措施' },
                  { value: 'waive', label: '不执行（须填写原因）' },
                ]}
                data-testid="credit-action"
              />
            </Form.Item>
            {creditAction === 'waive' && (
              <Form.Item name="creditReason" label="不执行的原因" rules={textRules('不执行的原因', 500, true)}>
                <Input.TextArea autoSize={{ minRows: 2, maxRows: 4 }} data-testid="credit-reason" />
              </Form.Item>
            )}
          </div>
        )}
      </Form>
    </Modal>
  );
}

/** 放弃受理 (the applicant left): main drops the draft and audits the reason. */
export function DiscardDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const { message } = App.useApp();
  const discard = useIntake((s) => s.discard);
  const [form] = Form.useForm<{ reason: string }>();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (open) setError(null);
  }, [open]);
  const submit = async ({ reason }: { reason: string }) => {
    const refused = await discard(reason.trim());
    if (refused) return setError(refused);
    message.info('已放弃本次受理');
    onClose();
  };
  return (
    <Modal
      open={open}
      title="放弃本次受理"
      onCancel={onClose}
      onOk={() => form.submit()}
      okText="放弃受理"
      okButtonProps={{ danger: true }}
      cancelText="继续受理 (Esc)"
      destroyOnHidden
      data-testid="discard-dialog"
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Typography.Paragraph type="secondary">草稿将被删除，原因记入日志。</Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} preserve={false}>
        <Form.Item name="reason" label="原因" rules={textRules('原因', 200, true)}>
          <Input placeholder="例如：申请人材料未带齐，改日再来" autoFocus data-testid="discard-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
