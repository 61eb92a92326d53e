/**
 * The intake in the centre of the clerk's screen (实名实人 → 事项 → 受理): start (F8, or by itself when
 * the applicant's card is read while a ticket is served), the applicant and 代办 agent as main
 * registered them from the card, the face check (F6), credit standing, the service item search,
 * notes, and the decision bar (F8 受理 · 一次性告知 · 不予受理). The draft lives in main; nothing the
 * clerk clicked or typed is lost by a restart.
 */
import { Alert, App, Button, Flex, Form, Input, Select, Space, Switch, Tag, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { create } from 'zustand';
import {
  CREDIT_STANDING_LABELS,
  DOCUMENT_LABELS,
  INTAKE_DECISION_LABELS,
  ITEM_KIND_LABELS,
  type CatalogItemView,
  type DocumentKind,
  type PersonView,
} from '../../../preload/case-contract';
import type { PrintJobView } from '../../../preload/contract';
import type { FaceDecision } from '../../../preload/face-policy';
import { hall } from '../../bridge';
import { daysUntil, shortTime } from '../../lib/dates';
import { textProblem, textRules } from '../../lib/form-rules';
import { formatFen } from '../../lib/money';
import { useCases } from '../../store/cases';
import { useConsole } from '../../store/console';
import { errorText } from '../../store/errors';
import { flushIntakeOnHide, useIntake, type DecisionOutcome } from '../../store/intake';
import { DecisionDialog, DiscardDialog, type DecisionKind } from './DecisionDialogs';

// ---------- which dialog is open (keys open them too) ----------

type Dialog = DecisionKind | 'discard' | null;
const useIntakeUi = create<{ dialog: Dialog; setDialog(d: Dialog): void }>((set) => ({ dialog: null, setDialog: (dialog) => set({ dialog }) }));

/** A dialog or drawer of the page is open (it owns Esc and Enter then). */
function overlayOpen(options: { drawers: boolean } = { drawers: true }): boolean {
  return Array.from(document.querySelectorAll('[role="dialog"]')).some(
    (el) => el.getClientRects().length > 0 && (options.drawers || !el.classList.contains('ant-drawer-section')),
  );
}

function editableFocused(): boolean {
  const el = document.activeElement;
  return el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || (el instanceof HTMLElement && el.isContentEditable);
}

const PRIMARY_DOCUMENT: Record<DecisionKind, DocumentKind> = { accept: 'acceptance-receipt', correction: 'correction-notice', refuse: 'refusal-decision' };

function decisionOf(result: DecisionOutcome): DecisionKind {
  const state = result.case.state;
  return state === 'rejected' ? 'refuse' : state === 'correction' ? 'correction' : 'accept';
}

/** 补打 every document of the last decision (F9). */
async function reprintDocuments(result: DecisionOutcome): Promise<string | null> {
  const kinds = result.case.documents.length ? result.case.documents : [PRIMARY_DOCUMENT[decisionOf(result)]];
  for (const kind of kinds) {
    const r = await hall().cases.print({ id: result.case.id, kind });
    if (!r.ok) return errorText(r.error);
  }
  return null;
}

/**
 * F8 开始受理 / 受理, F9 补打, Esc 取消 (放弃受理 asks for a reason). F1–F6 belong to the workspace.
 */
function useIntakeShortcuts() {
  const { message } = App.useApp();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'F8' && e.key !== 'F9' && e.key !== 'Escape') return;
      if (e.key !== 'Escape') e.preventDefault();
      const intake = useIntake.getState();
      const ui = useIntakeUi.getState();
      // Esc closes the case drawer even when the focus is not inside it (unless a dialog sits on top).
      if (e.key === 'Escape' && useCases.getState().openId && !overlayOpen({ drawers: false })) {
        useCases.getState().close();
        return;
      }
      if (ui.dialog || overlayOpen()) return;
      if (e.key === 'F8') {
        if (!intake.view) void intake.start(); // a refusal shows in the header
        else if (intake.view.blockers.length) message.warning(`暂不能受理：${intake.view.blockers.join('；')}`);
        else ui.setDialog('accept');
      } else if (e.key === 'F9') {
        if (useCases.getState().openId) return; // the case drawer prints its own documents
        const result = intake.result;
        if (!result) return void message.info('没有可补打的文书：办件详情中可打印每份文书');
        void reprintDocuments(result).then((err) => (err ? message.warning(err) : message.success('已发送补打')));
      } else if (e.key === 'Escape') {
        if (editableFocused()) {
          (document.activeElement as HTMLElement).blur();
          return;
        }
        // Only while the intake is on screen (not from the 办件 tab).
        const onScreen = (document.querySelector('[data-testid="intake-body"]')?.getClientRects().length ?? 0) > 0;
        if (intake.view && onScreen) ui.setDialog('discard');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [message]);
}

