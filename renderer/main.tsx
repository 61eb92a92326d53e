import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { ConsoleRoot } from './ConsoleRoot';
import './styles.css';

dayjs.locale('zh-cn');
// The CSP forbids eval: tell zod not to probe for `new Function` (it would log a CSP violation).
z.config({ jitless: true });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ConfigProvider
      locale={zhCN}
      theme={{
        token: {
          colorPrimary: '#1456a0',
          borderRadius: 4,
          fontFamily: '"Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif',
        },
      }}
    >
      <AntApp>
        <ConsoleRoot />
      </AntApp>
    </ConfigProvider>
  </StrictMode>,
);
