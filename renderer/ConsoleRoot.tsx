import { Alert, Spin } from 'antd';
import { useEffect } from 'react';
import { LoginScreen } from './screens/LoginScreen';
import { CounterWorkspace } from './screens/clerk/CounterWorkspace';
import { StaffHome } from './screens/StaffHome';
import { KioskScreen } from './screens/kiosk/KioskScreen';
import { RatingPad } from './screens/rating/RatingPad';
import { useConsole } from './store/console';

export function ConsoleRoot() {
  const { ready, fatal, session, load } = useConsole();
  useEffect(() => {
    void load();
  }, [load]);

  if (!ready) return <Spin fullscreen tip="正在连接主程序…" />;
  if (fatal) {
    return <Alert style={{ margin: 48 }} type="error" showIcon message="工作台无法启动" description={fatal} />;
  }
  if (!session) return <LoginScreen />;
  if (session.role === 'clerk') return <CounterWorkspace />;
  // A kiosk session bound to a counter is that counter's rating pad (好差评), facing the applicant.
  if (session.role === 'kiosk') return session.counter ? <RatingPad /> : <KioskScreen />;
  return <StaffHome />;
}