/**
 * A card read while an intake is open fills the first empty slot (applicant, then the 代办 agent);
 * a card read while a ticket is served and no intake is open starts one.
 */
function useCardToIntake() {
  const card = useConsole((s) => s.card);
  const seen = useRef(card?.readAt ?? null);
  useEffect(() => {
    if (!card || card.readAt === seen.current) return;
    seen.current = card.readAt;
    void (async () => {
      const intake = useIntake.getState();
      if (!intake.loaded) return;
      // A refusal shows in the intake header (store.error).
      if (!intake.view) {
        const serving = useConsole.getState().queue?.current?.state === 'serving';
        if (!serving || (await intake.start())) return;
      }
      const view = useIntake.getState().view;
      if (!view) return;
      const role = !view.applicant ? 'applicant' : view.agentApplication && !view.agent ? 'agent' : null;
      if (!role) return; // both slots filled: the clerk chooses with 换用当前证件
      await useIntake.getState().takeCard(role);
    })();
  }, [card]);
}

/**
 * After FacePanel recorded a passing check (automatic or the clerk's override), it counts for the
 * intake; `onAttached` (closing the face dialog) follows a moment later, once the clerk saw the result.
 */
export function useFaceRecorded(onAttached?: () => void): (record: { id: string; decision: FaceDecision }) => void {
  const { message } = App.useApp();
  return useCallback(
    (record) => {
      const intake = useIntake.getState();
      if (!intake.view || record.decision !== 'match') return;
      void intake.verifyFace(record.id).then((err) => {
        if (err) return void message.warning(err);
        message.success('实人核验结果已记入本次受理');
        if (onAttached) setTimeout(onAttached, 800);
      });
    },
    [message, onAttached],
  );
}

// ---------- pieces ----------

function SaveStatus() {
  const save = useIntake((s) => s.save);
  const savedAt = useIntake((s) => s.savedAt);
  const error = useIntake((s) => s.error);
  const text = { idle: '', pending: '待保存…', saving: '保存中…', saved: `草稿已保存${savedAt ? ` ${shortTime(savedAt)}` : ''}`, error: '保存失败' }[save];
  const color = { idle: 'default', pending: 'default', saving: 'processing', saved: 'success', error: 'error' }[save];
  if (!text) return null;
  return (
    <Tooltip title={save === 'error' ? error : '每次修改都会保存，断电或重启后可继续'}>
      <Tag color={color} data-testid="draft-status" data-state={save} style={{ marginInlineEnd: 0 }}>
        {text}
      </Tag>
    </Tooltip>
  );
}

function PersonLine({ label, person, testId, action }: { label: string; person: PersonView | null; testId: string; action: ReactNode }) {
  const left = person ? daysUntil(person.validTo) : null;
  return (
    <Flex align="center" gap={8} wrap style={{ minHeight: 28 }} data-testid={testId} data-filled={person ? 'yes' : 'no'}>
      <Typography.Text type="secondary" style={{ width: 56, flex: 'none' }}>
        {label}
      </Typography.Text>
      {person ? (
        <>
          <Typography.Text strong data-testid={`${testId}-name`}>
            {person.nameMasked}
          </Typography.Text>
          <Typography.Text>{person.idNumberMasked}</Typography.Text>
          <Typography.Text type="secondary">
            {person.kindLabel} · 有效期至 {person.validTo}
          </Typography.Text>
          {person.expired && <Tag color="red">证件已过期</Tag>}
          {!person.expired && left !== null && left <= 30 && <Tag color="orange">{left <= 0 ? '今天到期' : `${left} 天后到期`}</Tag>}
          {!person.idNumberValid && <Tag color="red">证件号码校验不通过</Tag>}
        </>
      ) : (
        <Typography.Text type="secondary">未登记 · 请将证件放在读卡器上（F5 读卡）</Typography.Text>
      )}
      <span style={{ marginLeft: 'auto' }}>{action}</span>
    </Flex>
  );
}

