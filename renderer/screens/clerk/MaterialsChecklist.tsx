/**
 * 材料清单 (right column): each material of the chosen item with the statuses the item allows
 * (已收 · 电子证照 · 信用承诺 · 容缺 · 缺 · 需补正 with what to correct), the 容缺 commitment date,
 * the promised deadline, the fees and what the rules say. Every click is saved at once; notes after
 * a short pause.
 */
import { Alert, Button, Card, DatePicker, Descriptions, Empty, Flex, Form, Input, Tag, Typography } from 'antd';
import { useMemo } from 'react';
import {
  MATERIAL_FORM_LABELS,
  MATERIAL_STATUS_LABELS,
  type CatalogItemView,
  type MaterialStatusName,
} from '../../../preload/case-contract';
import { fromIsoDate, toIsoDate } from '../../lib/dates';
import { formatFen } from '../../lib/money';
import { textProblem, textRules } from '../../lib/form-rules';
import { useIntake } from '../../store/intake';
import { MATERIAL_STATUS_COLORS } from './case-labels';

type Material = CatalogItemView['materials'][number];

/** The statuses a material may take at this item (the rules refuse the others anyway). */
export function allowedStatuses(item: CatalogItemView, m: Material): MaterialStatusName[] {
  const out: MaterialStatusName[] = ['provided'];
  if (m.eLicenceTypes.length > 0) out.push('e_licence');
  if (m.creditCommitmentReplaces && item.creditCommitmentAllowed) out.push('credit_commitment');
  if (m.toleratable && item.toleranceAllowed) out.push('tolerated');
  out.push('missing', 'defective');
  return out;
}

function MaterialRow({ item, m, index }: { item: CatalogItemView; m: Material; index: number }) {
  const check = useIntake((s) => s.materials.find((c) => c.code === m.code));
  const setStatus = useIntake((s) => s.setStatus);
  const status = check?.status ?? 'missing';
  return (
    <div data-testid={`material-${m.code}`} data-status={status} style={{ padding: '8px 0', borderBottom: '1px solid #f0f0f0' }}>
      <Typography.Text strong>
        {index + 1}. {m.name}
      </Typography.Text>
      <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
        {MATERIAL_FORM_LABELS[m.form]} {m.count} 份{m.eLicenceTypes.length ? ` · 可用电子证照：${m.eLicenceTypes.join('、')}` : ''}
      </Typography.Text>
      <Flex wrap gap={4} style={{ marginTop: 4 }} role="group" aria-label={`${m.name}的核对结果`}>
        {allowedStatuses(item, m).map((s) => {
          const chosen = s === status;
          return (
            <Button
              key={s}
              size="small"
              color={chosen ? MATERIAL_STATUS_COLORS[s] : 'default'}
              variant={chosen ? 'solid' : 'outlined'}
              aria-pressed={chosen}
              autoInsertSpace={false}
              onClick={() => setStatus(m.code, s)}
              data-testid={`mat-${m.code}-${s}`}
            >
              {MATERIAL_STATUS_LABELS[s]}
            </Button>
          );
        })}
      </Flex>
      {status === 'defective' && (
        <Form.Item name={['materialNotes', m.code]} rules={textRules('补正说明', 200, false)} style={{ margin: '6px 0 0' }}>
          <Input size="small" placeholder="写明需补正的内容（打印在一次性告知书上）" data-testid={`mat-${m.code}-note`} />
        </Form.Item>
      )}
    </div>
  );
}

function ItemFacts({ item }: { item: CatalogItemView }) {
  const view = useIntake((s) => s.view);
  return (
    <Descriptions size="small" column={1} style={{ marginTop: 8 }} data-testid="checklist-summary">
      <Descriptions.Item label="承诺办结">
        <span data-testid="promised-deadline">{item.kind === 'on_the_spot' ? '即办件，当场办结' : (view?.promisedDeadline ?? '—')}</span>
      </Descriptions.Item>
      <Descriptions.Item label="收费">
        <span data-testid="fee-total">
          {item.fees.length === 0 ? '不收费' : `${item.fees.map((f) => `${f.name} ${formatFen(f.amountFen)}`).join('；')}，合计 ${formatFen(view?.feeTotalFen ?? 0)}`}
        </span>
      </Descriptions.Item>
    </Descriptions>
  );
}

