import { Alert, Button, Card, Form, Input, Select, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useConsole } from '../store/console';

interface LoginForm {
  userName: string;
  password: string;
  counterId?: string;
}

export function LoginScreen() {
  const { counters, info, login } = useConsole();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (values: LoginForm) => {
    setBusy(true);
    setError(await login({ userName: values.userName, password: values.password, counterId: values.counterId ?? null }));
    setBusy(false);
  };

  return (
    <div style={{ minHeight: '100%', display: 'flex', alignItems: 'center', justifyContent: 'center', background: 'linear-gradient(160deg, #0f3f78 0%, #1456a0 55%, #e9eef5 55%)' }}>
      <Card style={{ width: 420, boxShadow: '0 8px 28px rgba(0,0,0,0.18)' }} data-testid="login-card">
        <Typography.Title level={3} style={{ textAlign: 'center', marginBottom: 4 }}>
          政务服务大厅
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ textAlign: 'center' }}>
          窗口工作台 · 工作人员登录
        </Typography.Paragraph>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
        <Form<LoginForm> layout="vertical" onFinish={submit} requiredMark={false} disabled={busy}>
          <Form.Item label="用户名" name="userName" rules={[{ required: true, message: '请输入用户名' }]}>
            <Input autoFocus autoComplete="username" placeholder="工号或用户名" />
          </Form.Item>
          <Form.Item label="密码" name="password" rules={[{ required: true, message: '请输入密码' }]}>
            <Input.Password autoComplete="current-password" placeholder="密码" />
          </Form.Item>
          <Form.Item label="窗口" name="counterId" extra="窗口人员须选择本人所在窗口；主管、技术人员可不选">
            <Select
              allowClear
              placeholder="选择窗口"
              options={counters.map((c) => ({ value: c.id, label: `${c.number}号窗口 · ${c.name}（${c.zone}）` }))}
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" block size="large" loading={busy}>
            登录
          </Button>
        </Form>
        {info && (
          <div style={{ marginTop: 16, textAlign: 'center' }}>
            <Tag color={info.mode === 'electron' ? 'blue' : 'orange'}>{info.mode === 'electron' ? '桌面模式' : '浏览器模式'}</Tag>
            {info.emulatedDevices && <Tag color="purple">模拟设备</Tag>}
            <Tag>版本 {info.version}</Tag>
          </div>
        )}
      </Card>
    </div>
  );
}