function Persons() {
  const view = useIntake((s) => s.view)!;
  const agentApplication = useIntake((s) => s.agentApplication);
  const busy = useIntake((s) => s.busy);
  const card = useConsole((s) => s.card);
  const use = (role: 'applicant' | 'agent') => void useIntake.getState().takeCard(role); // a refusal shows in the header
  const button = (role: 'applicant' | 'agent', filled: boolean) =>
    card ? (
      <Button size="small" disabled={busy} onClick={() => use(role)} data-testid={`use-card-${role}`}>
        {filled ? '换用当前证件' : '使用当前证件'}
      </Button>
    ) : null;
  return (
    <Flex vertical gap={2} style={{ marginTop: 8 }}>
      <PersonLine label="申请人" person={view.applicant} testId="intake-applicant" action={button('applicant', !!view.applicant)} />
      {agentApplication && <PersonLine label="代办人" person={view.agent} testId="intake-agent" action={button('agent', !!view.agent)} />}
    </Flex>
  );
}

function IdentityAndCredit({ onOpenFace }: { onOpenFace(): void }) {
  const view = useIntake((s) => s.view);
  const status = view?.identity.status ?? 'none';
  const who = view?.agentApplication ? '代办人' : '申请人';
  const credit = view?.credit ?? null;
  const creditColor = credit ? { good: 'green', normal: 'default', dishonest: 'red', watch: 'orange' }[credit.standing] : 'default';
  return (
    <>
      <Flex align="center" gap={8} wrap style={{ marginTop: 6 }}>
        <Typography.Text type="secondary" style={{ width: 56, flex: 'none' }}>
          实人核验
        </Typography.Text>
        {view && (
          <span data-testid="identity-status" data-status={status}>
            {status === 'face_match' && <Tag color="green">✓ {who}人脸比对通过</Tag>}
            {status === 'manual_override' && <Tag color="orange">✓ 人工核验通过（已记录原因）</Tag>}
            {status === 'none' && <Tag>未核验 · {who}本人须人脸比对</Tag>}
          </span>
        )}
        <Button size="small" onClick={onOpenFace} data-testid="open-face">
          F6 人脸比对
        </Button>
        {credit && (
          <>
            <Typography.Text type="secondary" style={{ marginLeft: 12 }}>
              信用
            </Typography.Text>
            <Tag color={creditColor} data-testid="credit-standing" data-standing={credit.standing}>
              {CREDIT_STANDING_LABELS[credit.standing]}
            </Tag>
          </>
        )}
      </Flex>
      {credit && (credit.standing === 'dishonest' || credit.standing === 'watch') && (
        <Alert
          type={credit.standing === 'dishonest' ? 'error' : 'warning'}
          showIcon
          style={{ marginTop: 6 }}
          title={`${CREDIT_STANDING_LABELS[credit.standing]}：${credit.measures.length ? `适用的联合奖惩措施 — ${credit.measures.join('；')}` : '暂无适用本事项的措施'}`}
          description="受理时须选择执行措施，或填写不执行的原因。"
          data-testid="credit-measures"
        />
      )}
      {credit && credit.standing === 'good' && credit.measures.length > 0 && (
        <Typography.Text type="success" style={{ display: 'block', marginTop: 4 }}>
          守信激励：{credit.measures.join('；')}
        </Typography.Text>
      )}
    </>
  );
}

