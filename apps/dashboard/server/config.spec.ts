import { ConfigError } from '@seg/platform-config';
import { loadDashboardConfig } from './config';

describe('loadDashboardConfig', () => {
  it('serves the build next to the bundle and forwards to the main job\'s gateway by default', () => {
    expect(loadDashboardConfig({}, '/app/dist/apps/dashboard')).toEqual({
      logLevel: 'info',
      host: '127.0.0.1',
      port: 4005,
      gatewayOrigin: 'http://127.0.0.1:4000',
      staticRoot: '/app/dist/apps/dashboard/public',
    });
  });

  it('follows the gateway\'s port, reads a wildcard host as the loopback address, and takes an explicit URL first', () => {
    expect(loadDashboardConfig({ SEG_GATEWAY_HOST: '0.0.0.0', SEG_GATEWAY_PORT: '5400' }, '/d').gatewayOrigin).toBe('http://127.0.0.1:5400');
    expect(loadDashboardConfig({ SEG_GATEWAY_PORT: '5400', SEG_DASHBOARD_GATEWAY_URL: 'http://gateway:4000/graphql' }, '/d').gatewayOrigin).toBe('http://gateway:4000');
  });

  it('names every bad variable', () => {
    expect(() => loadDashboardConfig({ SEG_DASHBOARD_PORT: 'x', SEG_DASHBOARD_GATEWAY_URL: 'ftp://gateway' }, '/d')).toThrow(ConfigError);
    expect(() => loadDashboardConfig({ SEG_DASHBOARD_PORT: 'x', SEG_DASHBOARD_GATEWAY_URL: 'ftp://gateway' }, '/d')).toThrow(/SEG_DASHBOARD_PORT[\s\S]*SEG_DASHBOARD_GATEWAY_URL/);
  });
});
