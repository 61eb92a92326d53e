/**
 * 人证比对 for the clerk: live preview, 比对 (compare the live face with the reference photo),
 * the result with its score, 重新采集 and 人工核验 (a manual decision that needs a reason).
 *
 * Privacy: frames are analysed in memory and dropped; the reference embedding lives in this
 * component's state only; nothing is stored or sent except the record given to `onResult`
 * (decision, scores, threshold, model version, times — no pictures).
 */
import { Alert, Button, Card, Input, Modal, Radio, Select, Space, Spin, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState, type CSSProperties } from 'react';
import {
  cameraErrorMessage,
  chooseCamera,
  listCameras,
  loadPreferredCameraLabel,
  savePreferredCameraLabel,
  startCamera,
  stopCamera,
  streamCameraLabel,
  type CameraInfo,
} from './cameras';
import {
  automaticRecord,
  decideFaceMatch,
  decisionText,
  DEFAULT_FACE_MATCH_POLICY,
  manualRecord,
  type FaceCheckRecord,
  type FaceDecision,
  type FaceMatchPolicy,
} from './decide';
import { getFaceEngine, type FaceEngine, type FaceSample } from './engine';
import { sampleReferencePhoto, videoReady, type ReferencePhoto } from './photo';

export interface FaceCheckProps {
  /** The card photo (or the hub's photo); null while none is available. */
  referencePhoto: ReferencePhoto | null;
  /** Each comparison and each manual decision, for the case's audit. */
  onResult(record: FaceCheckRecord): void;
  /** Thresholds configured in main; default: the calibrated DEFAULT_FACE_MATCH_POLICY. */
  policy?: FaceMatchPolicy;
  /** Technician self-test: without a reference photo, offer to take the live picture as reference. */
  allowSelfReference?: boolean;
  /** Every measurement (the self-test page shows timings and scores). */
  onSample?(kind: 'reference' | 'live', sample: FaceSample | null): void;
}

type ReferenceState =
  | { status: 'none' }
  | { status: 'loading' }
  | { status: 'ready'; sample: FaceSample; source: 'photo' | 'camera' }
  | { status: 'no_face' }
  | { status: 'error'; message: string };

const RESULT_COLOR: Record<FaceDecision, string> = { match: '#389e0d', no_match: '#cf1322', retry: '#d46b08', spoof_suspected: '#cf1322' };
const videoStyle: CSSProperties = { width: '100%', maxWidth: 360, aspectRatio: '4 / 3', background: '#000', borderRadius: 4, objectFit: 'cover' };

function resultLine(record: FaceCheckRecord): { mark: string; text: string; color: string } {
  if (record.method === 'manual') {
    const passed = record.decision === 'match';
    return { mark: passed ? '✓' : '✗', text: `人工核验：${passed ? '通过' : '不通过'}（${record.manualReason ?? ''}）`, color: passed ? '#389e0d' : '#cf1322' };
  }
  const mark = record.decision === 'match' ? '✓' : record.decision === 'retry' ? '?' : '✗';
  return { mark, text: decisionText(record.decision, record.score), color: RESULT_COLOR[record.decision] };
}

const fmt = (v: number | null) => (v === null ? '—' : v.toFixed(2));

