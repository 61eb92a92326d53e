/**
 * 工作台已锁定: main idle-locked this window's session (docs/security.md "Idle lock"). The lock screen
 * covers the current screen, which stays mounted underneath (the clerk's draft is kept in main anyway),
 * and hides it completely: the hall is public and the screen may show an applicant's data. The same
 * user unlocks with the password; 切换用户 logs out so someone else can log in.
 */
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { hall } from '../bridge';
import { useConsole } from '../store/console';

export function LockScreen() {
  const { session, unlock, logout } = useConsole();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ password: string }>();

  const submit = async ({ password }: { password: string }) => {
    setBusy(true);
    const message = await unlock(password);
    setBusy(false);
    setError(message);
    if (message) form.resetFields();
  };

  return (
    <div
      role="dialog"
      aria-modal="true"
      aria-label="工作台已锁定"
      data-testid="lock-screen"
      style={{ position: 'fixed', inset: 0, zIndex: 2000, display: 'flex', alignItems: 'center', justifyContent: 'center', background: 'linear-gradient(160deg, #0f3f78 0%, #1456a0 60%, #26344a 100%)' }}
    >
      <Card style={{ width: 400, boxShadow: '0 8px 28px rgba(0,0,0,0.3)' }}>
        <Typography.Title level={3} style={{ textAlign: 'center', marginBottom: 4 }}>
          工作台已锁定
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ textAlign: 'center' }}>
          长时间无操作，已自动锁定 · 请输入密码解锁
        </Typography.Paragraph>
        {session && (
          <Typography.Paragraph style={{ textAlign: 'center' }} data-testid="lock-user">
            {session.displayNameMasked}（{session.userName}）{session.counter ? ` · ${session.counter.number}号窗口` : ''}
          </Typography.Paragraph>
        )}
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="lock-error" />}
        <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} disabled={busy}>
          <Form.Item label="密码" name="password" rules={[{ required: true, message: '请输入密码' }]}>
            <Input.Password autoFocus autoComplete="current-password" placeholder="本人密码" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block size="large" loading={busy}>
            解锁
          </Button>
        </Form>
        <Button type="link" block style={{ marginTop: 8 }} onClick={() => void logout()}>
          切换用户（退出当前账号）
        </Button>
      </Card>
    </div>
  );
}

/** At most one heartbeat per minute of input: well inside the shortest sensible lock (minutes). */
export const HEARTBEAT_THROTTLE_MS = 60_000;

const INPUT_EVENTS = ['pointerdown', 'keydown', 'wheel', 'mousemove', 'touchstart'] as const;

/**
 * Real user input keeps a staff session from idle-locking: at most one `session.heartbeat` per
 * HEARTBEAT_THROTTLE_MS. Off while locked and for kiosk accounts (they never lock).
 */
export function useIdleHeartbeat(active: boolean): void {
  const last = useRef(0);
  useEffect(() => {
    if (!active) return;
    last.current = Date.now(); // the login or unlock that got us here was activity in main
    const onInput = () => {
      const now = Date.now();
      if (now - last.current < HEARTBEAT_THROTTLE_MS) return;
      last.current = now;
      void hall().session.heartbeat({});
    };
    for (const name of INPUT_EVENTS) window.addEventListener(name, onInput, { capture: true, passive: true });
    return () => {
      for (const name of INPUT_EVENTS) window.removeEventListener(name, onInput, { capture: true });
    };
  }, [active]);
}
