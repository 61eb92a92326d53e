/**
 * The applicant block of the intake: filled by the card reader the moment a card is placed (or F5),
 * masked as main sent it. An expired card or a failed read shows a sentence the clerk understands.
 */
import { Alert, Button, Descriptions, Empty, Flex, Image, Tag, Typography } from 'antd';
import { useConsole } from '../../store/console';

export function ApplicantPanel() {
  const { card, cardError, cardReading, readCard, clearCard } = useConsole();
  return (
    <Flex vertical gap={8} data-testid="applicant-panel">
      <Flex align="center" justify="space-between">
        <Typography.Text strong>申请人（读卡自动填写）</Typography.Text>
        <Flex gap={8}>
          {card && (
            <Button size="small" onClick={clearCard}>
              清除
            </Button>
          )}
          <Button size="small" type="primary" ghost loading={cardReading} onClick={() => void readCard()} data-testid="read-card">
            F5 读卡
          </Button>
        </Flex>
      </Flex>
      {cardError && <Alert type="warning" showIcon message={cardError} data-testid="card-error" />}
      {card ? (
        <Flex gap={16} align="flex-start">
          {card.photoDataUrl ? (
            <Image src={card.photoDataUrl} width={88} alt="证件照片" preview={false} data-testid="card-photo" style={{ border: '1px solid #ddd' }} />
          ) : (
            <div style={{ width: 88, height: 108, border: '1px dashed #ccc', display: 'flex', alignItems: 'center', justifyContent: 'center', color: '#999' }}>无照片</div>
          )}
          <Descriptions size="small" column={2} style={{ flex: 1 }} data-testid="card-fields">
            <Descriptions.Item label="证件">
              <Tag color="blue">{card.kindLabel}</Tag>
            </Descriptions.Item>
            <Descriptions.Item label="姓名">
              <span data-testid="card-name">{card.nameMasked}</span>
            </Descriptions.Item>
            <Descriptions.Item label="证件号码">
              <span data-testid="card-number">{card.idNumberMasked}</span>
            </Descriptions.Item>
            <Descriptions.Item label="性别">{card.gender}</Descriptions.Item>
            {card.nation && <Descriptions.Item label={card.kind === 'resident' ? '民族' : '国籍'}>{card.nation}</Descriptions.Item>}
            <Descriptions.Item label="有效期">
              <span data-testid="card-validity">
                {card.validFrom} 至 {card.validTo}
              </span>
              {card.expired && (
                <Tag color="red" style={{ marginInlineStart: 8 }}>
                  已过期
                </Tag>
              )}
            </Descriptions.Item>
          </Descriptions>
        </Flex>
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="请申请人将身份证放在读卡区" />
      )}
      {card?.expired && <Alert type="error" showIcon message="证件已过期，不能作为有效身份证明，请申请人提供有效证件" data-testid="card-expired" />}
    </Flex>
  );
}
