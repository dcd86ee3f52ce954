import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startServiceProcess, waitFor, WORKSPACE_ROOT, type ServiceProcess } from '@seg/testing';
import { expectedFromCsv } from './expected';
import { graphql, startPlatform, waitForEveryoneSegmented, type RunningPlatform } from './platform';

// The built dashboard (dist/apps/dashboard) in Debian's Chromium, driven by playwright-core (which
// never downloads a browser: tools/infra/chromium.sh installs /usr/bin/chromium), against the
// five apps on the first 6,000 lines of the bundled sample.
const CHROMIUM = process.env['SEG_CHROMIUM'] ?? '/usr/bin/chromium';
const BASE_PORT = 5400;
const DASHBOARD_PORT = BASE_PORT + 5;
const DASHBOARD = `http://127.0.0.1:${DASHBOARD_PORT}`;
const SCREENSHOTS = join(WORKSPACE_ROOT, 'tmp', 'screenshots');
const VIEWPORTS = { laptop: { width: 1366, height: 900 }, phone: { width: 390, height: 844 } } as const;
const SAMPLE = join(WORKSPACE_ROOT, 'data', 'sample', 'online_retail_2010-12_2011-02.csv.gz');

// Keys of each role as the platform generates them (the prefix tells the dashboard the role), and
// a viewer key without a prefix: the dashboard learns its role from the gateway (me { role }).
const key = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;
const keys = { admin: key('adm_'), marketer: key('mkt_'), viewer: key('vwr_'), plainViewer: key('') };

type Segment = { id: string; name: string; size: number; coupon: { offer: string } };

