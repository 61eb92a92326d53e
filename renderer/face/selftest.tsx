/**
 * 摄像头自检 (the technician's camera self-test, /face/selftest.html): pick the camera, see the live
 * picture, compare it with a chosen test photo or with itself, and read the engine's timings.
 * The same FaceCheck the clerk uses; nothing is stored or sent.
 */
import { App as AntApp, Button, ConfigProvider, Descriptions, Space, Typography, Upload } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { FaceCheckRecord } from './decide';
import { getFaceEngine, type FaceEngine, type FaceSample } from './engine';
import { FaceCheck } from './FaceCheck';
import { installSelftestHook } from './selftest-hook';

const ms = (v: number | undefined) => (v === undefined ? '—' : `${Math.round(v)} ms`);

function SelfTest() {
  const [engine, setEngine] = useState<FaceEngine | null>(null);
  const [photo, setPhoto] = useState<File | null>(null);
  const [record, setRecord] = useState<FaceCheckRecord | null>(null);
  const [samples, setSamples] = useState<{ reference?: FaceSample | null; live?: FaceSample | null }>({});

  useEffect(() => {
    let live = true;
    getFaceEngine().then((e) => live && setEngine(e), () => undefined);
    return () => {
      live = false;
    };
  }, []);

  return (
    <div style={{ maxWidth: 880, margin: '24px auto', padding: '0 16px' }}>
      <Typography.Title level={3}>摄像头自检 · 人证比对</Typography.Title>
      <div style={{ display: 'flex', gap: 16, alignItems: 'flex-start', flexWrap: 'wrap' }}>
        <div style={{ flex: '1 1 380px' }}>
          <FaceCheck
            referencePhoto={photo}
            allowSelfReference
            onResult={setRecord}
            onSample={(kind, sample) => setSamples((s) => ({ ...s, [kind]: sample }))}
          />
        </div>
        <Space direction="vertical" style={{ flex: '1 1 380px' }}>
          <Space>
            <Upload
              accept="image/jpeg,image/png"
              showUploadList={false}
              beforeUpload={(file) => {
                setPhoto(file);
                return false; // read locally, never uploaded
              }}
            >
              <Button data-testid="selftest-photo">选择参考照片</Button>
            </Upload>
            <Button onClick={() => setPhoto(null)} disabled={!photo}>
              清除参考照片
            </Button>
          </Space>
          <Descriptions size="small" column={1} bordered data-testid="selftest-figures">
            <Descriptions.Item label="推理后端">{engine?.backend ?? '加载中…'}</Descriptions.Item>
            <Descriptions.Item label="模型">{engine?.modelVersion ?? '—'}</Descriptions.Item>
            <Descriptions.Item label="加载耗时">{ms(engine?.setupMs)}</Descriptions.Item>
            <Descriptions.Item label="预热耗时">{ms(engine?.warmupMs)}</Descriptions.Item>
            <Descriptions.Item label="参考照片检测">{samples.reference === null ? '未检测到人脸' : ms(samples.reference?.ms)}</Descriptions.Item>
            <Descriptions.Item label="画面检测">
              {samples.live === null ? '未检测到人脸' : samples.live ? `${ms(samples.live.ms)} · ${samples.live.faces} 张人脸` : '—'}
            </Descriptions.Item>
          </Descriptions>
          <Typography.Text type="secondary">比对结果（仅分数与结论，不含图像）：</Typography.Text>
          <pre data-testid="face-record" style={{ fontSize: 12, background: '#fff', padding: 8, margin: 0, minHeight: 40 }}>
            {record ? JSON.stringify(record, null, 2) : ''}
          </pre>
        </Space>
      </div>
    </div>
  );
}

installSelftestHook();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ConfigProvider locale={zhCN} theme={{ token: { colorPrimary: '#1456a0', borderRadius: 4 } }}>
      <AntApp>
        <SelfTest />
      </AntApp>
    </ConfigProvider>
  </StrictMode>,
);
