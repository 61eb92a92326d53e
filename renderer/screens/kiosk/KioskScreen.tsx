/**
 * The self-service kiosk (touch, standing; screens note "Kiosk"): three big choices on the start
 * screen — 取号 (big buttons per service group, the ticket shown large), 查询办件 (scan the receipt QR or
 * type the 办件编号 → the case's public status) and 评价 (look the case up, then rate the handling with
 * the rating pad's form). The large-text toggle and "呼叫工作人员" are always visible. Any screen but the
 * start goes back to the start, wiped, after a short idle.
 */
import { Alert, Button, Flex, Input, Modal, Switch, Tag, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { PublicCaseStatus } from '../../../preload/case-contract';
import type { CardView, QueueGroup, ScanView, TicketView } from '../../../preload/contract';
import { hall } from '../../bridge';
import { listenForWedgeScans } from '../../lib/scans';
import { useConsole } from '../../store/console';
import { errorText } from '../../store/errors';
import { RatingFace, RatingForm, RatingThanks, THANKS_SECONDS } from '../rating/RatingPad';

/** Seconds without a touch before the kiosk returns to the start (and forgets what was shown). */
export const KIOSK_IDLE_SECONDS = 30;
/** Seconds the "工作人员马上就到" confirmation stays. */
const HELP_CONFIRM_SECONDS = 10;

type View =
  | { kind: 'start' }
  | { kind: 'groups' }
  | { kind: 'ticket'; ticket: TicketView; group: QueueGroup }
  | { kind: 'lookup'; purpose: 'status' | 'rate' }
  | { kind: 'status'; status: PublicCaseStatus; purpose: 'status' | 'rate' }
  | { kind: 'rate'; status: PublicCaseStatus }
  | { kind: 'thanks' };

const START: View = { kind: 'start' };

/** Back to the start after `seconds` without a touch or key, while `active`. */
function useIdleReturn(active: boolean, seconds: number, onIdle: () => void) {
  useEffect(() => {
    if (!active) return;
    let timer = setTimeout(onIdle, seconds * 1000);
    const touch = () => {
      clearTimeout(timer);
      timer = setTimeout(onIdle, seconds * 1000);
    };
    const events = ['pointerdown', 'keydown', 'input'] as const;
    events.forEach((e) => window.addEventListener(e, touch, { capture: true }));
    return () => {
      clearTimeout(timer);
      events.forEach((e) => window.removeEventListener(e, touch, { capture: true }));
    };
  }, [active, seconds, onIdle]);
}

function TicketGlyph({ size }: { size: number }) {
  return (
    <svg viewBox="0 0 100 100" width={size} height={size} aria-hidden="true">
      <path d="M12 24 h76 v18 a8 8 0 0 0 0 16 v18 h-76 v-18 a8 8 0 0 0 0 -16 z" fill="#e6f0fb" stroke="#1456a0" strokeWidth="5" strokeLinejoin="round" />
      <path d="M34 26 v48" stroke="#1456a0" strokeWidth="4" strokeDasharray="6 6" />
      <text x="62" y="60" fontSize="22" fontWeight="700" textAnchor="middle" fill="#1456a0">A</text>
    </svg>
  );
}

function SearchGlyph({ size }: { size: number }) {
  return (
    <svg viewBox="0 0 100 100" width={size} height={size} aria-hidden="true">
      <rect x="14" y="10" width="52" height="66" rx="6" fill="#fff7e6" stroke="#d46b08" strokeWidth="5" />
      <path d="M24 28 h32 M24 40 h32 M24 52 h18" stroke="#d46b08" strokeWidth="4" strokeLinecap="round" />
      <circle cx="62" cy="62" r="16" fill="#fff" stroke="#1456a0" strokeWidth="6" />
      <path d="M74 74 L88 88" stroke="#1456a0" strokeWidth="8" strokeLinecap="round" />
    </svg>
  );
}

export function KioskScreen() {
  const [view, setView] = useState<View>(START);
  const [groups, setGroups] = useState<QueueGroup[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [large, setLarge] = useState(false);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [helpAt, setHelpAt] = useState<string | null>(null);
  const [helpBusy, setHelpBusy] = useState(false);
  /** 刷身份证取号: the card placed on the kiosk's reader while choosing (masked; main keeps the number). */
  const [card, setCard] = useState<CardView | null>(null);

  const home = useCallback(() => {
    setView(START);
    setError(null);
    setText('');
    setBusy(false);
  }, []);
  useIdleReturn(view.kind !== 'start', view.kind === 'thanks' ? THANKS_SECONDS : KIOSK_IDLE_SECONDS, home);

  const load = useCallback(async () => {
    const r = await hall().queue.groups({});
    if (r.ok) setGroups(r.value);
  }, []);
  useEffect(() => {
    void load();
    return hall().on('queue.changed', () => void load());
  }, [load]);
  useEffect(() => hall().on('idcard.read', (c) => setCard(c)), []);
  useEffect(() => {
    if (view.kind !== 'groups') setCard(null);
  }, [view.kind]);

  const take = async (group: QueueGroup) => {
    setError(null);
    const r = await hall().queue.issue({ groupCode: group.code, priority: null, withCard: card !== null, print: true });
    setCard(null);
    if (r.ok) setView({ kind: 'ticket', ticket: r.value, group });
    else setError(errorText(r.error));
  };

  const lookup = useCallback(async (input: string) => {
    const value = input.trim();
    if (!value) return;
    setBusy(true);
    setError(null);
    const r = await hall().cases.lookup({ text: value });
    setBusy(false);
    if (r.ok) {
      setText('');
      const status = r.value;
      setView((v) => ({ kind: 'status', status, purpose: v.kind === 'lookup' ? v.purpose : 'status' }));
    } else {
      setError(errorText(r.error));
    }
  }, []);

  // A receipt QR scanned on the start or 查询 screen is looked up at once (HID POS via main, wedge here).
  const scanning = view.kind === 'start' || view.kind === 'lookup';
  const onScan = useCallback(
    (scan: ScanView) => {
      if (scan.kind === 'hall_ticket' || scan.kind === 'wechat_pay' || scan.kind === 'alipay' || scan.kind === 'unionpay') {
        setError('请扫描受理回执、告知书或缴款通知上的二维码');
        return;
      }
      void lookup(scan.text);
    },
    [lookup],
  );
  useEffect(() => {
    if (!scanning) return;
    return listenForWedgeScans(window, onScan);
  }, [scanning, onScan]);
  const lastScan = useConsole((s) => s.lastScan);
  const seenScan = useRef(lastScan);
  useEffect(() => {
    if (lastScan === seenScan.current) return;
    seenScan.current = lastScan;
    if (scanning && lastScan?.source === 'hidpos') onScan(lastScan);
  }, [lastScan, scanning, onScan]);

  const callHelp = async () => {
    setHelpBusy(true);
    const r = await hall().help.call({});
    setHelpBusy(false);
    if (r.ok) setHelpAt(r.value.calledAt);
    else setError(errorText(r.error));
  };
  useEffect(() => {
    if (!helpAt) return;
    const t = setTimeout(() => setHelpAt(null), HELP_CONFIRM_SECONDS * 1000);
    return () => clearTimeout(t);
  }, [helpAt]);

  const scale = large ? 1.3 : 1;
  const px = (n: number) => n * scale;
  const bigButton = { height: px(72), fontSize: px(26), paddingInline: 48 } as const;

  const backRow = (
    <Button size="large" style={{ ...bigButton, background: '#fff' }} onClick={home} data-testid="kiosk-home">
      返回首页
    </Button>
  );

  let body: ReactNode;
  switch (view.kind) {
    case 'start':
      body = (
        <>
          <Typography.Text style={{ fontSize: px(30) }}>您好，请选择您要办理的服务</Typography.Text>
          <Flex wrap gap={32} justify="center">
            <StartTile testId="kiosk-start-ticket" title="取号" subtitle="排队办理业务" scale={scale} onClick={() => setView({ kind: 'groups' })} icon={<TicketGlyph size={px(96)} />} />
            <StartTile
              testId="kiosk-start-lookup"
              title="查询办件"
              subtitle="扫描回执二维码或输入办件编号"
              scale={scale}
              onClick={() => setView({ kind: 'lookup', purpose: 'status' })}
              icon={<SearchGlyph size={px(96)} />}
            />
            <StartTile testId="kiosk-start-rate" title="评价" subtitle="对办理过的服务进行评价" scale={scale} onClick={() => setView({ kind: 'lookup', purpose: 'rate' })} icon={<RatingFace level={5} size={px(96)} />} />
          </Flex>
          <Typography.Text type="secondary" style={{ fontSize: px(20) }}>
            也可直接将受理回执上的二维码对准扫码口查询
          </Typography.Text>
        </>
      );
      break;
    case 'groups':
      body = (
        <>
          <Typography.Text style={{ fontSize: px(28) }}>请选择您要办理的业务</Typography.Text>
          {card ? (
            <Tag color="green" style={{ fontSize: px(20), padding: '6px 14px' }} data-testid="kiosk-card">
              已读取身份证 {card.idNumberMasked}：号票将与此证件绑定
            </Tag>
          ) : (
            <Typography.Text type="secondary" style={{ fontSize: px(20) }}>
              可刷身份证取号：把身份证放在读卡区，再选择业务
            </Typography.Text>
          )}
          <Flex wrap gap={24} justify="center" style={{ maxWidth: 1100 }}>
            {groups.map((g) => (
              <Button
                key={g.code}
                type="primary"
                ghost
                style={{ width: 320, height: px(150), fontSize: px(28), background: '#fff', whiteSpace: 'normal' }}
                onClick={() => void take(g)}
                data-testid={`kiosk-group-${g.code}`}
              >
                <Flex vertical align="center">
                  <span>{g.name}</span>
                  <span style={{ fontSize: px(18), color: '#666' }}>等候 {g.waiting} 人</span>
                </Flex>
              </Button>
            ))}
          </Flex>
          {backRow}
        </>
      );
      break;
    case 'ticket':
      body = (
        <Flex vertical align="center" gap={16} style={{ background: '#fff', padding: '40px 80px', borderRadius: 12, boxShadow: '0 8px 28px rgba(0,0,0,.15)' }} data-testid="kiosk-ticket">
          <Typography.Text style={{ fontSize: px(24) }}>{view.group.name}</Typography.Text>
          <Typography.Text strong style={{ fontSize: px(96), lineHeight: 1 }} data-testid="kiosk-ticket-number">
            {view.ticket.number}
          </Typography.Text>
          <Typography.Text style={{ fontSize: px(24) }}>前面还有 {Math.max(0, view.group.waiting)} 人等候</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: px(20) }}>
            请留意叫号屏和语音提示，过号请到服务台重新排队
          </Typography.Text>
          <Button type="primary" size="large" style={bigButton} onClick={home}>
            完成
          </Button>
        </Flex>
      );
      break;
    case 'lookup':
      body = (
        <Flex vertical align="center" gap={24} style={{ width: '100%', maxWidth: 980 }} data-testid="kiosk-lookup">
          <Typography.Title level={2} style={{ margin: 0, fontSize: px(38) }}>
            {view.purpose === 'rate' ? '评价：请先找到您的办件' : '查询办件'}
          </Typography.Title>
          <Flex align="center" gap={24} style={{ background: '#fff', borderRadius: 12, padding: '24px 36px', boxShadow: '0 6px 18px rgba(15,63,120,.12)' }}>
            <SearchGlyph size={px(88)} />
            <Typography.Text style={{ fontSize: px(26) }}>请将受理回执上的二维码对准扫码口</Typography.Text>
          </Flex>
          <Typography.Text type="secondary" style={{ fontSize: px(22) }}>
            或输入回执上的办件编号
          </Typography.Text>
          <Flex gap={16} style={{ width: '100%' }}>
            <Input
              autoFocus
              size="large"
              value={text}
              onChange={(e) => setText(e.target.value)}
              onPressEnter={() => void lookup(text)}
              placeholder="例如 HALL01-20261126-C03-0042"
              style={{ fontSize: px(28), height: px(72), flex: 1 }}
              aria-label="办件编号"
              data-testid="kiosk-lookup-input"
              maxLength={512}
            />
            <Button type="primary" size="large" style={bigButton} loading={busy} onClick={() => void lookup(text)} data-testid="kiosk-lookup-submit">
              查询
            </Button>
          </Flex>
          {backRow}
        </Flex>
      );
      break;
    case 'status':
      body = <StatusCard status={view.status} purpose={view.purpose} scale={scale} onRate={() => setView({ kind: 'rate', status: view.status })} back={backRow} />;
      break;
    case 'rate':
      body = (
        <Flex vertical align="center" gap={24} style={{ width: '100%' }} data-testid="kiosk-rate">
          <RatingForm
            requestId={view.status.ratingRequestId ?? ''}
            itemName={view.status.serviceItemName}
            scale={scale}
            onDone={() => setView({ kind: 'thanks' })}
            onGone={(message) => {
              setError(message);
              setView({ kind: 'status', status: { ...view.status, ratingRequestId: null }, purpose: 'rate' });
            }}
          />
          {backRow}
        </Flex>
      );
      break;
    case 'thanks':
      body = <RatingThanks scale={scale} />;
      break;
  }

  return (
    <Flex vertical style={{ minHeight: '100%', background: 'linear-gradient(180deg, #0f3f78 0, #1456a0 100px, #f0f2f5 100px)', fontSize: px(18) }} data-testid="kiosk">
      <Flex align="center" justify="space-between" gap={24} style={{ padding: '0 40px', height: 100, color: '#fff', flex: 'none' }}>
        <Typography.Title level={2} style={{ color: '#fff', margin: 0, fontSize: px(34), cursor: 'pointer', whiteSpace: 'nowrap' }} onClick={home}>
          政务服务大厅 · 自助服务
        </Typography.Title>
        <Flex align="center" gap={28}>
          <span style={{ fontSize: 20, whiteSpace: 'nowrap' }}>
            大字模式 <Switch checked={large} onChange={setLarge} aria-label="大字模式" />
          </span>
          <Button
            size="large"
            danger
            type="primary"
            loading={helpBusy}
            onClick={() => void callHelp()}
            style={{ height: 60, fontSize: 22, paddingInline: 28, borderRadius: 30, boxShadow: '0 0 0 3px rgba(255,255,255,.6)' }}
            data-testid="kiosk-help"
          >
            呼叫工作人员
          </Button>
        </Flex>
      </Flex>
      <Flex vertical align="center" style={{ padding: 40, gap: 28 }}>
        {error && <Alert type="error" showIcon title={error} style={{ fontSize: px(20) }} data-testid="kiosk-error" closable={{ onClose: () => setError(null) }} />}
        {body}
      </Flex>
      <Modal open={helpAt !== null} onCancel={() => setHelpAt(null)} footer={null} centered width={560} closable={false} data-testid="kiosk-help-modal">
        <Flex vertical align="center" gap={16} style={{ padding: '24px 0' }} data-testid="kiosk-help-confirm">
          <Typography.Title level={2} style={{ margin: 0 }}>
            工作人员马上就到
          </Typography.Title>
          <Typography.Text style={{ fontSize: 20 }}>已通知大厅工作人员，请在自助机旁稍候</Typography.Text>
          <Button type="primary" size="large" style={{ height: 60, fontSize: 22, paddingInline: 48 }} onClick={() => setHelpAt(null)}>
            好的
          </Button>
        </Flex>
      </Modal>
    </Flex>
  );
}

