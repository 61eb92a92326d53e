/**
 * 排队叫号: the counter's status (服务中 / 暂停服务 / 已关窗), waiting count, expected wait, the next
 * tickets, the suspended and skipped ones, and every queue action with its shortcut:
 * F1 叫号 · F2 重呼 · F3 过号 · Shift+F3 重新排队 · F4 转窗 · F7 挂起/恢复 · F10 暂停/开窗 · Ctrl+F10 关窗.
 */
import { Alert, App, Button, Card, Empty, Flex, List, Modal, Space, Statistic, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { COUNTER_STATUS_LABELS, TICKET_STATE_LABELS, type CounterState, type CounterStatus, type QUEUE_ACTIONS, type TicketView } from '../../../preload/contract';
import { hall } from '../../bridge';
import { errorText } from '../../store/errors';
import { useConsole } from '../../store/console';

const PRIORITY_LABELS: Record<string, string> = { elderly: '老年人', disabled: '残疾人', pregnant: '孕妇', appointment: '预约', vip_item: '优先事项' };
const STATUS_COLORS: Record<CounterStatus, string> = { open: 'green', paused: 'orange', closed: 'default' };

/** The queue's keys, for the workspace's shortcuts row. */
export const QUEUE_SHORTCUTS = [
  ['F1', '叫号'],
  ['F2', '重呼'],
  ['F3', '过号'],
  ['Shift+F3', '重新排队'],
  ['F4', '转窗'],
  ['F7', '挂起/恢复'],
  ['F10', '暂停/开窗'],
  ['Ctrl+F10', '关窗'],
] as const;

const hhmm = (iso: string) => {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

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

/** Every queue step the panel's buttons and the keys share; each reports refusals as the service worded them. */
function useQueueCommands() {
  const { message, modal } = App.useApp();
  const act = useQueueAction();
  const queueRequeue = useConsole((s) => s.queueRequeue);
  const queueResume = useConsole((s) => s.queueResume);
  const setCounterStatus = useConsole((s) => s.setCounterStatus);

  const requeue = useCallback(
    async (ticket: TicketView) => {
      const error = await queueRequeue(ticket.id);
      if (error) message.warning(error);
      else message.success(`${ticket.number} 已重新排队，保留原取号时间 ${hhmm(ticket.issuedAt)}`);
    },
    [queueRequeue, message],
  );
  const resume = useCallback(
    async (ticket: TicketView) => {
      const error = await queueResume(ticket.id);
      if (error) message.warning(error);
    },
    [queueResume, message],
  );
  const setStatus = useCallback(
    async (status: CounterStatus) => {
      const error = await setCounterStatus(status);
      if (error) message.warning(error);
    },
    [setCounterStatus, message],
  );
  /** F7: suspend the ticket in service, or resume the one suspended first when nothing else is active. */
  const toggleSuspend = useCallback(() => {
    const q = useConsole.getState().queue;
    if (q?.current) return void act('suspend');
    if (q?.suspended[0]) return void resume(q.suspended[0]);
    message.info('当前没有可挂起或恢复的号票');
  }, [act, resume, message]);
  /** F10: pause an open counter, open a paused or closed one. */
  const togglePause = useCallback(() => {
    const status = useConsole.getState().queue?.counter.status;
    if (status) void setStatus(status === 'open' ? 'paused' : 'open');
  }, [setStatus]);
  /** Ctrl+F10 or 关窗: asks first (a closed counter calls nobody until it opens again). */
  const confirmClose = useCallback(() => {
    if (useConsole.getState().queue?.counter.status === 'closed') return;
    modal.confirm({
      title: '确定关窗？',
      content: '关窗后本窗口不再叫号，也不再计入预计等候时间；按 F10 可重新开窗。',
      okText: '关窗',
      okButtonProps: { danger: true },
      cancelText: '取消',
      onOk: () => setStatus('closed'),
    });
  }, [modal, setStatus]);
  /** Shift+F3: re-queue the latest skipped ticket that may still go back (once per ticket). */
  const requeueLatest = useCallback(() => {
    const skipped = useConsole.getState().queue?.skipped ?? [];
    const ticket = skipped.find((t) => t.requeueCount === 0);
    if (ticket) void requeue(ticket);
    else message.info(skipped.length ? '今天的过号号票都已重新排队过一次，不能再排' : '本窗口今天没有过号的号票');
  }, [requeue, message]);
  return { act, requeue, resume, setStatus, toggleSuspend, togglePause, confirmClose, requeueLatest };
}

/** 转窗: pick another open counter (click, or its number key); the ticket keeps its original time. */
function TransferDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { message } = App.useApp();
  const current = useConsole((s) => s.queue?.current ?? null);
  const ownId = useConsole((s) => s.queue?.counter.id);
  const queueTransfer = useConsole((s) => s.queueTransfer);
  const [counters, setCounters] = useState<CounterState[] | null>(null);

  useEffect(() => {
    if (!open) return;
    setCounters(null);
    let live = true;
    void hall()
      .counters.states({})
      .then((r) => {
        if (!live) return;
        if (r.ok) setCounters(r.value);
        else {
          message.warning(errorText(r.error));
          setCounters([]);
        }
      });
    return () => {
      live = false;
    };
  }, [open, message]);

  const others = (counters ?? []).filter((c) => c.id !== ownId);
  const pick = useCallback(
    async (target: CounterState) => {
      const number = current?.number;
      const error = await queueTransfer(target.id);
      if (error) message.warning(error);
      else message.success(`${number} 已转到 ${target.number}号窗口，保留原取号时间`);
      onClose();
    },
    [current, queueTransfer, message, onClose],
  );

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (!/^[1-9]$/.test(e.key)) return;
      const target = others.find((c) => c.number === Number(e.key) && c.status === 'open');
      if (target) {
        e.preventDefault();
        void pick(target);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, others, pick]);

  return (
    <Modal open={open} onCancel={onClose} footer={null} width={440} title={current ? `转窗：将 ${current.number} 转到` : '转窗'} destroyOnHidden>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 12 }}>
        号票回到等候，只由所选窗口叫号，保留原取号时间优先叫到。按窗口号数字键可直接选择，Esc 取消。
      </Typography.Paragraph>
      {counters === null ? (
        <Typography.Text type="secondary">正在读取窗口…</Typography.Text>
      ) : others.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="没有其他窗口" />
      ) : (
        <Flex vertical gap={8} data-testid="transfer-targets">
          {others.map((c) => (
            <Button
              key={c.id}
              block
              size="large"
              disabled={c.status !== 'open'}
              onClick={() => void pick(c)}
              data-testid={`transfer-to-${c.number}`}
              style={{ justifyContent: 'space-between' }}
            >
              <span>
                {c.number <= 9 && <Typography.Text keyboard>{c.number}</Typography.Text>} {c.number}号窗口 · {c.name}（{c.zone}）
              </span>
              {c.status !== 'open' && <Tag color={STATUS_COLORS[c.status]}>{COUNTER_STATUS_LABELS[c.status]}</Tag>}
            </Button>
          ))}
        </Flex>
      )}
    </Modal>
  );
}