function itemOption(i: CatalogItemView) {
  return {
    value: i.code,
    item: i,
    label: (
      <Flex justify="space-between" gap={8}>
        <span style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>{i.name}</span>
        <span style={{ flex: 'none', color: '#888' }}>
          <Tag color={i.kind === 'promised' ? 'blue' : 'green'} style={{ marginInlineEnd: 4 }}>
            {ITEM_KIND_LABELS[i.kind]}
          </Tag>
          {i.code}
        </span>
      </Flex>
    ),
  };
}

function ItemSearch() {
  const { message } = App.useApp();
  const item = useIntake((s) => s.item);
  const view = useIntake((s) => s.view);
  const [results, setResults] = useState<CatalogItemView[]>([]);
  const [searching, setSearching] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const seq = useRef(0);

  const search = useCallback(
    (query: string) => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(async () => {
        const n = ++seq.current;
        setSearching(true);
        const r = await hall().catalog.search({ query: query.trim().slice(0, 60) });
        if (n !== seq.current) return;
        setSearching(false);
        if (r.ok) setResults(r.value);
        else message.warning(errorText(r.error));
      }, 200);
    },
    [message],
  );
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);

  const options = [...(item && !results.some((r) => r.code === item.code) ? [item] : []), ...results].map(itemOption);
  return (
    <div style={{ marginTop: 10 }}>
      <Flex align="center" gap={8}>
        <Typography.Text type="secondary" style={{ width: 56, flex: 'none' }}>
          办理事项
        </Typography.Text>
        <Select
          style={{ flex: 1, minWidth: 0 }}
          value={view?.serviceItemCode ?? undefined}
          placeholder="输入事项名称、编码或拼音首字母（如 gtgsh）"
          showSearch={{ filterOption: false, onSearch: search }}
          onFocus={() => results.length === 0 && search('')}
          loading={searching}
          notFoundContent={searching ? '正在查找…' : '没有找到事项'}
          options={options}
          onChange={(_code, option) => useIntake.getState().chooseItem((option as { item?: CatalogItemView } | undefined)?.item ?? null)}
          allowClear
          data-testid="item-search"
        />
      </Flex>
      {item && (
        <Typography.Text type="secondary" style={{ display: 'block', margin: '4px 0 0 64px', fontSize: 13 }} data-testid="item-facts">
          {item.department} · <Tag color={item.kind === 'promised' ? 'blue' : 'green'}>{ITEM_KIND_LABELS[item.kind]}</Tag>
          {item.kind === 'promised' ? `法定 ${item.legalLimitDays} / 承诺 ${item.promisedLimitDays} 个工作日` : '当场办结'}
          {' · '}
          {item.fees.length ? `收费 ${formatFen(item.fees.reduce((s, f) => s + f.amountFen, 0))}` : '不收费'}
          {item.toleranceAllowed ? ' · 可容缺受理' : ''}
        </Typography.Text>
      )}
    </div>
  );
}

function Notes() {
  const view = useIntake((s) => s.view)!;
  const [form] = Form.useForm<{ notes: string }>();
  return (
    <Form
      key={view.id}
      form={form}
      initialValues={{ notes: useIntake.getState().notes }}
      onValuesChange={({ notes }: { notes?: string }) => {
        // Checked here at once (the field shows the same sentence); only a valid text is saved.
        if (notes !== undefined && !textProblem('备注', 1000, false, notes)) useIntake.getState().setNotes(notes);
      }}
      style={{ marginTop: 8 }}
    >
      <Form.Item name="notes" label="备注" rules={textRules('备注', 1000, false)} style={{ marginBottom: 0 }} colon={false} labelCol={{ flex: '64px' }}>
        <Input.TextArea autoSize={{ minRows: 1, maxRows: 3 }} placeholder="受理过程需要记下的情况（随草稿保存）" data-testid="intake-notes" />
      </Form.Item>
    </Form>
  );
}

