/**
 * 好差评 (screens note "Rating pad / kiosk rating"): the second screen at a counter, facing the
 * applicant. Idle "请对本次服务进行评价" until main says the counter finished a handling
 * (`ratings.changed`); then five large faces with words, reason chips and an optional comment for
 * ratings ≤ 3, then "谢谢" and back to idle. Nothing here is shown to the clerk, and nothing names the
 * clerk. The kiosk reuses `RatingForm` and `RatingThanks` to rate a case it looked up.
 */
import { Alert, Button, Flex, Input, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { RATING_LEVEL_LABELS, RATING_REASONS, type RatingRequestView } from '../../../preload/case-contract';
import { hall } from '../../bridge';
import { useConsole } from '../../store/console';
import { errorText } from '../../store/errors';

export type RatingLevel = 5 | 4 | 3 | 2 | 1;
type Reason = (typeof RATING_REASONS)[number];

const LEVELS: readonly RatingLevel[] = [5, 4, 3, 2, 1];
/** Reasons are asked for ratings ≤ 3 (screens note; main/domain/rating.ts asksForReasons). */
const asksForReasons = (level: RatingLevel) => level <= 3;
/** Seconds "谢谢" stays before the pad returns to idle. */
export const THANKS_SECONDS = 5;

const FACE: Record<RatingLevel, { fill: string; stroke: string; mouth: string }> = {
  5: { fill: '#73d13d', stroke: '#389e0d', mouth: 'M28 60 Q50 88 72 60' },
  4: { fill: '#b7eb8f', stroke: '#52c41a', mouth: 'M31 64 Q50 78 69 64' },
  3: { fill: '#ffe58f', stroke: '#d4b106', mouth: 'M32 68 L68 68' },
  2: { fill: '#ffc069', stroke: '#d46b08', mouth: 'M31 74 Q50 62 69 74' },
  1: { fill: '#ff7875', stroke: '#cf1322', mouth: 'M28 78 Q50 56 72 78' },
};

/** A drawn face (no emoji font needed): smiling for 5 … frowning for 1. */
export function RatingFace({ level, size }: { level: RatingLevel; size: number | string }) {
  const f = FACE[level];
  return (
    <svg viewBox="0 0 100 100" width={size} height={size} aria-hidden="true" style={{ display: 'block' }}>
      <circle cx="50" cy="50" r="46" fill={f.fill} stroke={f.stroke} strokeWidth="4" />
      <circle cx="35" cy="40" r="6" fill="#3a3a3a" />
      <circle cx="65" cy="40" r="6" fill="#3a3a3a" />
      {level === 1 && <path d="M25 28 L42 33 M75 28 L58 33" stroke="#3a3a3a" strokeWidth="4" strokeLinecap="round" />}
      <path d={f.mouth} fill="none" stroke="#3a3a3a" strokeWidth="5" strokeLinecap="round" />
    </svg>
  );
}

export interface RatingFormProps {
  requestId: string;
  /** What was handled (service item), shown above the faces. */
  itemName: string | null;
  /** 1 normally; the kiosk's large-text mode passes more. */
  scale?: number;
  onDone(): void;
  /** The request is gone (rated or ended elsewhere): the caller reloads. */
  onGone?(message: string): void;
}

/** Choose a level (4–5 submit at once), then for ≤ 3 the reasons and an optional comment. */
export function RatingForm({ requestId, itemName, scale = 1, onDone, onGone }: RatingFormProps) {
  const [level, setLevel] = useState<RatingLevel | null>(null);
  const [reasons, setReasons] = useState<Reason[]>([]);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setLevel(null);
    setReasons([]);
    setComment('');
    setError(null);
  }, [requestId]);

  const submit = async (chosen: RatingLevel) => {
    setBusy(true);
    setError(null);
    const r = await hall().ratings.submit({
      requestId,
      level: chosen,
      reasons: asksForReasons(chosen) ? reasons : [],
      comment: asksForReasons(chosen) && comment.trim() ? comment.trim() : undefined,
    });
    setBusy(false);
    if (r.ok) onDone();
    else if ((r.error.code === 'conflict' || r.error.code === 'not_found') && onGone) onGone(errorText(r.error));
    else setError(errorText(r.error));
  };

  const choose = (chosen: RatingLevel) => {
    if (busy) return;
    setLevel(chosen);
    if (!asksForReasons(chosen)) void submit(chosen);
  };

  const font = (px: number) => `calc(${px}px * ${scale})`;
  const errorBox = error && <Alert type="error" showIcon title={error} style={{ fontSize: font(20) }} data-testid="rating-error" />;

  if (level !== null && asksForReasons(level)) {
    return (
      <Flex vertical align="center" gap={20} style={{ width: '100%', maxWidth: 1100 }} data-testid="rating-reasons">
        <Flex align="center" gap={16}>
          <RatingFace level={level} size={`calc(64px * ${scale})`} />
          <Typography.Text strong style={{ fontSize: font(34) }}>
            {RATING_LEVEL_LABELS[level]}
          </Typography.Text>
        </Flex>
        <Typography.Text style={{ fontSize: font(24) }}>请告诉我们哪里需要改进（可多选）</Typography.Text>
        <Flex wrap gap={16} justify="center">
          {RATING_REASONS.map((reason) => {
            const checked = reasons.includes(reason);
            return (
              <Tag.CheckableTag
                key={reason}
                checked={checked}
                onChange={(on) => setReasons((rs) => (on ? [...rs, reason] : rs.filter((x) => x !== reason)))}
                style={{
                  fontSize: font(24),
                  padding: `calc(14px * ${scale}) calc(28px * ${scale})`,
                  borderRadius: 40,
                  border: `2px solid ${checked ? '#1456a0' : '#c9d3df'}`,
                  background: checked ? '#1456a0' : '#fff',
                  color: checked ? '#fff' : '#333',
                  marginInlineEnd: 0,
                }}
                data-testid={`rating-reason-${reason}`}
              >
                {reason}
              </Tag.CheckableTag>
            );
          })}
        </Flex>
        <Input.TextArea
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          maxLength={300}
          showCount
          autoSize={{ minRows: 2, maxRows: 4 }}
          placeholder="其他意见或建议（选填）"
          style={{ fontSize: font(20), maxWidth: 820, marginBottom: 12 }}
          aria-label="其他意见或建议"
          data-testid="rating-comment"
        />
        {errorBox}
        <Flex gap={24}>
          <Button size="large" style={{ height: font(68), fontSize: font(24), paddingInline: 40 }} onClick={() => setLevel(null)} disabled={busy}>
            重新选择
          </Button>
          <Button
            type="primary"
            size="large"
            style={{ height: font(68), fontSize: font(24), paddingInline: 56 }}
            loading={busy}
            onClick={() => void submit(level)}
            data-testid="rating-submit"
          >
            提交评价
          </Button>
        </Flex>
      </Flex>
    );
  }

  return (
    <Flex vertical align="center" gap={24} style={{ width: '100%' }} data-testid="rating-choose">
      <Typography.Title level={2} style={{ margin: 0, fontSize: font(40) }}>
        请您对本次服务进行评价
      </Typography.Title>
      {itemName && (
        <Typography.Text type="secondary" style={{ fontSize: font(22) }} data-testid="rating-item">
          办理事项：{itemName}
        </Typography.Text>
      )}
      <Flex gap="min(2vw, 28px)" justify="center" style={{ width: '100%' }}>
        {LEVELS.map((l) => (
          <button
            key={l}
            type="button"
            aria-label={RATING_LEVEL_LABELS[l]}
            onClick={() => choose(l)}
            disabled={busy}
            data-testid={`rating-level-${l}`}
            style={{
              width: `min(17vw, calc(300px * ${scale}))`,
              padding: 'min(2.4vh, 24px) 8px',
              border: `3px solid ${level === l ? FACE[l].stroke : '#dfe6ee'}`,
              borderRadius: 20,
              background: '#fff',
              boxShadow: '0 6px 18px rgba(15,63,120,.12)',
              cursor: 'pointer',
              display: 'flex',
              flexDirection: 'column',
              alignItems: 'center',
              gap: 'min(2vh, 18px)',
              touchAction: 'manipulation',
            }}
          >
            <RatingFace level={l} size={`min(11vw, 22vh, calc(180px * ${scale}))`} />
            <span style={{ fontSize: `min(2.6vw, calc(36px * ${scale}))`, fontWeight: 600, color: '#222', whiteSpace: 'nowrap' }}>{RATING_LEVEL_LABELS[l]}</span>
          </button>
        ))}
      </Flex>
      {errorBox}
    </Flex>
  );
}

