/**
 * Home of supervisors, technicians and admins: technicians get the device diagnostics; supervisors the
 * 回访 ledger and the kiosks' help calls (呼叫工作人员); the supervisor board comes later.
 */
import { App, Card, Descriptions, Flex } from 'antd';
import { useEffect } from 'react';
import { hall } from '../bridge';
import { StatusBar } from '../components/StatusBar';
import { CallbackLedger } from './supervisor/CallbackLedger';
import { HallCases } from './supervisor/HallCases';
import { LocalCases } from './supervisor/LocalCases';
import { DevicesScreen } from './technician/DevicesScreen';
import { UpdatesCard } from './technician/UpdatesCard';
import { EnrollmentCard } from './technician/EnrollmentCard';
import { useConsole } from '../store/console';

/** A kiosk asked for staff: a notice that stays until someone closes it. */
function useHelpCalls(enabled: boolean) {
  const { notification } = App.useApp();
  useEffect(() => {
    if (!enabled) return;
    return hall().on('help.called', ({ at, kiosk }) => {
      const d = new Date(at);
      notification.warning({
        key: `help-${kiosk}`,
        title: '自助机呼叫工作人员',
        description: `${kiosk} · ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}，请前往协助`,
        duration: 0,
        placement: 'topRight',
      });
    });
  }, [enabled, notification]);
}

export function StaffHome() {
  const { info, session, sync } = useConsole();
  const supervises = session?.role === 'supervisor' || session?.role === 'admin';
  useHelpCalls(supervises);
  return (
    <Flex vertical style={{ height: '100%', overflow: 'auto' }}>
      <StatusBar />
      {supervises && <HallCases />}
      {supervises && <CallbackLedger />}
      {supervises && <LocalCases />}
      {(session?.role === 'technician' || session?.role === 'admin') && <DevicesScreen />}
      {session?.role === 'technician' && (
        <div style={{ padding: '0 12px' }}>
          <UpdatesCard />
          <EnrollmentCard />
        </div>
      )}
      <Card title="本机信息" style={{ margin: 16, maxWidth: 720 }}>
        <Descriptions column={1} size="small">
          <Descriptions.Item label="登录账号">{session?.userName}</Descriptions.Item>
          <Descriptions.Item label="终端编号">{info?.consoleId}</Descriptions.Item>
          <Descriptions.Item label="版本">{info?.version}</Descriptions.Item>
          <Descriptions.Item label="数据库版本">{info?.schemaVersion}</Descriptions.Item>
          <Descriptions.Item label="运行模式">{info?.mode === 'electron' ? '桌面模式' : '浏览器模式'}</Descriptions.Item>
          <Descriptions.Item label="中心平台">{sync?.hubUrl ?? '未注册'}</Descriptions.Item>
        </Descriptions>
      </Card>
    </Flex>
  );
}
