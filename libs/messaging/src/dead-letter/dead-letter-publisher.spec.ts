import type { Kafka, KafkaMessage } from 'kafkajs';
import { metricsRegistry } from '@platform/observability';
import { DeadLetterPublisher } from './dead-letter-publisher';

describe('DeadLetterPublisher', () => {
  const producer = { connect: jest.fn(async () => undefined), send: jest.fn(async () => []), disconnect: jest.fn(async () => undefined), on: jest.fn(), events: { DISCONNECT: 'producer.disconnect' } };
  const kafka = { producer: () => producer } as unknown as Kafka;
  const message = { key: Buffer.from('order-1'), value: Buffer.from('{"broken"'), headers: { ce_type: 'order.shipped', ce_id: 'e-1' }, offset: '17' } as unknown as KafkaMessage;
  const origin = { topic: 'platform.orders', partition: 5, offset: '17', consumerGroup: 'notification-service' };

  beforeEach(() => jest.clearAllMocks());

  it("copies the message to the group's dead-letter topic with why, where from and how often, acks from all replicas", async () => {
    const publisher = new DeadLetterPublisher(kafka);
    await publisher.send(origin, message, { reason: 'malformed-json', error: 'Unexpected end of JSON', attempts: 0 });
    expect(producer.send).toHaveBeenCalledWith({
      topic: 'platform.dlq.notification-service',
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: expect.objectContaining({
            ce_type: 'order.shipped',
            ce_id: 'e-1',
            dlq_reason: 'malformed-json',
            dlq_error: 'Unexpected end of JSON',
            dlq_original_topic: 'platform.orders',
            dlq_original_partition: '5',
            dlq_original_offset: '17',
            dlq_consumer_group: 'notification-service',
            dlq_attempts: '0',
            dlq_failed_at: expect.any(String),
          }),
        },
      ],
    });
  });

  it('connects once, and counts each dead letter by group, event type and reason', async () => {
    const count = async () => (await metricsRegistry.getSingleMetricAsString('events_dead_lettered_total')).match(/consumer_group="notification-service",event_type="order.shipped",reason="handler-failed"} (\d+)/)?.[1];
    const before = Number((await count()) ?? 0);
    const publisher = new DeadLetterPublisher(kafka);
    await publisher.send(origin, message, { reason: 'handler-failed', error: 'boom', attempts: 5 });
    await publisher.send(origin, message, { reason: 'handler-failed', error: 'boom', attempts: 5 });
    expect(producer.connect).toHaveBeenCalledTimes(1);
    expect(Number(await count())).toBe(before + 2);
  });

  it('does not swallow a failed send: the consumer must not resolve the offset', async () => {
    producer.send.mockRejectedValueOnce(new Error('broker not available'));
    await expect(new DeadLetterPublisher(kafka).send(origin, message, { reason: 'handler-failed', error: 'boom', attempts: 5 })).rejects.toThrow('broker not available');
  });
});