function StartTile(props: { testId: string; title: string; subtitle: string; icon: ReactNode; scale: number; onClick(): void }) {
  return (
    <button
      type="button"
      onClick={props.onClick}
      data-testid={props.testId}
      style={{
        width: 340 * Math.min(props.scale, 1.15),
        height: 300 * props.scale,
        border: '2px solid #c9d8ea',
        borderRadius: 20,
        background: '#fff',
        boxShadow: '0 10px 28px rgba(15,63,120,.16)',
        cursor: 'pointer',
        display: 'flex',
        flexDirection: 'column',
        alignItems: 'center',
        justifyContent: 'center',
        gap: 14 * props.scale,
        touchAction: 'manipulation',
      }}
    >
      {props.icon}
      <span style={{ fontSize: 44 * props.scale, fontWeight: 700, color: '#0f3f78' }}>{props.title}</span>
      <span style={{ fontSize: 19 * props.scale, color: '#666' }}>{props.subtitle}</span>
    </button>
  );
}

function StatusCard(props: { status: PublicCaseStatus; purpose: 'status' | 'rate'; scale: number; onRate(): void; back: ReactNode }) {
  const { status, scale } = props;
  const row = (label: string, value: ReactNode, testId?: string) => (
    <Flex gap={24} align="baseline" style={{ fontSize: 26 * scale }}>
      <span style={{ width: 200 * scale, color: '#666', flex: 'none' }}>{label}</span>
      <span style={{ fontWeight: 600 }} data-testid={testId}>
        {value}
      </span>
    </Flex>
  );
  return (
    <Flex vertical align="center" gap={24} style={{ width: '100%', maxWidth: 980 }}>
      <Flex vertical gap={18} style={{ width: '100%', background: '#fff', borderRadius: 12, padding: '32px 48px', boxShadow: '0 8px 28px rgba(0,0,0,.12)' }} data-testid="kiosk-status">
        {status.signatureValid === true && (
          <Tag color="success" style={{ fontSize: 20 * scale, padding: '6px 14px', alignSelf: 'flex-start' }} data-testid="kiosk-signature">
            ✓ 回执二维码校验通过
          </Tag>
        )}
        {status.signatureValid === false && (
          <Alert
            type="warning"
            showIcon
            title="回执二维码未通过校验：可能不是本大厅出具或已被改动，请咨询工作人员"
            style={{ fontSize: 20 * scale }}
            data-testid="kiosk-signature"
          />
        )}
        {row('办件编号', status.receiptNo, 'kiosk-status-receipt')}
        {row('办理事项', status.serviceItemName, 'kiosk-status-item')}
        {row(
          '办理状态',
          <Tag color="processing" style={{ fontSize: 26 * scale, padding: '6px 16px', margin: 0 }} data-testid="kiosk-status-state">
            {status.stateLabel}
          </Tag>,
        )}
        {row('承诺办结日期', status.deadline ?? '—', 'kiosk-status-deadline')}
      </Flex>
      {status.ratingRequestId ? (
        <Button type="primary" size="large" style={{ height: 80 * scale, fontSize: 30 * scale, paddingInline: 64 }} onClick={props.onRate} data-testid="kiosk-status-rate">
          评价本次服务
        </Button>
      ) : (
        props.purpose === 'rate' && <Alert type="info" showIcon title="该办件暂无待评价的服务（已评价或评价已结束）" style={{ fontSize: 20 * scale }} data-testid="kiosk-status-norate" />
      )}
      {props.back}
    </Flex>
  );
}
