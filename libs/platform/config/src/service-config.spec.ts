import { ConfigError } from './parse-config';
import { loadServiceConfig } from './service-config';

const required = (service: string) => ({ SEG_GATEWAY_SECRET: 'gateway-secret-0000000001', [`SEG_${service.toUpperCase()}_DB_PASSWORD`]: 'password' });

describe('loadServiceConfig: consumer groups', () => {
  it.each(['rfm', 'clustering', 'profiling'] as const)('%s reads its live lane with a group of its own: the main group + "-live" unless told otherwise', (service) => {
    const upper = service.toUpperCase();
    expect(loadServiceConfig(service, required(service), {})).toMatchObject({ consumerGroup: `${service}-service`, liveConsumerGroup: `${service}-service-live` });
    expect(loadServiceConfig(service, { ...required(service), [`SEG_${upper}_CONSUMER_GROUP`]: 'eu' }, {})).toMatchObject({ consumerGroup: 'eu', liveConsumerGroup: 'eu-live' });
    expect(loadServiceConfig(service, { ...required(service), [`SEG_${upper}_LIVE_CONSUMER_GROUP`]: 'fast' }, {}).liveConsumerGroup).toBe('fast');
  });

  it('refuses a live group equal to the main group, naming both variables', () => {
    const env = { ...required('clustering'), SEG_CLUSTERING_CONSUMER_GROUP: 'g', SEG_CLUSTERING_LIVE_CONSUMER_GROUP: 'g' };
    expect(() => loadServiceConfig('clustering', env, {})).toThrow(ConfigError);
    expect(() => loadServiceConfig('clustering', env, {})).toThrow(/SEG_CLUSTERING_LIVE_CONSUMER_GROUP: must differ from SEG_CLUSTERING_CONSUMER_GROUP/);
  });
});