describe('the marketing dashboard in a browser', () => {
  let platform: RunningPlatform;
  let dashboard: ServiceProcess | undefined;
  let context: BrowserContext | undefined;
  let userDataDir: string | undefined;
  let segments: Segment[];

  const api = <T>(apiKey: string, query: string, variables: Record<string, unknown> = {}) => graphql<T>(platform.gatewayUrl, apiKey, query, variables);

  beforeAll(async () => {
    const dist = join(WORKSPACE_ROOT, 'dist', 'apps', 'dashboard');
    if (!existsSync(join(dist, 'public', 'index.html')) || !existsSync(join(dist, 'main.js'))) throw new Error(`${dist} is incomplete: build it first (npx nx build dashboard)`);
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run bash tools/infra/chromium.sh`);
    mkdirSync(SCREENSHOTS, { recursive: true });

    platform = await startPlatform(BASE_PORT, { SEG_API_KEYS: `admin:${keys.admin},marketer:${keys.marketer},viewer:${keys.viewer},viewer:${keys.plainViewer}` });
    const lines = gunzipSync(readFileSync(SAMPLE)).toString('utf8').split('\n').slice(0, 6_001);
    const file = join(platform.importDir, 'december.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const started = await api<{ startImport: { job: { id: string } | null } }>(keys.admin, 'mutation($p: String!) { startImport(path: $p) { job { id } } }', { p: file });
    expect(started.data?.startImport.job?.id).toBeDefined();
    await waitForEveryoneSegmented(platform, expectedFromCsv(`${lines.join('\n')}\n`).customers.length, { keys: { viewer: keys.viewer, admin: keys.admin } });
    let last: unknown;
    segments = await waitFor(
      'every customer to be segmented',
      async () => {
        const r = await api<{ rfmSummary: { customers: number }; segments: Segment[]; segmentationModels: { kSweep: unknown[] }[] }>(
          keys.viewer,
          '{ rfmSummary { customers } segments { id name size coupon { offer } } segmentationModels { kSweep { k } } }',
        );
        last = r;
        const segmented = r.data?.segments.reduce((sum, s) => sum + s.size, 0) ?? 0;
        // The newest model's charts too: its quality metrics are computed after it is published.
        const charted = (r.data?.segmentationModels[0]?.kSweep.length ?? 0) > 0;
        return r.data && r.data.rfmSummary.customers > 0 && segmented === r.data.rfmSummary.customers && charted ? r.data.segments : undefined;
      },
      150_000,
      500,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; last answer: ${JSON.stringify(last).slice(0, 500)}`);
    });
    // A model trained while lines still arrived may be followed by one more run: wait until the
    // segments stay the same for a few seconds, so that the pages and the API agree.
    let previous = JSON.stringify(segments);
    segments = await waitFor(
      'the segments to settle',
      async () => {
        await new Promise((r) => setTimeout(r, 3_000));
        const r = await api<{ segments: Segment[] }>(keys.viewer, '{ segments { id name size coupon { offer } } }');
        const now = JSON.stringify(r.data?.segments);
        const settled = now === previous ? r.data?.segments : undefined;
        previous = now;
        return settled;
      },
      90_000,
      0,
    );

    dashboard = await startServiceProcess('dashboard', { SEG_DASHBOARD_HOST: '127.0.0.1', SEG_DASHBOARD_PORT: String(DASHBOARD_PORT), SEG_DASHBOARD_GATEWAY_URL: `http://127.0.0.1:${BASE_PORT}` }, `${DASHBOARD}/ready`, platform.logDir);
    userDataDir = mkdtempSync(join(tmpdir(), 'seg-e2e-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      acceptDownloads: true,
      viewport: VIEWPORTS.laptop,
    });
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await dashboard?.stop();
    await platform?.stop();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  /** A new tab (its own sessionStorage) signed in with `apiKey`. */
  async function signedIn(apiKey: string): Promise<Page> {
    if (!context) throw new Error('no browser');
    const page = await context.newPage();
    await page.goto(`${DASHBOARD}/`);
    await page.fill('#api-key', apiKey);
    await page.click('button[type=submit]');
    await page.waitForSelector('nav[aria-label=Pages]');
    return page;
  }

  /** Full-page screenshots at laptop and phone width, back at laptop width afterwards. */
  async function screenshots(page: Page, name: string, ready: (page: Page) => Promise<unknown>): Promise<void> {
    for (const [label, size] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(size);
      await ready(page);
      await page.evaluate('window.scrollTo(0, 0)');
      // Charts re-measure their container after a resize.
      await page.waitForTimeout(400);
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-${label}.png`), fullPage: true });
    }
    await page.setViewportSize(VIEWPORTS.laptop);
  }

  it('refuses a key the gateway does not know, and keeps none in the bundle', async () => {
    const page = await context!.newPage();
    await page.goto(`${DASHBOARD}/`);
    await screenshots(page, 'sign-in', (p) => p.waitForSelector('#api-key'));
    await page.fill('#api-key', key('vwr_'));
    await page.click('button[type=submit]');
    await expect(page.locator('[role=alert]').textContent()).resolves.toMatch(/does not accept this API key/);
    expect(await page.evaluate('window.sessionStorage.length')).toBe(0);

    // Nothing of this machine's secrets (.local/secrets.env, present where the main job ran) nor
    // of this test's keys is in what the browser downloads.
    const secretsFile = join(WORKSPACE_ROOT, '.local', 'secrets.env');
    const secrets = [
      ...Object.values(keys),
      ...(existsSync(secretsFile) ? readFileSync(secretsFile, 'utf8').split('\n').flatMap((line) => line.slice(line.indexOf('=') + 1).split(/[,:]/)) : []),
    ].filter((value) => value.length >= 16);
    const html = await (await fetch(`${DASHBOARD}/`)).text();
    const scripts = [...html.matchAll(/src="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1] as string);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      const code = await (await fetch(`${DASHBOARD}${script}`)).text();
      for (const secret of secrets) expect(code.includes(secret)).toBe(false);
      expect(code).not.toMatch(/SEG_API_KEYS|SEG_GATEWAY_SECRET|SEG_JWT_SECRET/);
    }
    await page.close();
  });

  it('shows the segments the API returns on the overview', async () => {
    const page = await signedIn(keys.marketer);
    await page.waitForSelector('[data-testid=segment-name]');
    const names = await page.locator('[data-testid=segment-name]').allTextContents();
    expect(names).toEqual(segments.map((s) => s.name));
    await expect(page.locator('[data-testid=stat-model]').textContent()).resolves.toMatch(/v\d+/);
    await expect(page.locator('[data-testid=role]').textContent()).resolves.toMatch(/marketer/);
    // The revenue adds up every customer's spend, read through the customers connection.
    await page.locator('[data-testid=stat-revenue] .stat-value').filter({ hasText: /\d/ }).waitFor({ timeout: 60_000 });
    await screenshots(page, 'overview', (p) => p.waitForSelector('[data-testid=segment-card]'));
    await page.close();
  });

  it('draws the charts: segment sizes, distributions, projection, k sweep and the RFM grid', async () => {
    const page = await signedIn(keys.viewer);
    await page.goto(`${DASHBOARD}/#/charts`);
    await page.waitForSelector('[data-testid=chart-segment-sizes] svg.recharts-surface');
    await page.waitForSelector('[data-testid=chart-projection] svg.recharts-surface');
    expect(await page.locator('[data-testid=chart-projection] .recharts-scatter-symbol').count()).toBeGreaterThan(10);
    await page.waitForSelector('[data-testid=chart-elbow] svg.recharts-surface');
    await page.waitForSelector('[data-testid=chart-silhouette] svg.recharts-surface');
    await page.waitForSelector('[data-testid=chart-monetary] svg.recharts-surface', { timeout: 60_000 });
    expect(await page.locator('[data-testid=chart-monetary] .recharts-bar-rectangle').count()).toBeGreaterThan(2);
    expect(await page.locator('[data-testid=chart-rfm-grid] rect').count()).toBe(25);
    // What the API cannot answer is said plainly, not drawn.
    await expect(page.getByText('Monthly revenue and cancellations').isVisible()).resolves.toBe(true);
    expect(await page.locator('.placeholder-panel [data-testid=unavailable]').count()).toBe(2);
    await screenshots(page, 'charts', (p) => p.waitForSelector('[data-testid=chart-monetary] svg.recharts-surface'));
    await page.close();
  });

  it('downloads a segment\'s customers as CSV', async () => {
    const segment = segments[0] as Segment;
    const page = await signedIn(keys.marketer);
    await page.goto(`${DASHBOARD}/#/segments/${encodeURIComponent(segment.id)}`);
    await page.waitForSelector('[data-testid=customers-table] tbody tr');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-csv]')]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const path = await download.path();
    const text = readFileSync(path, 'utf8');
    const [header, ...rows] = text.split(/\r?\n/).filter((line) => line.length > 0);
    expect(header?.split(',')).toEqual(expect.arrayContaining(['customer_id', 'recency_days', 'frequency', 'monetary', 'segment']));
    expect(rows).toHaveLength(segment.size);
    await page.close();
  });

  it('lets a marketer change a segment\'s coupon rule, and the API serves it', async () => {
    const segment = segments[segments.length - 1] as Segment;
    const offer = `Spring win-back ${randomBytes(3).toString('hex')}`;
    const page = await signedIn(keys.marketer);
    await page.goto(`${DASHBOARD}/#/segments/${encodeURIComponent(segment.id)}`);
    await page.waitForSelector('[data-testid=segment-title]');
    await screenshots(page, 'segment', (p) => p.waitForSelector('[data-testid=customers-table] tbody tr'));
    await page.click('[data-testid=edit-coupon]');
    await page.fill('#coupon-offer', offer);
    await page.selectOption('#coupon-kind', 'percent');
    await page.fill('#coupon-discountPercent', '25');
    await page.fill('#coupon-validityDays', '10');
    await screenshots(page, 'coupon-edit', (p) => p.waitForSelector('[data-testid=coupon-form]'));
    await page.click('[data-testid=save-coupon]');
    await page.waitForSelector('[data-testid=coupon-applied]');
    await expect(page.locator('[data-testid=coupon-panel] [data-testid=coupon-offer]').textContent()).resolves.toBe(offer);

    const served = await api<{ segment: { coupon: { offer: string; kind: string; discountPercent: number; validityDays: number }; couponOverridden: boolean } }>(
      keys.viewer,
      'query($id: ID!) { segment(id: $id) { coupon { offer kind discountPercent validityDays } couponOverridden } }',
      { id: segment.id },
    );
    expect(served.data?.segment).toEqual({ coupon: { offer, kind: 'percent', discountPercent: 25, validityDays: 10 }, couponOverridden: true });

    // The overview, read again, shows it too.
    await page.goto(`${DASHBOARD}/#/`);
    await page.reload();
    await page.waitForSelector('[data-testid=segment-card]');
    await expect(page.locator('[data-testid=coupon-offer]', { hasText: offer }).count()).resolves.toBe(1);
    await page.close();
  });

  it('keeps a viewer read-only: controls disabled, whether or not the key shows its role', async () => {
    const segment = segments[0] as Segment;
    const before = await api<{ segment: { coupon: { offer: string } } }>(keys.viewer, 'query($id: ID!) { segment(id: $id) { coupon { offer } } }', { id: segment.id });

    const viewer = await signedIn(keys.viewer);
    await viewer.goto(`${DASHBOARD}/#/segments/${encodeURIComponent(segment.id)}`);
    await viewer.waitForSelector('[data-testid=coupon-read-only]');
    await expect(viewer.isDisabled('[data-testid=edit-coupon]')).resolves.toBe(true);
    await expect(viewer.isDisabled('[data-testid=export-csv]')).resolves.toBe(true);
    await viewer.close();

    // A key without a role prefix: the dashboard asks the gateway (me { role }) and locks the same controls.
    const plain = await signedIn(keys.plainViewer);
    await plain.goto(`${DASHBOARD}/#/segments/${encodeURIComponent(segment.id)}`);
    await plain.waitForSelector('[data-testid=edit-coupon]:disabled');
    await expect(plain.isDisabled('[data-testid=export-csv]')).resolves.toBe(true);
    await plain.close();

    const after = await api<{ segment: { coupon: { offer: string } } }>(keys.viewer, 'query($id: ID!) { segment(id: $id) { coupon { offer } } }', { id: segment.id });
    expect(after.data?.segment.coupon.offer).toBe(before.data?.segment.coupon.offer);
  });

  it('looks up a customer with RFM, segment and coupon recommendations', async () => {
    const page = await signedIn(keys.viewer);
    const first = await api<{ customers: { nodes: { id: string }[] } }>(keys.viewer, '{ customers(first: 1, orderBy: { field: FREQUENCY, direction: DESC }) { nodes { id } } }');
    const id = first.data?.customers.nodes[0]?.id as string;
    await page.goto(`${DASHBOARD}/#/customers/${encodeURIComponent(id)}`);
    await page.waitForSelector('[data-testid=customer-detail]');
    await expect(page.locator('[data-testid=customer-segment]').textContent()).resolves.toMatch(new RegExp(segments.map((s) => s.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')));
    expect(await page.locator('[data-testid=recommendations] li').count()).toBeGreaterThan(0);
    await screenshots(page, 'customer', (p) => p.waitForSelector('[data-testid=customer-detail]'));
    await page.close();
  });

  it('lists imports with their counts and rejected rows', async () => {
    const page = await signedIn(keys.admin);
    await page.goto(`${DASHBOARD}/#/imports`);
    await page.waitForSelector('[data-testid=import-job]');
    await expect(page.locator('[data-testid=import-job]').first().textContent()).resolves.toMatch(/completed[\s\S]*6,000[\s\S]*lines read/);
    await expect(page.isDisabled('#import-path')).resolves.toBe(false);
    const showRejected = page.getByRole('button', { name: 'Show rejected rows' });
    if ((await showRejected.count()) > 0) {
      await showRejected.first().click();
      await page.waitForSelector('[data-testid=rejected-rows] tbody tr');
    }
    await screenshots(page, 'imports', (p) => p.waitForSelector('[data-testid=import-job]'));
    await page.close();
  });

  it('lets an admin upload a file, follow its import and download its rejected rows', async () => {
    // The sample's first 40 lines again (nothing is counted twice) and one broken line, as line 42.
    const lines = gunzipSync(readFileSync(SAMPLE)).toString('utf8').split('\n').slice(0, 41);
    const bad = '=9+9,85123A,WHITE HANGING HEART T-LIGHT HOLDER,six,2010-12-01 08:26:00,2.55,17850,United Kingdom';
    const name = `upload-${randomBytes(3).toString('hex')}.csv.gz`;
    const file = join(platform.importDir, name);
    writeFileSync(file, gzipSync(`${[...lines, bad].join('\n')}\n`));

    const page = await signedIn(keys.admin);
    await page.goto(`${DASHBOARD}/#/imports`);
    await page.setInputFiles('#import-file', file);
    await page.click('[data-testid=upload-submit]');
    await expect(page.locator('[data-testid=upload-started]').textContent()).resolves.toMatch(new RegExp(`Uploaded ${name.replace(/\./g, '\\.')}: import .+ started`));
    const job = page.locator('[data-testid=import-job]', { hasText: `upload:${name}` });
    await job.locator('text=completed').waitFor({ timeout: 30_000 });
    await expect(job.textContent()).resolves.toMatch(/41[\s\S]*lines read[\s\S]*1[\s\S]*rejected/);
    await screenshots(page, 'imports-upload', (p) => p.waitForSelector('[data-testid=upload-started]'));

    const [download] = await Promise.all([page.waitForEvent('download'), job.locator('[data-testid=download-rejected]').click()]);
    expect(download.suggestedFilename()).toMatch(/^import-.+-rejected\.csv$/);
    const text = readFileSync(await download.path(), 'utf8');
    expect(text).toBe(`line_number,code,reason,raw\r\n42,BAD_QUANTITY,"Quantity ""six"" is not an integer","'${bad}"\r\n`);
    await page.close();
  });
});