export function RatingThanks({ scale = 1 }: { scale?: number }) {
  return (
    <Flex vertical align="center" gap={16} data-testid="rating-thanks">
      <RatingFace level={5} size={`calc(120px * ${scale})`} />
      <Typography.Title level={1} style={{ margin: 0, fontSize: `calc(56px * ${scale})` }}>
        谢谢您的评价！
      </Typography.Title>
      <Typography.Text type="secondary" style={{ fontSize: `calc(26px * ${scale})` }}>
        您的意见将帮助我们改进服务
      </Typography.Text>
    </Flex>
  );
}

/** The rating pad of one counter (a kiosk session bound to it). */
export function RatingPad() {
  const counter = useConsole((s) => s.session?.counter ?? null);
  const [request, setRequest] = useState<RatingRequestView | null>(null);
  const [thanks, setThanks] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    const r = await hall().ratings.pending({});
    if (r.ok) setRequest(r.value);
  }, []);
  useEffect(() => {
    void load();
    return hall().on('ratings.changed', ({ counterId }) => {
      if (counterId === null || counterId === counter?.id) void load();
    });
  }, [load, counter?.id]);
  useEffect(() => {
    if (!thanks) return;
    const t = setTimeout(() => {
      setThanks(false);
      void load();
    }, THANKS_SECONDS * 1000);
    return () => clearTimeout(t);
  }, [thanks, load]);
  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => setNotice(null), 6000);
    return () => clearTimeout(t);
  }, [notice]);

  return (
    <Flex
      vertical
      style={{ height: '100%', minHeight: '100%', background: 'linear-gradient(180deg, #0f3f78 0, #1456a0 84px, #f0f4f9 84px)', overflow: 'hidden' }}
      data-testid="rating-pad"
    >
      <Flex align="center" justify="space-between" style={{ height: 84, padding: '0 40px', color: '#fff', flex: 'none' }}>
        <Typography.Text style={{ color: '#fff', fontSize: 30, fontWeight: 600 }} data-testid="rating-pad-counter">
          {counter ? `${counter.number}号窗口` : ''}
        </Typography.Text>
        <Typography.Text style={{ color: '#dbe7f5', fontSize: 22 }}>政务服务 · 好差评</Typography.Text>
      </Flex>
      <Flex vertical align="center" justify="center" style={{ flex: 1, padding: '24px 32px', minHeight: 0 }}>
        {notice && <Alert type="info" showIcon title={notice} style={{ fontSize: 20, marginBottom: 24 }} />}
        {thanks ? (
          <RatingThanks />
        ) : request ? (
          <RatingForm
            requestId={request.id}
            itemName={request.serviceItemName}
            onDone={() => {
              setRequest(null);
              setThanks(true);
            }}
            onGone={(message) => {
              setNotice(message);
              void load();
            }}
          />
        ) : (
          <Flex vertical align="center" gap={20} data-testid="rating-idle">
            <Flex gap={18}>
              {LEVELS.map((l) => (
                <RatingFace key={l} level={l} size={72} />
              ))}
            </Flex>
            <Typography.Title level={1} style={{ margin: 0, fontSize: 52, color: '#0f3f78' }}>
              请对本次服务进行评价
            </Typography.Title>
            <Typography.Text type="secondary" style={{ fontSize: 24 }}>
              业务办理完成后，请在此屏幕上点选您的评价
            </Typography.Text>
          </Flex>
        )}
      </Flex>
    </Flex>
  );
}
