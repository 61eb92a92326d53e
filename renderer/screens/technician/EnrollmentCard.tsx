/**
 * 注册本机 (technician): this console's enrollment at the hub with a one-time code from
 * `hall hub enroll-code` (docs/security.md "Enrollment"). Shows the current console id, role, counter,
 * hub, the public key the hub registers and how the keys are protected.
 */
import { Alert, Button, Card, Descriptions, Flex, Form, Input, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import type { HallError } from '../../../preload/contract';
import type { EnrollmentStatus } from '../../../preload/enrollment-contract';
import { hall } from '../../bridge';
import { errorText } from '../../store/errors';

const ROLE_LABEL: Record<NonNullable<EnrollmentStatus['role']>, string> = { clerk: '窗口工作台', kiosk: '自助终端', supervisor: '值班长工作台' };

function enrollErrorText(error: HallError): string {
  return ['conflict', 'unavailable', 'bad_input'].includes(error.code) && error.message ? error.message : errorText(error);
}

export function EnrollmentCard() {
  const [status, setStatus] = useState<EnrollmentStatus | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ type: 'success' | 'error'; text: string } | null>(null);
  const [form] = Form.useForm<{ hubUrl: string; consoleId: string; code: string }>();

  const load = useCallback(async () => {
    const r = await hall().enrollment.status({});
    if (r.ok) setStatus(r.value);
    else setMessage({ type: 'error', text: enrollErrorText(r.error) });
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const submit = async (values: { hubUrl: string; consoleId: string; code: string }) => {
    setBusy(true);
    setMessage(null);
    const r = await hall().enrollment.enroll({ hubUrl: values.hubUrl.trim(), consoleId: values.consoleId.trim(), code: values.code.trim() });
    setBusy(false);
    if (r.ok) {
      setStatus(r.value);
      form.resetFields(['code']);
      setMessage({ type: 'success', text: `已注册为 ${r.value.consoleId}${r.value.restartRequired ? '，重启工作台后开始与中心同步' : ''}` });
    } else setMessage({ type: 'error', text: enrollErrorText(r.error) });
  };

  return (
    <Card title="注册本机" data-testid="enrollment-card" style={{ margin: '16px 4px', maxWidth: 960 }}>
      {status && (
        <Descriptions column={2} size="small" style={{ marginBottom: 16 }}>
          <Descriptions.Item label="注册状态">
            {status.enrolled ? <Tag color="green">已注册</Tag> : <Tag>未注册</Tag>}
            {status.restartRequired && <Tag color="orange">需重启</Tag>}
          </Descriptions.Item>
          <Descriptions.Item label="终端编号">
            <span data-testid="enrollment-console-id">{status.consoleId}</span>
          </Descriptions.Item>
          <Descriptions.Item label="用途">{status.role ? ROLE_LABEL[status.role] : '—'}</Descriptions.Item>
          <Descriptions.Item label="窗口号">{status.counter ?? '—'}</Descriptions.Item>
          <Descriptions.Item label="中心地址">{status.hubUrl ?? '—'}</Descriptions.Item>
          <Descriptions.Item label="密钥保护">
            {status.keyProtection === 'safe-storage' ? <Tag color="green">系统密钥库</Tag> : <Tag color="orange">本地密钥文件（仅限浏览器模式）</Tag>}
          </Descriptions.Item>
          <Descriptions.Item label="本机公钥" span={2}>
            <Typography.Text code copyable style={{ fontSize: 12 }}>
              {status.publicKey}
            </Typography.Text>
          </Descriptions.Item>
        </Descriptions>
      )}
      <Form form={form} layout="inline" onFinish={(v) => void submit(v)} disabled={busy} initialValues={{ hubUrl: status?.hubUrl ?? '' }}>
        <Form.Item name="hubUrl" label="中心地址" rules={[{ required: true, message: '请输入中心地址' }]}>
          <Input placeholder="ws://10.1.2.3:7300/sync" style={{ width: 260 }} data-testid="enrollment-hub" />
        </Form.Item>
        <Form.Item name="consoleId" label="终端编号" rules={[{ required: true, message: '请输入终端编号' }]}>
          <Input placeholder="C03" style={{ width: 110 }} data-testid="enrollment-id" />
        </Form.Item>
        <Form.Item name="code" label="注册码" rules={[{ required: true, message: '请输入注册码' }]}>
          <Input placeholder="7KQ2M-XH9TD" style={{ width: 150 }} data-testid="enrollment-code" autoComplete="off" />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="enrollment-submit">
            注册
          </Button>
        </Form.Item>
      </Form>
      <Flex vertical gap={8} style={{ marginTop: 12 }}>
        <Typography.Text type="secondary">注册码由中心管理员用 hall hub enroll-code 签发，一次有效；本机密钥在本机生成，私钥不离开本机。</Typography.Text>
        {message && <Alert type={message.type} showIcon message={message.text} data-testid="enrollment-message" />}
      </Flex>
    </Card>
  );
}
