/**
 * 人脸 (F6): the live face against the card photo, with the shared FaceCheck component. Every
 * comparison and manual decision is recorded by main (`face.record`), which applies the match rule
 * again; no picture leaves this window.
 */
import { Alert, Modal, Tag } from 'antd';
import { useEffect, useState } from 'react';
import type { FaceCheckRecord } from '../../../preload/face-policy';
import { hall } from '../../bridge';
import { FaceCheck } from '../../face/FaceCheck';
import { errorText } from '../../store/errors';
import { useConsole } from '../../store/console';

function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('证件照片无法显示'));
    img.src = src;
  });
}

export function FacePanel({
  open,
  onClose,
  onRecorded,
}: {
  open: boolean;
  onClose(): void;
  /** Each check main recorded (the intake attaches a passing one with `intake.verifyFace`). */
  onRecorded?(record: { id: string; decision: FaceCheckRecord['decision'] }): void;
}) {
  const card = useConsole((s) => s.card);
  const [reference, setReference] = useState<HTMLImageElement | null>(null);
  const [recorded, setRecorded] = useState<{ decision: FaceCheckRecord['decision']; method: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setReference(null);
    setRecorded(null);
    if (card?.photoDataUrl) void loadImage(card.photoDataUrl).then(setReference, (e: Error) => setError(e.message));
  }, [card]);

  const onResult = async (record: FaceCheckRecord) => {
    const r = await hall().face.record(record);
    if (r.ok) {
      setRecorded({ decision: r.value.decision, method: record.method });
      setError(null);
      onRecorded?.({ id: r.value.id, decision: r.value.decision });
    } else setError(errorText(r.error));
  };

  return (
    <Modal title="人证比对（实人核验）" open={open} onCancel={onClose} footer={null} width={760} destroyOnHidden data-testid="face-panel">
      {!card && <Alert type="info" showIcon message="请先读取申请人的身份证，再进行人脸比对" />}
      {card && !card.photoDataUrl && <Alert type="warning" showIcon message="该证件没有可用的照片，请使用人工核验" />}
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 8 }} />}
      {recorded && (
        <div data-testid="face-recorded" data-decision={recorded.decision} style={{ marginBottom: 8 }}>
          已记录：<Tag color={recorded.decision === 'match' ? 'green' : 'red'}>{{ match: '通过', no_match: '未通过', retry: '待重新采集', spoof_suspected: '疑似非活体' }[recorded.decision]}</Tag>
          {recorded.method === 'manual' ? '（人工核验）' : ''}
        </div>
      )}
      {card && <FaceCheck referencePhoto={reference} onResult={(r) => void onResult(r)} />}
    </Modal>
  );
}