export function FaceCheck({ referencePhoto, onResult, policy = DEFAULT_FACE_MATCH_POLICY, allowSelfReference = false, onSample }: FaceCheckProps) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const onResultRef = useRef(onResult);
  const onSampleRef = useRef(onSample);
  onResultRef.current = onResult;
  onSampleRef.current = onSample;

  const [engine, setEngine] = useState<FaceEngine | null>(null);
  const [engineError, setEngineError] = useState<string | null>(null);
  const [cameras, setCameras] = useState<CameraInfo[]>([]);
  const [cameraId, setCameraId] = useState<string | null>(null);
  const [activeCameraId, setActiveCameraId] = useState<string | null>(null);
  const [cameraError, setCameraError] = useState<string | null>(null);
  const [streaming, setStreaming] = useState(false);
  const [reference, setReference] = useState<ReferenceState>({ status: 'none' });
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [last, setLast] = useState<FaceCheckRecord | null>(null);
  const [manualOpen, setManualOpen] = useState(false);
  const [manualDecision, setManualDecision] = useState<'match' | 'no_match'>('match');
  const [manualReason, setManualReason] = useState('');
  const attempts = useRef(0);
  const startedAt = useRef(new Date());

  // The engine (shared by the page; loads models and wasm once).
  useEffect(() => {
    let live = true;
    getFaceEngine().then(
      (e) => live && setEngine(e),
      (err: unknown) => live && setEngineError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      live = false;
    };
  }, []);

  // The camera: the remembered one (by label) or the first; restarted when the clerk picks another.
  useEffect(() => {
    let live = true;
    let stream: MediaStream | null = null;
    setStreaming(false);
    (async () => {
      try {
        let deviceId = cameraId;
        if (deviceId === null) deviceId = chooseCamera(await listCameras(), loadPreferredCameraLabel())?.deviceId || null;
        stream = await startCamera({ deviceId });
        if (!live) return stopCamera(stream);
        const video = videoRef.current;
        if (video) {
          video.srcObject = stream;
          await video.play().catch(() => undefined); // autoplay of a muted stream; a refusal leaves the frame paused
        }
        const label = streamCameraLabel(stream);
        if (label) savePreferredCameraLabel(label);
        const list = await listCameras(); // labels are known once the camera was granted
        if (!live) return;
        setCameras(list);
        setActiveCameraId(stream.getVideoTracks()[0]?.getSettings().deviceId ?? null);
        setCameraError(null);
        setStreaming(true);
      } catch (err) {
        if (live) setCameraError(cameraErrorMessage(err));
      }
    })();
    return () => {
      live = false;
      stopCamera(stream);
      if (videoRef.current) videoRef.current.srcObject = null;
    };
  }, [cameraId]);

  const resetCheck = useCallback(() => {
    attempts.current = 0;
    startedAt.current = new Date();
    setLast(null);
    setNotice(null);
  }, []);

  // The reference face: measured once per photo.
  useEffect(() => {
    if (!engine) return;
    resetCheck();
    if (!referencePhoto) {
      setReference((r) => (r.status === 'ready' && r.source === 'camera' ? r : { status: 'none' }));
      return;
    }
    let live = true;
    setReference({ status: 'loading' });
    sampleReferencePhoto(engine, referencePhoto).then(
      (sample) => {
        if (!live) return;
        onSampleRef.current?.('reference', sample);
        setReference(sample ? { status: 'ready', sample, source: 'photo' } : { status: 'no_face' });
      },
      (err: unknown) => live && setReference({ status: 'error', message: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [engine, referencePhoto, resetCheck]);

  const captureLive = useCallback(async (): Promise<FaceSample | null> => {
    const video = videoRef.current;
    if (!engine || !video) return null;
    await videoReady(video);
    const sample = await engine.detect(video);
    onSampleRef.current?.('live', sample);
    return sample;
  }, [engine]);

  const compare = useCallback(async () => {
    if (!engine || reference.status !== 'ready') return;
    setBusy(true);
    setNotice(null);
    try {
      const live = await captureLive();
      if (!live) {
        setNotice('未检测到人脸，请正对摄像头后重新采集');
        return;
      }
      if (live.faces > 1) setNotice(`画面中有 ${live.faces} 张人脸，已取最近的一张`);
      attempts.current += 1;
      const similarity = engine.similarity(reference.sample.embedding, live.embedding);
      const outcome = decideFaceMatch({ similarity, liveness: live.liveness, antispoof: live.antispoof, modelVersion: engine.modelVersion }, policy);
      const record = automaticRecord(outcome, live, { policy, modelVersion: engine.modelVersion, attempts: attempts.current, startedAt: startedAt.current, now: new Date() });
      setLast(record);
      onResultRef.current(record);
    } catch (err) {
      setNotice(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }, [engine, reference, policy, captureLive]);

  const useLiveAsReference = useCallback(async () => {
    setBusy(true);
    try {
      const sample = await captureLive();
      resetCheck();
      setReference(sample ? { status: 'ready', sample, source: 'camera' } : { status: 'no_face' });
    } catch (err) {
      setNotice(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }, [captureLive, resetCheck]);

  const submitManual = () => {
    const record = manualRecord(manualDecision, manualReason, last, {
      policy,
      modelVersion: engine?.modelVersion ?? policy.modelVersion,
      attempts: attempts.current,
      startedAt: startedAt.current,
      now: new Date(),
    });
    setLast(record);
    setManualOpen(false);
    setManualReason('');
    onResultRef.current(record);
  };

  const ready = engine !== null && streaming && reference.status === 'ready';
  const referenceText: Record<ReferenceState['status'], string> = {
    none: '无参考照片',
    loading: '正在读取参考照片…',
    ready: reference.status === 'ready' && reference.source === 'camera' ? '参考：当前画面' : '参考照片已就绪',
    no_face: '参考照片中未检测到人脸',
    error: reference.status === 'error' ? `参考照片无法读取：${reference.message}` : '',
  };
  const line = last ? resultLine(last) : null;

  return (
    <Card
      size="small"
      title="人证比对"
      data-testid="face-check"
      extra={
        <Select
          size="small"
          style={{ width: 180 }}
          placeholder="选择摄像头"
          aria-label="摄像头"
          data-testid="face-camera-select"
          value={cameras.find((c) => c.deviceId === activeCameraId)?.deviceId}
          options={cameras.map((c) => ({ value: c.deviceId, label: c.label }))}
          onChange={(id: string) => setCameraId(id)}
        />
      }
    >
      <Space direction="vertical" size={8} style={{ width: '100%' }}>
        {engineError && <Alert type="error" showIcon message={`人脸识别组件无法加载：${engineError}`} />}
        {cameraError && <Alert type="error" showIcon message={cameraError} />}
        <Spin spinning={!engine && !engineError} tip="正在加载人脸模型…">
          <video ref={videoRef} data-testid="face-video" muted playsInline autoPlay style={videoStyle} />
        </Spin>
        <Typography.Text type={reference.status === 'ready' ? 'secondary' : 'warning'} data-testid="face-reference-status" data-status={reference.status}>
          {referenceText[reference.status]}
        </Typography.Text>
        {line && last && (
          <div data-testid="face-result" data-decision={last.decision} data-method={last.method} data-score={last.score ?? ''}>
            <Typography.Text strong style={{ color: line.color, fontSize: 18 }}>
              {line.mark} {line.text}
            </Typography.Text>
            <br />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              相似度 {fmt(last.score)} · 阈值 {last.threshold.toFixed(2)} · 活体 {fmt(last.liveness)} · 防伪 {fmt(last.antispoof)} · 第 {last.attempts} 次
            </Typography.Text>
          </div>
        )}
        {notice && <Alert type="warning" showIcon message={notice} data-testid="face-notice" />}
        <Space wrap>
          <Button type="primary" onClick={() => void compare()} disabled={!ready} loading={busy} data-testid="face-compare">
            比对
          </Button>
          <Button onClick={resetCheck} disabled={busy || !last} data-testid="face-recapture">
            重新采集
          </Button>
          {allowSelfReference && (
            <Button onClick={() => void useLiveAsReference()} disabled={!engine || !streaming || busy} data-testid="face-self-reference">
              以当前画面为参考
            </Button>
          )}
          <Button onClick={() => setManualOpen(true)} disabled={busy} data-testid="face-manual">
            人工核验
          </Button>
        </Space>
      </Space>
      <Modal
        title="人工核验"
        open={manualOpen}
        okText="确认"
        cancelText="取消"
        okButtonProps={{ disabled: manualReason.trim().length < 2 }}
        onOk={submitManual}
        onCancel={() => setManualOpen(false)}
        destroyOnHidden
      >
        <Space direction="vertical" style={{ width: '100%' }}>
          <Radio.Group value={manualDecision} onChange={(e) => setManualDecision(e.target.value as 'match' | 'no_match')}>
            <Radio value="match">核验通过（本人）</Radio>
            <Radio value="no_match">核验不通过</Radio>
          </Radio.Group>
          <Input.TextArea
            aria-label="核验原因"
            placeholder="请填写人工核验的原因，例如：证件照年代久远，已核对其他证件"
            maxLength={200}
            rows={3}
            value={manualReason}
            onChange={(e) => setManualReason(e.target.value)}
          />
        </Space>
      </Modal>
    </Card>
  );
}
