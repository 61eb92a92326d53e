/**
 * 查看完整信息 in the case drawer (supervisors only, like `cases.reveal`): pick the field, give the
 * reason, main returns the clear value and writes the audit row. The value stays in this component's
 * state only, until 隐藏 or the drawer closes; it is never put in a store or logged.
 */
import { Alert, Button, Flex, Form, Input, Modal, Select, Typography } from 'antd';
import { useState } from 'react';
import type { CaseDetail } from '../../../preload/case-contract';
import { REVEAL_FIELD_LABELS, REVEAL_FIELDS, type RevealField } from '../../../preload/privacy-contract';
import { hall } from '../../bridge';
import { useConsole } from '../../store/console';
import { errorText } from '../../store/errors';

/** Who may see the button: the roles `cases.reveal` allows (the dispatcher checks again). */
const REVEAL_ROLES = new Set(['supervisor']);

export function RevealPersonal({ detail }: { detail: CaseDetail }) {
  const role = useConsole((s) => s.session?.role);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState<{ field: RevealField; value: string | null; absent: string | null } | null>(null);
  const [form] = Form.useForm<{ field: RevealField; reason: string }>();
  if (!role || !REVEAL_ROLES.has(role)) return null;

  const fields = REVEAL_FIELDS.filter((f) => !f.startsWith('agent.') || detail.agentMasked !== null);
  const submit = async (v: { field: RevealField; reason: string }) => {
    setBusy(true);
    const r = await hall().cases.reveal({ id: detail.id, field: v.field, reason: v.reason.trim() });
    setBusy(false);
    if (!r.ok) return setError(errorText(r.error));
    setError(null);
    setShown({ field: r.value.field, value: r.value.value, absent: r.value.absent });
    setOpen(false);
  };

  return (
    <div style={{ marginTop: 8 }}>
      {shown ? (
        <Alert
          type={shown.value === null ? 'warning' : 'info'}
          showIcon
          data-testid="reveal-result"
          title={
            <Flex justify="space-between" align="center" gap={8}>
              <span>
                {REVEAL_FIELD_LABELS[shown.field]}：
                <Typography.Text strong copyable={false} data-testid="reveal-value">
                  {shown.value ?? (shown.absent === 'purged' ? '已按保存期限删除' : '未登记')}
                </Typography.Text>
              </span>
              <Button size="small" onClick={() => setShown(null)} data-testid="reveal-hide">
                隐藏
              </Button>
            </Flex>
          }
          description="本次查看已记入审计日志（查看人、办件、字段、原因）。"
        />
      ) : (
        <Button size="small" onClick={() => (form.resetFields(), setError(null), setOpen(true))} data-testid="reveal-open">
          查看完整信息
        </Button>
      )}
      <Modal
        open={open}
        title={`查看完整信息 · ${detail.receiptNo}`}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        okText="查看"
        okButtonProps={{ loading: busy, id: 'reveal-submit' }}
        cancelText="取消 (Esc)"
        destroyOnHidden
        data-testid="reveal-dialog"
      >
        <Typography.Paragraph type="secondary">个人信息默认脱敏显示。查看完整信息须填写原因，查看记录将写入审计日志。</Typography.Paragraph>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="reveal-error" />}
        <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} initialValues={{ field: 'applicant.idNumber' }} preserve={false}>
          <Form.Item name="field" label="查看内容" rules={[{ required: true, message: '请选择要查看的内容' }]}>
            <Select options={fields.map((f) => ({ value: f, label: REVEAL_FIELD_LABELS[f] }))} data-testid="reveal-field" />
          </Form.Item>
          <Form.Item
            name="reason"
            label="查看原因"
            rules={[
              { required: true, whitespace: true, message: '请填写查看原因' },
              { min: 2, message: '原因至少 2 个字' },
              { max: 200, message: '原因不超过 200 字' },
            ]}
          >
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 4 }} autoFocus placeholder="例如：申请人来电核对证件号码" data-testid="reveal-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
