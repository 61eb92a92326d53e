/** 今日统计 at this counter (`cases.summary`): small figures; 临期 / 超期 / 容缺逾期 filter the case list. */
import { Card, Flex, Statistic, Tooltip } from 'antd';
import type { TodaySummary as Summary } from '../../../preload/case-contract';
import { useCases, type QuickFilter } from '../../store/cases';

interface Figure {
  key: keyof Summary;
  title: string;
  suffix?: string;
  color?: string;
  filter?: QuickFilter;
  hint: string;
}

const FIGURES: Figure[] = [
  { key: 'casesAccepted', title: '受理', suffix: '件', hint: '今天受理的办件（含容缺受理）' },
  { key: 'tolerated', title: '容缺', suffix: '件', hint: '今天容缺受理的办件' },
  { key: 'corrections', title: '一次性告知', suffix: '件', hint: '今天出具一次性告知书的办件' },
  { key: 'refusals', title: '不予受理', suffix: '件', hint: '今天不予受理的办件' },
  { key: 'averageHandlingMinutes', title: '平均办理', suffix: '分钟', hint: '今天每个号票从开始办理到办结的平均时间' },
  { key: 'openWarning', title: '临期', suffix: '件', color: '#d48806', filter: 'warning', hint: '办理期限临近的在办件：点击筛选' },
  { key: 'openOverdue', title: '超期', suffix: '件', color: '#cf1322', filter: 'overdue', hint: '已超过办理期限的在办件：点击筛选' },
  { key: 'commitmentsOverdue', title: '容缺逾期', suffix: '件', color: '#cf1322', filter: 'commitmentOverdue', hint: '容缺材料超过承诺日期仍未补齐：点击筛选' },
];

export function TodaySummary() {
  const summary = useCases((s) => s.summary);
  const quick = useCases((s) => s.filters.quick);
  const setFilters = useCases((s) => s.setFilters);
  return (
    <Flex gap={6} data-testid="today-summary">
      {FIGURES.map((f) => {
        const raw = summary ? summary[f.key] : null;
        const value = raw === null || raw === undefined ? '—' : typeof raw === 'number' ? (f.key === 'averageHandlingMinutes' ? Math.round(raw) : raw) : raw;
        const active = f.filter !== undefined && quick === f.filter;
        const alarming = f.color && typeof raw === 'number' && raw > 0;
        return (
          <Tooltip key={f.key} title={f.hint}>
            <Card
              size="small"
              hoverable={!!f.filter}
              onClick={f.filter ? () => setFilters({ quick: active ? 'all' : f.filter! }) : undefined}
              style={{ flex: 1, minWidth: 0, borderColor: active ? '#1456a0' : undefined, cursor: f.filter ? 'pointer' : 'default' }}
              styles={{ body: { padding: '4px 8px' } }}
              data-testid={`summary-${f.key}`}
            >
              <Statistic
                title={<span style={{ fontSize: 12, whiteSpace: 'nowrap' }}>{f.title}</span>}
                value={value}
                suffix={value === '—' ? undefined : <span style={{ fontSize: 12 }}>{f.suffix}</span>}
                styles={{ content: { fontSize: 18, color: alarming ? f.color : undefined } }}
              />
            </Card>
          </Tooltip>
        );
      })}
    </Flex>
  );
}
