import { ConfigError } from '@seg/platform-config';
import { loadConfig } from './config';

const REQUIRED = { SEG_GATEWAY_SECRET: 'gateway-secret-0000000001', SEG_RFM_DB_PASSWORD: 'rfm-password' };

describe('rfm loadConfig', () => {
  it('fetches up to 8 MiB of one partition by default, with room for four partitions per fetch, waiting up to 200 ms for 4 MiB', () => {
    expect(loadConfig(REQUIRED).fetch).toEqual({ maxBytesPerPartition: 8 * 1024 * 1024, maxBytes: 32 * 1024 * 1024, minBytes: 4 * 1024 * 1024, maxWaitTimeInMs: 200 });
  });

  it('reads SEG_RFM_FETCH_MAX_BYTES_PER_PARTITION; the total never drops below kafkajs\' 10 MiB', () => {
    expect(loadConfig({ ...REQUIRED, SEG_RFM_FETCH_MAX_BYTES_PER_PARTITION: '1048576' }).fetch).toMatchObject({ maxBytesPerPartition: 1024 * 1024, maxBytes: 10 * 1024 * 1024 });
    expect(loadConfig({ ...REQUIRED, SEG_RFM_FETCH_MAX_BYTES_PER_PARTITION: '4194304' }).fetch).toMatchObject({ maxBytesPerPartition: 4 * 1024 * 1024, maxBytes: 16 * 1024 * 1024 });
  });

  it('reads SEG_RFM_FETCH_MIN_BYTES and SEG_RFM_FETCH_MAX_WAIT_MS (kafkajs\' own: 1 byte, 5 s), and refuses nonsense', () => {
    expect(loadConfig({ ...REQUIRED, SEG_RFM_FETCH_MIN_BYTES: '1', SEG_RFM_FETCH_MAX_WAIT_MS: '5000' }).fetch).toMatchObject({ minBytes: 1, maxWaitTimeInMs: 5_000 });
    expect(() => loadConfig({ ...REQUIRED, SEG_RFM_FETCH_MIN_BYTES: '0' })).toThrow(/SEG_RFM_FETCH_MIN_BYTES/);
    expect(() => loadConfig({ ...REQUIRED, SEG_RFM_FETCH_MAX_WAIT_MS: '-1' })).toThrow(/SEG_RFM_FETCH_MAX_WAIT_MS/);
  });

  it('handles two partitions\' batches at a time by default; SEG_RFM_PARTITIONS_CONCURRENTLY changes it', () => {
    expect(loadConfig(REQUIRED).concurrency).toBe(2);
    expect(loadConfig({ ...REQUIRED, SEG_RFM_PARTITIONS_CONCURRENTLY: '1' }).concurrency).toBe(1);
    expect(() => loadConfig({ ...REQUIRED, SEG_RFM_PARTITIONS_CONCURRENTLY: '0' })).toThrow(/SEG_RFM_PARTITIONS_CONCURRENTLY/);
  });

  it('refuses a size below 64 KiB or that is not a number', () => {
    expect(() => loadConfig({ ...REQUIRED, SEG_RFM_FETCH_MAX_BYTES_PER_PARTITION: '1000' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...REQUIRED, SEG_RFM_FETCH_MAX_BYTES_PER_PARTITION: 'lots' })).toThrow(/SEG_RFM_FETCH_MAX_BYTES_PER_PARTITION/);
  });

  it('reads the live lane with a consumer group of its own: the main group + \'-live\' unless SEG_RFM_LIVE_CONSUMER_GROUP says otherwise', () => {
    expect(loadConfig(REQUIRED)).toMatchObject({ consumerGroup: 'rfm-service', liveConsumerGroup: 'rfm-service-live' });
    expect(loadConfig({ ...REQUIRED, SEG_RFM_CONSUMER_GROUP: 'rfm-eu' })).toMatchObject({ consumerGroup: 'rfm-eu', liveConsumerGroup: 'rfm-eu-live' });
    expect(loadConfig({ ...REQUIRED, SEG_RFM_LIVE_CONSUMER_GROUP: 'rfm-fast-lane' }).liveConsumerGroup).toBe('rfm-fast-lane');
  });

  it('refuses a live consumer group that is the main group, or empty', () => {
    expect(() => loadConfig({ ...REQUIRED, SEG_RFM_LIVE_CONSUMER_GROUP: 'rfm-service' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...REQUIRED, SEG_RFM_CONSUMER_GROUP: 'g', SEG_RFM_LIVE_CONSUMER_GROUP: 'g' })).toThrow(/SEG_RFM_LIVE_CONSUMER_GROUP/);
    expect(() => loadConfig({ ...REQUIRED, SEG_RFM_LIVE_CONSUMER_GROUP: '' })).toThrow(/SEG_RFM_LIVE_CONSUMER_GROUP/);
  });
});
