import { Badge, Button, Space, Tag, Tooltip, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { DeviceHealth, SyncStatus } from '../../preload/contract';
import { useConsole } from '../store/console';
import { SyncCorrectionsTag } from './SyncCorrections';

const HEALTH: Record<DeviceHealth, { status: 'success' | 'warning' | 'error' | 'default'; text: string }> = {
  ok: { status: 'success', text: '正常' },
  warning: { status: 'warning', text: '注意' },
  error: { status: 'error', text: '故障' },
  absent: { status: 'default', text: '未连接' },
  unknown: { status: 'default', text: '未检测' },
};

function syncText(sync: SyncStatus | null): string {
  if (!sync) return '同步: —';
  const state = { offline: '离线', connecting: '连接中', online: '在线', not_enrolled: '未注册' }[sync.state];
  return `同步: ${state} · ${sync.pendingUploads} 条待传`;
}

function useClock(): string {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 15_000);
    return () => clearInterval(t);
  }, []);
  return `${String(now.getHours()).padStart(2, '0')}:${String(now.getMinutes()).padStart(2, '0')}`;
}

export function StatusBar() {
  const { session, devices, sync, logout, info } = useConsole();
  const clock = useClock();
  if (!session) return null;
  const roleText = { clerk: '窗口人员', kiosk: '自助终端', supervisor: '主管', technician: '技术人员', admin: '管理员' }[session.role];
  return (
    <div
      data-testid="status-bar"
      style={{ display: 'flex', alignItems: 'center', gap: 16, padding: '6px 16px', background: '#0f3f78', color: '#fff', fontSize: 14 }}
    >
      <Typography.Text strong style={{ color: '#fff', fontSize: 16 }} data-testid="status-counter">
        {session.counter ? `${session.counter.number}号窗口` : roleText}
      </Typography.Text>
      <span data-testid="status-user">{session.displayNameMasked}</span>
      <Space size={12} data-testid="status-devices">
        {devices.map((d) => (
          <Tooltip key={d.kind} title={`${d.label}：${HEALTH[d.health].text}（${d.detail}）`}>
            <span data-testid={`device-${d.kind}`} data-health={d.health}>
              <Badge status={HEALTH[d.health].status} />
              <span style={{ color: '#fff', marginInlineStart: 4 }}>{d.label}</span>
            </span>
          </Tooltip>
        ))}
      </Space>
      <Tag color={sync?.state === 'online' ? 'green' : 'gold'} data-testid="status-sync" style={{ marginInlineEnd: 0 }}>
        {syncText(sync)}
      </Tag>
      {session.role !== 'kiosk' && session.role !== 'technician' && <SyncCorrectionsTag sync={sync} />}
      {info?.emulatedDevices && <Tag color="purple">模拟设备</Tag>}
      <span style={{ marginLeft: 'auto' }}>{clock}</span>
      <Button size="small" ghost onClick={() => void logout()}>
        退出
      </Button>
    </div>
  );
}
