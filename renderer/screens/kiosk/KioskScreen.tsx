/**
 * The self-service kiosk (touch, standing): 取号 with big buttons per service group, the ticket shown
 * large, back to the start after a short idle. Large-text toggle always visible (screens note).
 */
import { Alert, Button, Flex, Switch, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import type { QueueGroup, TicketView } from '../../../preload/contract';
import { hall } from '../../bridge';
import { errorText } from '../../store/errors';

/** Seconds a finished screen stays before the kiosk returns to the start (and forgets it). */
export const KIOSK_IDLE_SECONDS = 20;

export function KioskScreen() {
  const [groups, setGroups] = useState<QueueGroup[]>([]);
  const [ticket, setTicket] = useState<{ view: TicketView; group: QueueGroup } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [large, setLarge] = useState(false);

  const load = useCallback(async () => {
    const r = await hall().queue.groups({});
    if (r.ok) setGroups(r.value);
  }, []);
  useEffect(() => {
    void load();
    return hall().on('queue.changed', () => void load());
  }, [load]);
  useEffect(() => {
    if (!ticket) return;
    const t = setTimeout(() => setTicket(null), KIOSK_IDLE_SECONDS * 1000);
    return () => clearTimeout(t);
  }, [ticket]);

  const take = async (group: QueueGroup) => {
    setError(null);
    const r = await hall().queue.issue({ groupCode: group.code, priority: null });
    if (r.ok) setTicket({ view: r.value, group });
    else setError(errorText(r.error));
  };

  const scale = large ? 1.35 : 1;
  return (
    <Flex vertical style={{ minHeight: '100%', background: 'linear-gradient(180deg, #0f3f78 0, #1456a0 100px, #f0f2f5 100px)', fontSize: 18 * scale }} data-testid="kiosk">
      <Flex align="center" justify="space-between" style={{ padding: '24px 40px', color: '#fff' }}>
        <Typography.Title level={2} style={{ color: '#fff', margin: 0, fontSize: 34 * scale }}>
          政务服务大厅 · 自助取号
        </Typography.Title>
        <span style={{ fontSize: 20 }}>
          大字模式 <Switch checked={large} onChange={setLarge} aria-label="大字模式" />
        </span>
      </Flex>
      <Flex vertical align="center" style={{ padding: 40, gap: 24 }}>
        {error && <Alert type="error" showIcon message={error} style={{ fontSize: 20 * scale }} />}
        {ticket ? (
          <Flex vertical align="center" gap={16} style={{ background: '#fff', padding: '40px 80px', borderRadius: 12, boxShadow: '0 8px 28px rgba(0,0,0,.15)' }} data-testid="kiosk-ticket">
            <Typography.Text style={{ fontSize: 24 * scale }}>{ticket.group.name}</Typography.Text>
            <Typography.Text strong style={{ fontSize: 96 * scale, lineHeight: 1 }} data-testid="kiosk-ticket-number">
              {ticket.view.number}
            </Typography.Text>
            <Typography.Text style={{ fontSize: 24 * scale }}>前面还有 {Math.max(0, ticket.group.waiting)} 人等候</Typography.Text>
            <Typography.Text type="secondary" style={{ fontSize: 20 * scale }}>
              请留意叫号屏和语音提示，过号请到服务台重新排队
            </Typography.Text>
            <Button type="primary" size="large" style={{ height: 64 * scale, fontSize: 24 * scale, paddingInline: 48 }} onClick={() => setTicket(null)}>
              完成
            </Button>
          </Flex>
        ) : (
          <>
            <Typography.Text style={{ fontSize: 26 * scale }}>请选择您要办理的业务</Typography.Text>
            <Flex wrap gap={24} justify="center" style={{ maxWidth: 1100 }}>
              {groups.map((g) => (
                <Button
                  key={g.code}
                  type="primary"
                  ghost
                  style={{ width: 320, height: 150 * scale, fontSize: 28 * scale, background: '#fff', whiteSpace: 'normal' }}
                  onClick={() => void take(g)}
                  data-testid={`kiosk-group-${g.code}`}
                >
                  <Flex vertical align="center">
                    <span>{g.name}</span>
                    <span style={{ fontSize: 18 * scale, color: '#666' }}>等候 {g.waiting} 人</span>
                  </Flex>
                </Button>
              ))}
            </Flex>
          </>
        )}
      </Flex>
    </Flex>
  );
}