export function MaterialsChecklist() {
  const view = useIntake((s) => s.view);
  const item = useIntake((s) => s.item);
  const materials = useIntake((s) => s.materials);
  const commitmentDeadline = useIntake((s) => s.commitmentDeadline);
  const { setMaterialNote, setCommitmentDeadline, markAllProvided } = useIntake.getState();
  const [form] = Form.useForm<{ materialNotes: Record<string, string> }>();

  const anyTolerated = materials.some((m) => m.status === 'tolerated');
  // Notes as saved when this draft/item was shown; afterwards the form holds what the clerk types.
  const initialNotes = useMemo(
    () => Object.fromEntries(materials.filter((m) => m.note).map((m) => [m.code, m.note!])),
    [view?.id, item?.code],
  );

  let body;
  if (!view) body = <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="开始受理并选择办理事项后显示所需材料" />;
  else if (!view.serviceItemCode) body = <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="选择办理事项后显示所需材料" />;
  else if (!item) body = <Typography.Text type="secondary">正在读取事项目录…</Typography.Text>;
  else {
    const promised = fromIsoDate(view.promisedDeadline);
    // main's sentences about the 容缺 date (missing, out of range, not for 即办件) shown at the field.
    const commitmentBlockers = view.blockers.filter((b) => b.includes('容缺') || b.includes('承诺补齐'));
    const a = view.assessment;
    body = (
      <Form
        key={`${view.id}:${item.code}`}
        form={form}
        initialValues={{ materialNotes: initialNotes }}
        onValuesChange={(changed: { materialNotes?: Record<string, string> }) => {
          // Checked here at once (the field shows the same sentence); only a valid note goes to main.
          for (const [code, note] of Object.entries(changed.materialNotes ?? {})) {
            if (!textProblem('补正说明', 200, false, note)) setMaterialNote(code, (note ?? '').trim());
          }
        }}
      >
        <Flex align="baseline" justify="space-between" gap={8}>
          <Typography.Text strong ellipsis title={item.name} data-testid="checklist-item">
            {item.name}
          </Typography.Text>
          <Button size="small" type="link" onClick={markAllProvided} data-testid="mark-all-provided" style={{ paddingInline: 0 }}>
            其余全部已收
          </Button>
        </Flex>
        {item.materials.map((m, i) => (
          <MaterialRow key={m.code} item={item} m={m} index={i} />
        ))}
        {anyTolerated && (
          <div style={{ marginTop: 8 }} data-testid="commitment">
            <Typography.Text>容缺承诺补齐日期{promised ? `（不晚于 ${view.promisedDeadline}）` : ''}</Typography.Text>
            <DatePicker
              value={fromIsoDate(commitmentDeadline)}
              onChange={(d) => setCommitmentDeadline(toIsoDate(d))}
              disabledDate={(d) => d.isBefore(view.today, 'day') || (promised !== null && d.isAfter(promised, 'day'))}
              placeholder="选择日期"
              style={{ width: '100%', marginTop: 4 }}
              status={commitmentBlockers.length ? 'error' : undefined}
              data-testid="commitment-deadline"
            />
            {commitmentBlockers.map((b) => (
              <Typography.Text key={b} type="danger" style={{ display: 'block', fontSize: 12, marginTop: 2 }} data-testid="commitment-blocker">
                {b}
              </Typography.Text>
            ))}
          </div>
        )}
        <ItemFacts item={item} />
        {a && a.reasons.length > 0 && (
          <Alert type="warning" showIcon title={a.reasons.join('；')} style={{ marginTop: 8 }} data-testid="assessment-reasons" />
        )}
        {view.calendarWarnings.map((w) => (
          <Alert key={w} type="info" showIcon title={w} style={{ marginTop: 8 }} />
        ))}
        {a && (
          <Flex wrap gap={4} style={{ marginTop: 8 }} data-testid="assessment">
            {a.complete && <Tag color="green">材料齐全</Tag>}
            {a.needsCommitment && <Tag color="orange">容缺受理：{a.tolerated.join('、')}</Tag>}
            {a.missing.length > 0 && <Tag color="red">缺 {a.missing.length} 项</Tag>}
            {a.defective.length > 0 && <Tag color="volcano">需补正 {a.defective.length} 项</Tag>}
          </Flex>
        )}
      </Form>
    );
  }

  return (
    <Card
      title="材料清单"
      size="small"
      style={{ width: 340, flex: 'none', display: 'flex', flexDirection: 'column' }}
      styles={{ body: { flex: 1, minHeight: 0, overflow: 'auto' } }}
      data-testid="checklist-panel"
    >
      {body}
    </Card>
  );
}
