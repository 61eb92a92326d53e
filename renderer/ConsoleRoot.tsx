import { Alert, Spin } from 'antd';
import { useEffect } from 'react';
import { LoginScreen } from './screens/LoginScreen';
import { LockScreen, useIdleHeartbeat } from './screens/LockScreen';
import { CounterWorkspace } from './screens/clerk/CounterWorkspace';
import { StaffHome } from './screens/StaffHome';
import { KioskScreen } from './screens/kiosk/KioskScreen';
import { RatingPad } from './screens/rating/RatingPad';
import { useConsole } from './store/console';

export function ConsoleRoot() {
  const { ready, fatal, session, locked, load } = useConsole();
  useEffect(() => {
    void load();
  }, [load]);
  // Kiosk accounts never idle-lock (main/services/idle-lock.ts); staff input keeps main's idle timer fresh.
  useIdleHeartbeat(session !== null && session.role !== 'kiosk' && !locked);

  if (!ready) return <Spin fullscreen tip="正在连接主程序…" />;
  if (fatal) {
    return <Alert style={{ margin: 48 }} type="error" showIcon message="工作台无法启动" description={fatal} />;
  }
  if (!session) return <LoginScreen />;
  // The lock screen covers the current screen, which stays mounted: after unlocking it is as it was.
  return (
    <>
      <SessionScreen role={session.role} ratingPad={session.counter !== null} />
      {locked && <LockScreen />}
    </>
  );
}

function SessionScreen({ role, ratingPad }: { role: string; ratingPad: boolean }) {
  if (role === 'clerk') return <CounterWorkspace />;
  // A kiosk session bound to a counter is that counter's rating pad (好差评), facing the applicant.
  if (role === 'kiosk') return ratingPad ? <RatingPad /> : <KioskScreen />;
  return <StaffHome />;
}
