/**
 * The clerk's one screen (screens note): queue on the left, the current ticket and intake in the
 * centre, the checklist on the right, shortcuts along the bottom. Queue, intake and receipts arrive
 * with the counter issue; this is the frame they fill.
 */
import { Button, Card, Empty, Flex, Space, Statistic, Typography } from 'antd';
import { StatusBar } from '../../components/StatusBar';

const SHORTCUTS = [
  ['F1', '叫号'],
  ['F2', '重呼'],
  ['F3', '过号'],
  ['F4', '转窗'],
  ['F5', '读卡'],
  ['F6', '人脸'],
  ['F8', '受理'],
  ['F9', '打印'],
  ['Esc', '取消'],
] as const;

export function CounterWorkspace() {
  return (
    <Flex vertical style={{ height: '100%' }} data-testid="counter-workspace">
      <StatusBar />
      <Flex gap={12} style={{ flex: 1, padding: 12, minHeight: 0 }}>
        <Card title="排队叫号" size="small" style={{ width: 260 }} data-testid="queue-panel">
          <Space size={24}>
            <Statistic title="等候" value={0} suffix="人" />
            <Statistic title="预计等候" value="—" />
          </Space>
          <Flex wrap gap={8} style={{ marginTop: 16 }}>
            {SHORTCUTS.slice(0, 4).map(([key, label]) => (
              <Button key={key} disabled style={{ width: 104 }}>
                {key} {label}
              </Button>
            ))}
          </Flex>
          <Typography.Paragraph type="secondary" style={{ marginTop: 16 }}>
            当前无等候号票
          </Typography.Paragraph>
        </Card>
        <Card title="当前办理" size="small" style={{ flex: 1 }} data-testid="intake-panel">
          <Empty description="暂无办理中的号票，叫号后在此受理" style={{ marginTop: 80 }} />
        </Card>
        <Card title="材料清单" size="small" style={{ width: 300 }} data-testid="checklist-panel">
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="选择办理事项后显示所需材料" />
        </Card>
      </Flex>
      <Flex gap={16} style={{ padding: '6px 16px', background: '#fff', borderTop: '1px solid #e5e5e5' }} data-testid="shortcuts">
        {SHORTCUTS.map(([key, label]) => (
          <span key={key}>
            <Typography.Text keyboard>{key}</Typography.Text> {label}
          </span>
        ))}
      </Flex>
    </Flex>
  );
}