function DecisionBar() {
  const view = useIntake((s) => s.view)!;
  const busy = useIntake((s) => s.busy);
  const setDialog = useIntakeUi((s) => s.setDialog);
  const a = view.assessment;
  const canCorrect = !!a && (a.missing.length > 0 || a.defective.length > 0);
  const hasItem = !!view.serviceItemCode;
  return (
    <div style={{ marginTop: 10, paddingTop: 8, borderTop: '1px dashed #d9d9d9' }} data-testid="decision-bar">
      {view.blockers.length > 0 && (
        <ul style={{ margin: '0 0 6px', paddingInlineStart: 18, color: '#cf1322', fontSize: 13 }} data-testid="blockers">
          {view.blockers.map((b) => (
            <li key={b}>{b}</li>
          ))}
        </ul>
      )}
      <Flex gap={8} align="center" wrap>
        <Tooltip title={view.blockers.length ? view.blockers.join('；') : '受理并打印受理回执'}>
          <Button type="primary" disabled={view.blockers.length > 0 || busy} onClick={() => setDialog('accept')} data-testid="decide-accept">
            F8 受理
          </Button>
        </Tooltip>
        <Tooltip title={canCorrect ? '列出全部缺少和需补正的材料' : '没有缺少或需补正的材料'}>
          <Button disabled={!canCorrect || busy} onClick={() => setDialog('correction')} data-testid="decide-correction">
            一次性告知
          </Button>
        </Tooltip>
        <Button danger disabled={!hasItem || !view.applicant || busy} onClick={() => setDialog('refuse')} data-testid="decide-refuse">
          不予受理
        </Button>
        <Button type="text" onClick={() => setDialog('discard')} data-testid="discard" style={{ marginLeft: 'auto' }}>
          Esc 放弃受理
        </Button>
      </Flex>
    </div>
  );
}

/** The documents of the last decision as the printer reports them. */
function PrintedDocuments({ jobIds }: { jobIds: string[] }) {
  const [jobs, setJobs] = useState<PrintJobView[]>([]);
  useEffect(() => {
    let live = true;
    void hall()
      .printer.jobs({ limit: 50 })
      .then((r) => live && r.ok && setJobs(r.value.filter((j) => jobIds.includes(j.id))));
    const off = hall().on('printer.job', (job) => {
      if (jobIds.includes(job.id)) setJobs((list) => [...list.filter((j) => j.id !== job.id), job]);
    });
    return () => {
      live = false;
      off();
    };
  }, [jobIds]);
  if (jobIds.length === 0) return <span>未能送打印机，请在办件详情中补打</span>;
  const stateText = { queued: '排队中', printing: '打印中', printed: '已打印', failed: '打印失败' } as const;
  return (
    <span data-testid="printed-documents">
      已送打印：
      {jobs.length === 0
        ? `${jobIds.length} 份文书`
        : jobs.map((j) => (
            <Tag key={j.id} color={j.state === 'failed' ? 'red' : j.state === 'printed' ? 'green' : 'blue'} title={j.lastError ?? undefined}>
              {DOCUMENT_LABELS[j.kind as DocumentKind] ?? j.kind} · {stateText[j.state]}
              {j.state === 'failed' && j.lastError ? `（${j.lastError}）` : ''}
            </Tag>
          ))}
    </span>
  );
}

function LastResult() {
  const result = useIntake((s) => s.result);
  const { message } = App.useApp();
  if (!result) return null;
  const kind = decisionOf(result);
  return (
    <Alert
      type={kind === 'refuse' ? 'warning' : 'success'}
      showIcon
      closable={{ onClose: () => useIntake.getState().clearResult() }}
      style={{ marginBottom: 8 }}
      data-testid="decision-result"
      data-decision={kind}
      title={
        <span>
          {INTAKE_DECISION_LABELS[kind]} · {result.case.serviceItemName} · 办件编号{' '}
          <Typography.Text strong copyable data-testid="receipt-no">
            {result.case.receiptNo}
          </Typography.Text>
        </span>
      }
      description={
        <Flex gap={8} align="center" wrap>
          <PrintedDocuments jobIds={result.printJobIds} />
          <Button size="small" onClick={() => void reprintDocuments(result).then((err) => (err ? message.warning(err) : message.success('已发送补打')))}>
            F9 补打
          </Button>
          <Button size="small" type="link" onClick={() => void useCases.getState().open(result.case.id)}>
            查看办件
          </Button>
        </Flex>
      }
    />
  );
}

