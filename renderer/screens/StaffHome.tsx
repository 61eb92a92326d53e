/** Home of supervisors, technicians and admins: technicians get the device diagnostics; the supervisor board comes later. */
import { Card, Descriptions, Flex } from 'antd';
import { StatusBar } from '../components/StatusBar';
import { DevicesScreen } from './technician/DevicesScreen';
import { useConsole } from '../store/console';

export function StaffHome() {
  const { info, session, sync } = useConsole();
  return (
    <Flex vertical style={{ height: '100%' }}>
      <StatusBar />
      {(session?.role === 'technician' || session?.role === 'admin') && <DevicesScreen />}
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