function TicketLine({ ticket, action }: { ticket: TicketView; action?: ReactNode }) {
  return (
    <List.Item style={{ paddingInline: 0 }} data-testid={`ticket-${ticket.number}`}>
      <span>
        <Typography.Text strong>{ticket.number}</Typography.Text>
        {ticket.transferTo !== null && (
          <Tag color="purple" style={{ marginInlineStart: 6 }}>
            转入
          </Tag>
        )}
        {ticket.priority && (
          <Tag color="orange" style={{ marginInlineStart: 6 }}>
            {PRIORITY_LABELS[ticket.priority] ?? ticket.priority}
          </Tag>
        )}
      </span>
      {action ?? <span>已等 {ticket.waitedMinutes} 分钟</span>}
    </List.Item>
  );
}

export function QueuePanel() {
  const queue = useConsole((s) => s.queue);
  const { message } = App.useApp();
  const cmd = useQueueCommands();
  const [transferOpen, setTransferOpen] = useState(false);
  const openTransfer = useCallback(() => {
    if (useConsole.getState().queue?.current) setTransferOpen(true);
    else message.info('本窗口当前没有可转窗的号票，请先叫号');
  }, [message]);
  const closeTransfer = useCallback(() => setTransferOpen(false), []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (transferOpen || e.altKey || e.metaKey) return;
      const run = (fn: () => void) => {
        e.preventDefault();
        if (!e.repeat) fn();
      };
      if (e.key === 'F1') run(() => void cmd.act('call'));
      else if (e.key === 'F2') run(() => void cmd.act('recall'));
      else if (e.key === 'F3') run(e.shiftKey ? cmd.requeueLatest : () => void cmd.act('skip'));
      else if (e.key === 'F4') run(openTransfer);
      else if (e.key === 'F7') run(cmd.toggleSuspend);
      else if (e.key === 'F10') run(e.ctrlKey ? cmd.confirmClose : cmd.togglePause);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [cmd.act, cmd.requeueLatest, cmd.toggleSuspend, cmd.togglePause, cmd.confirmClose, openTransfer, transferOpen]);

  const status = queue?.counter.status ?? 'open';
  const current = queue?.current ?? null;
  const suspended = queue?.suspended ?? [];
  const skipped = queue?.skipped ?? [];
  const resumeNext = !current && suspended.length > 0;
  return (
    <Card
      title="排队叫号"
      size="small"
      style={{ width: 260, display: 'flex', flexDirection: 'column', minHeight: 0 }}
      styles={{ body: { flex: 1, minHeight: 0, overflowY: 'auto', overflowX: 'hidden' } }}
      data-testid="queue-panel"
      extra={
        <Space size={4}>
          <Tag color={STATUS_COLORS[status]} style={{ marginInlineEnd: 0 }} data-testid="counter-status">
            {COUNTER_STATUS_LABELS[status]}
          </Tag>
          {status !== 'closed' && (
            <Button size="small" type="text" danger onClick={cmd.confirmClose} title="Ctrl+F10 关窗" data-testid="counter-close">
              关窗
            </Button>
          )}
        </Space>
      }
    >
      {status !== 'open' && queue && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12, padding: '4px 8px' }}
          data-testid="counter-status-note"
          message={`${status === 'paused' ? '暂停服务' : '已关窗'}${queue.counter.statusSince ? `（${hhmm(queue.counter.statusSince)} 起）` : ''}，不叫新号，按 F10 开窗`}
        />
      )}
      <Space size={24}>
        <Statistic title="等候" value={queue?.waiting ?? 0} suffix="人" data-testid="queue-waiting" />
        <Statistic title="预计等候" value={queue?.expectedWaitMinutes ?? '—'} suffix={queue?.expectedWaitMinutes != null ? '分钟' : ''} />
      </Space>
      <Flex wrap gap={8} style={{ marginTop: 12 }}>
        <Button type="primary" style={{ width: 104 }} onClick={() => void cmd.act('call')} data-testid="queue-call">
          F1 叫号
        </Button>
        <Button style={{ width: 104 }} disabled={!current} onClick={() => void cmd.act('recall')}>
          F2 重呼
        </Button>
        <Button style={{ width: 104 }} disabled={!current} onClick={() => void cmd.act('skip')}>
          F3 过号
        </Button>
        <Button style={{ width: 104 }} disabled={!current} onClick={openTransfer} data-testid="queue-transfer">
          F4 转窗
        </Button>
        <Button style={{ width: 104 }} disabled={!current && !resumeNext} onClick={cmd.toggleSuspend} data-testid="queue-suspend">
          {resumeNext ? 'F7 恢复' : 'F7 挂起'}
        </Button>
        <Button style={{ width: 104 }} onClick={cmd.togglePause} data-testid="counter-pause">
          {status === 'open' ? 'F10 暂停' : 'F10 开窗'}
        </Button>
      </Flex>
      <TransferDialog open={transferOpen} onClose={closeTransfer} />

      {suspended.length > 0 && (
        <>
          <Typography.Text type="secondary" style={{ display: 'block', marginTop: 12 }}>
            已挂起 {suspended.length}
          </Typography.Text>
          <List
            size="small"
            dataSource={suspended}
            data-testid="queue-suspended"
            renderItem={(t) => (
              <TicketLine
                ticket={t}
                action={
                  <Button size="small" disabled={!!current} title={current ? `请先办结、过号或挂起 ${current.number}` : undefined} onClick={() => void cmd.resume(t)} data-testid={`resume-${t.number}`}>
                    恢复
                  </Button>
                }
              />
            )}
          />
        </>
      )}

      <Typography.Text type="secondary" style={{ display: 'block', marginTop: 12 }}>
        接下来
      </Typography.Text>
      {queue?.next.length ? (
        <List size="small" dataSource={queue.next} data-testid="queue-next" renderItem={(t) => <TicketLine ticket={t} />} />
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="当前无等候号票" style={{ marginBlock: 8 }} />
      )}

      {skipped.length > 0 && (
        <>
          <Typography.Text type="secondary" style={{ display: 'block', marginTop: 12 }}>
            今日已过号 {skipped.length}
          </Typography.Text>
          <List
            size="small"
            dataSource={skipped}
            data-testid="queue-skipped"
            renderItem={(t) => (
              <TicketLine
                ticket={t}
                action={
                  t.requeueCount > 0 ? (
                    <Typography.Text type="secondary">已重排过</Typography.Text>
                  ) : (
                    <Button size="small" onClick={() => void cmd.requeue(t)} data-testid={`requeue-${t.number}`}>
                      重新排队
                    </Button>
                  )
                }
              />
            )}
          />
        </>
      )}
    </Card>
  );
}

/** The ticket being handled, above the intake: number, state, waited time, 开始办理 / 办结. */
export function CurrentTicket() {
  const current = useConsole((s) => s.queue?.current ?? null);
  const suspended = useConsole((s) => s.queue?.suspended.length ?? 0);
  const act = useQueueAction();
  if (!current) {
    return (
      <Typography.Text type="secondary">
        暂无办理中的号票，按 F1 叫号{suspended > 0 ? `（挂起 ${suspended} 张，按 F7 恢复）` : ''}
      </Typography.Text>
    );
  }
  return (
    <Flex align="center" gap={12} data-testid="current-ticket">
      <Typography.Title level={3} style={{ margin: 0 }} data-testid="current-ticket-number">
        {current.number}
      </Typography.Title>
      <Tag color={current.state === 'serving' ? 'green' : 'blue'} data-testid="current-ticket-state">
        {TICKET_STATE_LABELS[current.state]}
      </Tag>
      {current.transferTo !== null && <Tag color="purple">转入</Tag>}
      <span>
        取号 {hhmm(current.issuedAt)} · 已等 {current.waitedMinutes} 分钟
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
