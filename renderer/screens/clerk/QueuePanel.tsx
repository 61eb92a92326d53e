/** 排队叫号: waiting count, expected wait, the next tickets, and F1 叫号 · F2 重呼 · F3 过号. */
import { App, Button, Card, Empty, Flex, List, Space, Statistic, Tag, Typography } from 'antd';
import { useCallback } from 'react';
import { TICKET_STATE_LABELS, type QUEUE_ACTIONS } from '../../../preload/contract';
import { useConsole } from '../../store/console';

const PRIORITY_LABELS: Record<string, string> = { elderly: '老年人', disabled: '残疾人', pregnant: '孕妇', appointment: '预约', vip_item: '优先事项' };

export function useQueueAction(): (action: (typeof QUEUE_ACTIONS)[number]) => Promise<void> {
  const { message } = App.useApp();
  const queueAct = useConsole((s) => s.queueAct);
  // Stable across renders: the workspace's key and scanner listeners depend on it.
  return useCallback(
    async (action: (typeof QUEUE_ACTIONS)[number]) => {
      const error = await queueAct(action);
      if (error) message.warning(error);
    },
    [queueAct, message],
  );
}

export function QueuePanel() {
  const queue = useConsole((s) => s.queue);
  const act = useQueueAction();
  return (
    <Card title="排队叫号" size="small" style={{ width: 260 }} data-testid="queue-panel">
      <Space size={24}>
        <Statistic title="等候" value={queue?.waiting ?? 0} suffix="人" data-testid="queue-waiting" />
        <Statistic title="预计等候" value={queue?.expectedWaitMinutes ?? '—'} suffix={queue?.expectedWaitMinutes != null ? '分钟' : ''} />
      </Space>
      <Flex wrap gap={8} style={{ marginTop: 16 }}>
        <Button type="primary" style={{ width: 104 }} onClick={() => void act('call')} data-testid="queue-call">
          F1 叫号
        </Button>
        <Button style={{ width: 104 }} disabled={!queue?.current} onClick={() => void act('recall')}>
          F2 重呼
        </Button>
        <Button style={{ width: 104 }} disabled={!queue?.current} onClick={() => void act('skip')}>
          F3 过号
        </Button>
        <Button style={{ width: 104 }} disabled title="转窗在后续版本提供">
          F4 转窗
        </Button>
      </Flex>
      <Typography.Text type="secondary" style={{ display: 'block', marginTop: 16 }}>
        接下来
      </Typography.Text>
      {queue?.next.length ? (
        <List
          size="small"
          dataSource={queue.next}
          data-testid="queue-next"
          renderItem={(t) => (
            <List.Item style={{ paddingInline: 0 }}>
              <Typography.Text strong>{t.number}</Typography.Text>
              <span>
                {t.priority && <Tag color="orange">{PRIORITY_LABELS[t.priority] ?? t.priority}</Tag>}
                已等 {t.waitedMinutes} 分钟
              </span>
            </List.Item>
          )}
        />
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="当前无等候号票" />
      )}
    </Card>
  );
}

/** The ticket being handled, above the intake: number, state, waited time, 开始办理 / 办结. */
export function CurrentTicket() {
  const current = useConsole((s) => s.queue?.current ?? null);
  const act = useQueueAction();
  if (!current) return <Typography.Text type="secondary">暂无办理中的号票，按 F1 叫号</Typography.Text>;
  const issued = new Date(current.issuedAt);
  return (
    <Flex align="center" gap={12} data-testid="current-ticket">
      <Typography.Title level={3} style={{ margin: 0 }} data-testid="current-ticket-number">
        {current.number}
      </Typography.Title>
      <Tag color={current.state === 'serving' ? 'green' : 'blue'} data-testid="current-ticket-state">
        {TICKET_STATE_LABELS[current.state]}
      </Tag>
      <span>
        取号 {String(issued.getHours()).padStart(2, '0')}:{String(issued.getMinutes()).padStart(2, '0')} · 已等 {current.waitedMinutes} 分钟
        {current.recallCount > 0 ? ` · 重呼 ${current.recallCount} 次` : ''}
      </span>
      <Flex gap={8} style={{ marginLeft: 'auto' }}>
        {(current.state === 'called' || current.state === 'recalled') && (
          <Button type="primary" onClick={() => void act('serve')} data-testid="queue-serve">
            开始办理
          </Button>
        )}
        {current.state === 'serving' && (
          <Button type="primary" onClick={() => void act('finish')} data-testid="queue-finish">
            办结
          </Button>
        )}
      </Flex>
    </Flex>
  );
}