/** Above the card reader: start or the draft's status, 代办, the mismatch banner, the last decision. */
export function IntakeHeader() {
  const loaded = useIntake((s) => s.loaded);
  const view = useIntake((s) => s.view);
  const busy = useIntake((s) => s.busy);
  const agentApplication = useIntake((s) => s.agentApplication);
  const error = useIntake((s) => s.error);
  const save = useIntake((s) => s.save);
  const currentTicket = useConsole((s) => s.queue?.current ?? null);
  useIntakeShortcuts();
  useCardToIntake();
  useEffect(() => {
    void useIntake.getState().load();
    const detach = flushIntakeOnHide();
    return () => {
      detach();
      useIntake.getState().reset();
    };
  }, []);

  return (
    <div data-testid="intake-header" style={{ marginBottom: 8 }}>
      <LastResult />
      {view ? (
        <Flex align="center" gap={12} wrap>
          <Typography.Text strong>受理中{view.ticketNumber ? ` · ${view.ticketNumber}` : ' · 现场受理'}</Typography.Text>
          <Typography.Text type="secondary">开始于 {shortTime(view.startedAt)}</Typography.Text>
          <SaveStatus />
          <Space size={6} style={{ marginLeft: 'auto' }}>
            <Typography.Text>代办</Typography.Text>
            <Switch
              size="small"
              checked={agentApplication}
              onChange={(on) => useIntake.getState().setAgent(on)}
              data-testid="agent-switch"
              aria-label="代办"
            />
          </Space>
        </Flex>
      ) : (
        <Flex align="center" gap={12}>
          <Button
            type="primary"
            disabled={!loaded}
            loading={busy}
            onClick={() => void useIntake.getState().start()}
            data-testid="intake-start"
          >
            F8 开始受理
          </Button>
          <Typography.Text type="secondary">开始办理号票后，申请人放置身份证即自动开始受理</Typography.Text>
        </Flex>
      )}
      {view && currentTicket && view.ticketNumber !== currentTicket.number && (
        <Alert
          type="warning"
          showIcon
          style={{ marginTop: 8 }}
          title={`本受理草稿${view.ticketNumber ? `属于号票 ${view.ticketNumber}` : '为现场受理'}，当前号票为 ${currentTicket.number}：请先完成受理，或按 Esc 放弃草稿`}
          data-testid="draft-other-ticket"
        />
      )}
      {view?.ticketMismatch && (
        <Alert
          type="error"
          showIcon
          banner
          style={{ marginTop: 8, fontWeight: 600 }}
          title="所读身份证与取号时登记的身份证不一致：请核实申请人身份，不一致时不能受理"
          data-testid="ticket-mismatch"
        />
      )}
      {error && save !== 'error' && (
        <Alert type="warning" showIcon closable={{ onClose: () => useIntake.getState().clearError() }} title={error} style={{ marginTop: 8 }} data-testid="intake-error" />
      )}
      {error && save === 'error' && <Alert type="error" showIcon title={`草稿未能保存：${error}`} style={{ marginTop: 8 }} data-testid="intake-error" />}
    </div>
  );
}

/** Below the card reader: who is registered, 实人, credit, 事项, notes, the decision. */
export function IntakeBody({ onOpenFace }: { onOpenFace(): void }) {
  const view = useIntake((s) => s.view);
  const dialog = useIntakeUi((s) => s.dialog);
  const setDialog = useIntakeUi((s) => s.setDialog);
  return (
    <div data-testid="intake-body">
      {view && <Persons />}
      <IdentityAndCredit onOpenFace={onOpenFace} />
      {view && (
        <>
          <ItemSearch />
          <Notes />
          <DecisionBar />
        </>
      )}
      <DecisionDialog kind={dialog === 'discard' ? null : dialog} onClose={() => setDialog(null)} />
      <DiscardDialog open={dialog === 'discard'} onClose={() => setDialog(null)} />
    </div>
  );
}
