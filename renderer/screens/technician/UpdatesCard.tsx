/**
 * 软件更新 (technician): the running and installed version with its channel, the bundles in the USB
 * folder and on the hub with their verification result (a refused one shows why and cannot be
 * installed), install after a confirmation, rollback to the kept previous version.
 */
import { Alert, App, Button, Card, Descriptions, Flex, Input, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import type { HallError, UpdateBundleView, UpdatesCheck, UpdatesStatus } from '../../../preload/contract';
import { hall } from '../../bridge';
import { errorText } from '../../store/errors';

/** The update service's refusals carry the reason (中文（code: detail）); show it as it is. */
function updateErrorText(error: HallError): string {
  return ['conflict', 'not_found', 'unavailable'].includes(error.code) && error.message ? error.message : errorText(error);
}

const SOURCE_LABEL: Record<UpdateBundleView['source'], string> = { usb: 'U 盘', hub: '中心平台' };

export function UpdatesCard() {
  const { modal } = App.useApp();
  const [status, setStatus] = useState<UpdatesStatus | null>(null);
  const [check, setCheck] = useState<UpdatesCheck | null>(null);
  const [usbDir, setUsbDir] = useState('');
  const [busy, setBusy] = useState<'check' | 'install' | 'rollback' | null>(null);
  const [message, setMessage] = useState<{ type: 'success' | 'error'; text: string } | null>(null);

  const loadStatus = useCallback(async () => {
    const r = await hall().updates.status({});
    if (r.ok) {
      setStatus(r.value);
      setUsbDir((d) => d || r.value.usbDir || '');
    } else setMessage({ type: 'error', text: updateErrorText(r.error) });
  }, []);
  useEffect(() => {
    void loadStatus();
  }, [loadStatus]);

  /** `quiet`: a refresh after an install, keeping its message on screen. */
  const runCheck = async (quiet = false) => {
    setBusy('check');
    if (!quiet) setMessage(null);
    const r = await hall().updates.check({ usbDir: usbDir.trim() === '' ? null : usbDir.trim() });
    setBusy(null);
    if (r.ok) setCheck(r.value);
    else setMessage({ type: 'error', text: updateErrorText(r.error) });
  };

  const install = (bundle: UpdateBundleView) => {
    modal.confirm({
      title: `安装 ${bundle.version ?? ''}（${bundle.channel ?? ''}）？`,
      content: `来源：${SOURCE_LABEL[bundle.source]}。安装前会再次验证签名和安装文件；当前版本${status?.current ? ` ${status.current.version}` : ''}将保留，可回退。`,
      okText: '验证并安装',
      cancelText: '取消',
      onOk: async () => {
        setBusy('install');
        setMessage(null);
        const r = await hall().updates.install({ source: bundle.source, location: bundle.location });
        setBusy(null);
        if (r.ok) {
          setStatus(r.value);
          setMessage({ type: 'success', text: `已验证并安装 ${r.value.current?.version ?? ''}（计数 ${r.value.current?.counter ?? ''}），重启工作台后应用` });
          void runCheck(true);
        } else setMessage({ type: 'error', text: updateErrorText(r.error) });
      },
    });
  };

  const rollback = () => {
    if (!status?.previous) return;
    modal.confirm({
      title: `回退到 ${status.previous.version}？`,
      content: `回退到安装时已验证的上一版本 ${status.previous.version}（${status.previous.channel}）。防回退计数保持 ${status.highestCounter}：此后只能安装计数更高的新更新包。此操作将记入审计日志。`,
      okText: '回退',
      okButtonProps: { danger: true },
      cancelText: '取消',
      onOk: async () => {
        setBusy('rollback');
        setMessage(null);
        const r = await hall().updates.rollback({});
        setBusy(null);
        if (r.ok) {
          setStatus(r.value);
          setMessage({ type: 'success', text: `已回退到 ${r.value.current?.version ?? ''}，重启工作台后应用` });
          if (check) void runCheck(true);
        } else setMessage({ type: 'error', text: updateErrorText(r.error) });
      },
    });
  };

  const columns = [
    { title: '来源', key: 'source', width: 90, render: (_: unknown, b: UpdateBundleView) => SOURCE_LABEL[b.source] },
    { title: '版本', key: 'version', width: 90, render: (_: unknown, b: UpdateBundleView) => b.version ?? '—' },
    { title: '通道', key: 'channel', width: 80, render: (_: unknown, b: UpdateBundleView) => b.channel ?? '—' },
    { title: '计数', key: 'counter', width: 60, render: (_: unknown, b: UpdateBundleView) => b.counter ?? '—' },
    {
      title: '验证结果',
      key: 'result',
      render: (_: unknown, b: UpdateBundleView) =>
        b.installable ? (
          <Tag color="green" data-testid="bundle-verified">
            已验证
          </Tag>
        ) : (
          <Flex vertical gap={2} align="flex-start">
            <Tag color={b.verified ? 'default' : 'red'}>{b.verified ? '不可安装' : '已拒绝'}</Tag>
            <Typography.Text type={b.verified ? 'secondary' : 'danger'} style={{ fontSize: 12 }} data-testid="bundle-reason">
              {b.reason}
            </Typography.Text>
          </Flex>
        ),
    },
    {
      title: '操作',
      key: 'action',
      width: 90,
      render: (_: unknown, b: UpdateBundleView) => (
        <Button type="primary" size="small" disabled={!b.installable || busy !== null} onClick={() => install(b)} data-testid="install-bundle">
          安装
        </Button>
      ),
    },
  ];

  return (
    <Card title="软件更新" size="small" style={{ flex: '1 1 720px' }} data-testid="updates">
      <Flex vertical gap={10}>
        {status && (
          <Descriptions column={2} size="small" bordered>
            <Descriptions.Item label="运行版本">{status.runningVersion}</Descriptions.Item>
            <Descriptions.Item label="已安装更新">
              <span data-testid="updates-current">
                {status.current ? (
                  <>
                    {status.current.version} <Tag>{status.current.channel}</Tag>计数 {status.current.counter}
                  </>
                ) : (
                  '无'
                )}
              </span>
            </Descriptions.Item>
            <Descriptions.Item label="保留的上一版本">
              <span data-testid="updates-previous">{status.previous ? `${status.previous.version}（${status.previous.channel}，计数 ${status.previous.counter}）` : '无'}</span>
            </Descriptions.Item>
            <Descriptions.Item label="防回退计数">{status.highestCounter}</Descriptions.Item>
            <Descriptions.Item label="更新公钥">
              {status.keyset ? `第 ${status.keyset.keysetVersion} 版（${status.keyset.keys} 把密钥，需 ${status.keyset.threshold} 个签名）` : <Tag color="red">未配置，不能安装更新</Tag>}
            </Descriptions.Item>
            <Descriptions.Item label="中心平台">{status.hubUrl ?? '未设置'}</Descriptions.Item>
          </Descriptions>
        )}
        <Flex gap={8} align="center" wrap>
          <span>U 盘目录</span>
          <Input style={{ width: 360 }} placeholder="/media/tech/HALL-UPDATE 或 E:\\updates" value={usbDir} onChange={(e) => setUsbDir(e.target.value)} data-testid="usb-dir" />
          <Button onClick={() => void runCheck(false)} loading={busy === 'check'} data-testid="check-updates">
            检查更新
          </Button>
          <Button danger disabled={!status?.previous || busy !== null} loading={busy === 'rollback'} onClick={rollback} data-testid="rollback">
            回退到上一版本
          </Button>
        </Flex>
        {check?.usbError && <Alert type="warning" showIcon message={`U 盘：${check.usbError}`} />}
        {check?.hubError && <Alert type="warning" showIcon message={`中心平台：${check.hubError}`} />}
        {check && (
          <div data-testid="update-bundles">
            <Table<UpdateBundleView>
              size="small"
              rowKey={(b) => `${b.source}:${b.location}`}
              dataSource={check.bundles}
              columns={columns}
              pagination={false}
              locale={{ emptyText: '没有找到更新包' }}
            />
          </div>
        )}
        {message && <Alert type={message.type} showIcon message={message.text} data-testid="updates-message" />}
      </Flex>
    </Card>
  );
}
