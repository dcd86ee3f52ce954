import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { isInHoldout } from '@seg/domain-profiling';
import { WORKSPACE_ROOT, waitFor } from '@seg/testing';
import { graphql, startPlatform, waitForEveryoneSegmented, type GraphQLResponse, type RunningPlatform } from './platform';
import { expectedFromCsv } from './expected';

// The first 6,000 lines of the bundled sample (real UCI Online Retail lines, December 2010).
const SAMPLE = join(WORKSPACE_ROOT, 'data', 'sample', 'online_retail_2010-12_2011-02.csv.gz');
const csv = `${gunzipSync(readFileSync(SAMPLE)).toString('utf8').split('\n').slice(0, 6_001).join('\n')}\n`;

interface Coupon {
  segment: string;
  offer: string;
  kind: string;
  discountPercent: number;
  minimumBasket: number;
  validityDays: number;
  channel: string;
}
interface Segment {
  id: string;
  modelVersion: number;
  name: string;
  rfmSegment: string;
  size: number;
  nameOverridden: boolean;
  couponOverridden: boolean;
  coupon: Coupon;
}
interface Campaign {
  id: string;
  name: string;
  segmentIds: string[];
  holdoutShare: number;
  startsAt: string;
  endsAt: string | null;
  createdAt: string;
  createdBy: string;
  targetedCustomers: number;
  holdoutCustomers: number;
}
interface Recommendation {
  campaign: { id: string; name: string } | null;
  segmentName: string;
  coupon: Coupon;
  holdout: boolean;
}
interface UserError {
  field: string[] | null;
  code: string;
  message: string;
}

const COUPON = 'segment offer kind discountPercent minimumBasket validityDays channel';
const SEGMENT = `id modelVersion name rfmSegment size nameOverridden couponOverridden coupon { ${COUPON} }`;
const CAMPAIGN = 'id name segmentIds holdoutShare startsAt endsAt createdAt createdBy targetedCustomers holdoutCustomers';
const RECOMMENDATION = `campaign { id name } segmentName coupon { ${COUPON} } holdout`;

describe('marketing through the gateway: renames, coupon rules and campaigns', () => {
  let platform: RunningPlatform;
  // The customers of the slice, found by the domain library from the file itself (the services never see this list).
  const customerIds = expectedFromCsv(csv).customers.map((c) => c.customerId);
  /** Each customer's Segment.id, as the customers' own segment fields give it once every assignment arrived. */
  let segmentOf: Map<string, string>;
  let segments: Segment[];

  const as = <T>(role: 'admin' | 'marketer' | 'viewer', query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<T>> =>
    graphql<T>(platform.gatewayUrl, platform.keys[role], query, variables);
  const data = async <T>(role: 'admin' | 'marketer' | 'viewer', query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const response = await as<T>(role, query, variables);
    if (response.errors || !response.data) throw new Error(`${query}: ${JSON.stringify(response.errors)}`);
    return response.data;
  };
  const allSegments = async () => (await data<{ segments: Segment[] }>('viewer', `{ segments { ${SEGMENT} } }`)).segments;
  /** One field selection for many customers, fifty aliased customer(id:) queries per request. */
  const forCustomers = async <T>(ids: readonly string[], selection: string): Promise<Map<string, T>> => {
    const answers = new Map<string, T>();
    for (let i = 0; i < ids.length; i += 50) {
      const part = ids.slice(i, i + 50);
      const query = `query(${part.map((_, j) => `$c${j}: ID!`).join(', ')}) { ${part.map((_, j) => `c${j}: customer(id: $c${j}) { ${selection} }`).join(' ')} }`;
      const answer = await data<Record<string, T>>('viewer', query, Object.fromEntries(part.map((id, j) => [`c${j}`, id])));
      part.forEach((id, j) => answers.set(id, answer[`c${j}`] as T));
    }
    return answers;
  };
  const customersOf = (segmentId: string) => customerIds.filter((id) => segmentOf.get(id) === segmentId);
  const recommendationsOf = async (customerId: string) =>
    (await data<{ customer: { segment: { id: string; name: string }; couponRecommendations: Recommendation[] } }>('viewer', `query($id: ID!) { customer(id: $id) { segment { id name } couponRecommendations { ${RECOMMENDATION} } } }`, { id: customerId })).customer;

  beforeAll(async () => {
    platform = await startPlatform(5100);
    writeFileSync(join(platform.importDir, 'december.csv'), csv);
    const started = await data<{ startImport: { job: { id: string } } }>('admin', 'mutation($p: String!) { startImport(path: $p) { job { id } } }', { p: join(platform.importDir, 'december.csv') });
    await waitFor('the import to finish', async () => {
      const job = await data<{ importJob: { status: string } }>('viewer', 'query($id: ID!) { importJob(id: $id) { status } }', { id: started.startImport.job.id });
      return job.importJob.status === 'RUNNING' ? undefined : job.importJob.status;
    });
    // Segment sizes come with the model, each customer's assignment with an event of its own: wait
    // until every customer of the slice sits in a segment of the latest model.
    await waitForEveryoneSegmented(platform, customerIds.length);
    ({ segments, segmentOf } = await waitFor(
      'every customer in a segment of the latest model',
      async () => {
        const current = await allSegments();
        const latest = new Map(current.map((s) => [s.id, s]));
        if (current.reduce((sum, s) => sum + s.size, 0) !== customerIds.length) return undefined;
        const assigned = await forCustomers<{ segment: { id: string } | null }>(customerIds, 'segment { id }');
        const ids = new Map([...assigned].flatMap(([id, c]) => (c.segment && latest.has(c.segment.id) ? [[id, c.segment.id] as const] : [])));
        return ids.size === customerIds.length ? { segments: current, segmentOf: ids } : undefined;
      },
      150_000,
      1_000,
    ));
  }, 240_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it('starts with computed names, the default coupons, the default strategy and no campaigns', async () => {
    expect(segments.length).toBeGreaterThanOrEqual(3);
    expect(segments.every((s) => !s.nameOverridden && !s.couponOverridden)).toBe(true);
    const { couponRules, couponCampaigns } = await data<{ couponRules: Coupon[]; couponCampaigns: Campaign[] }>('viewer', `{ couponRules { ${COUPON} } couponCampaigns { id } }`);
    expect(couponRules.map((r) => r.segment)).toEqual([
      'Champions',
      'Loyal',
      'Potential Loyalist',
      'New Customers',
      'Promising',
      'Need Attention',
      'About To Sleep',
      'At Risk',
      'Cannot Lose Them',
      'Hibernating',
      'Lost',
    ]);
    for (const s of segments) expect(s.coupon).toEqual(couponRules.find((r) => r.segment === s.rfmSegment));
    expect(couponCampaigns).toEqual([]);
    // Without a campaign, every customer gets the built-in default recommendation.
    const first = await recommendationsOf(customersOf(segments[0]!.id)[0]!);
    expect(first.couponRecommendations).toEqual([{ campaign: null, segmentName: segments[0]!.name, coupon: segments[0]!.coupon, holdout: expect.any(Boolean) }]);
  });

  it('refuses every marketing mutation to a viewer with FORBIDDEN and changes nothing', async () => {
    const id = segments[0]!.id;
    const rule = { offer: 'x', kind: 'percent', discountPercent: 5, minimumBasket: 0, validityDays: 7, channel: 'email' };
    const attempts: [string, Record<string, unknown>][] = [
      ['mutation($id: ID!) { renameSegment(id: $id, name: "Mine") { segment { id } } }', { id }],
      ['mutation($id: ID!, $rule: CouponRuleInput!) { setSegmentCouponRule(id: $id, rule: $rule) { segment { id } } }', { id, rule }],
      ['mutation($id: ID!) { resetSegmentCouponRule(id: $id) { segment { id } } }', { id }],
      ['mutation($rule: CouponRuleInput!) { setCouponRule(rfmSegment: "Lost", rule: $rule) { rule { offer } } }', { rule }],
      ['mutation { createCouponCampaign(input: { name: "Mine" }) { campaign { id } } }', {}],
    ];
    for (const [mutation, variables] of attempts) {
      const response = await as('viewer', mutation, variables);
      expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    }
    expect(await allSegments()).toEqual(segments);
    expect((await data<{ couponCampaigns: unknown[] }>('viewer', '{ couponCampaigns { id } }')).couponCampaigns).toEqual([]);
  });

  it('lets a marketer rename a segment: the name shows in segments, on its customers and in their recommendations', async () => {
    const target = segments[1]!;
    const renamed = await data<{ renameSegment: { segment: Segment; userErrors: UserError[] } }>('marketer', `mutation($id: ID!, $name: String!) { renameSegment(id: $id, name: $name) { segment { ${SEGMENT} } userErrors { field code message } } }`, {
      id: target.id,
      name: '  Winter VIPs ',
    });
    expect(renamed.renameSegment).toEqual({ segment: { ...target, name: 'Winter VIPs', nameOverridden: true }, userErrors: [] });
    expect(await allSegments()).toEqual(segments.map((s) => (s.id === target.id ? { ...s, name: 'Winter VIPs', nameOverridden: true } : s)));

    const customer = await recommendationsOf(customersOf(target.id)[0]!);
    expect(customer.segment).toEqual({ id: target.id, name: 'Winter VIPs' });
    expect(customer.couponRecommendations.map((r) => r.segmentName)).toEqual(['Winter VIPs']);
    // The other segments' customers keep their names.
    const other = await recommendationsOf(customersOf(segments[0]!.id)[0]!);
    expect(other.segment.name).toBe(segments[0]!.name);
  });

  it('refuses a name another segment shows (NAME_TAKEN), a bad name (INVALID) and an unknown segment (NOT_FOUND)', async () => {
    const rename = async (id: string, name: string) =>
      (await data<{ renameSegment: { segment: { name: string; nameOverridden: boolean } | null; userErrors: UserError[] } }>('marketer', 'mutation($id: ID!, $name: String!) { renameSegment(id: $id, name: $name) { segment { name nameOverridden } userErrors { field code message } } }', { id, name })).renameSegment;
    const [first, second, third] = segments;
    expect(await rename(first!.id, 'winter vips')).toEqual({ segment: null, userErrors: [expect.objectContaining({ field: ['name'], code: 'NAME_TAKEN' })] });
    expect(await rename(second!.id, third!.name)).toEqual({ segment: null, userErrors: [expect.objectContaining({ field: ['name'], code: 'NAME_TAKEN' })] });
    expect(await rename(first!.id, '   ')).toEqual({ segment: null, userErrors: [expect.objectContaining({ field: ['name'], code: 'INVALID' })] });
    expect(await rename(first!.id, 'x'.repeat(65))).toEqual({ segment: null, userErrors: [expect.objectContaining({ field: ['name'], code: 'INVALID' })] });
    expect(await rename('m999-0', 'Anything')).toEqual({ segment: null, userErrors: [expect.objectContaining({ field: ['id'], code: 'NOT_FOUND' })] });
    // Nothing changed; and renaming a segment back to its computed name clears the override (an admin may too).
    expect((await allSegments()).map((s) => s.name)).toEqual(segments.map((s) => (s.id === second!.id ? 'Winter VIPs' : s.name)));
    const back = await data<{ renameSegment: { segment: { name: string; nameOverridden: boolean } } }>('admin', 'mutation($id: ID!, $name: String!) { renameSegment(id: $id, name: $name) { segment { name nameOverridden } } }', { id: second!.id, name: second!.name });
    expect(back.renameSegment.segment).toEqual({ name: second!.name, nameOverridden: false });
    expect(await rename(second!.id, 'Winter VIPs')).toEqual({ segment: { name: 'Winter VIPs', nameOverridden: true }, userErrors: [] });
  });

  it('lets a marketer give one segment a coupon rule of its own: Segment.coupon and its customers\' recommendations follow', async () => {
    const target = segments[0]!;
    const other = segments[2]!;
    const rule = { offer: 'VIP evening: 30% off the new collection', kind: 'percent', discountPercent: 30, minimumBasket: 50, validityDays: 10, channel: 'sms' };
    const mutation = `mutation($id: ID!, $rule: CouponRuleInput!) { setSegmentCouponRule(id: $id, rule: $rule) { segment { ${SEGMENT} } userErrors { field code message } } }`;

    const bad = await data<{ setSegmentCouponRule: { segment: null; userErrors: UserError[] } }>('marketer', mutation, { id: target.id, rule: { ...rule, discountPercent: 120, minimumBasket: -1, validityDays: 0 } });
    expect(bad.setSegmentCouponRule.userErrors.map((e) => [e.field, e.code])).toEqual([
      [['rule', 'discountPercent'], 'INVALID'],
      [['rule', 'minimumBasket'], 'INVALID'],
      [['rule', 'validityDays'], 'INVALID'],
    ]);
    const unknown = await data<{ setSegmentCouponRule: { userErrors: UserError[] } }>('marketer', mutation, { id: 'm999-0', rule });
    expect(unknown.setSegmentCouponRule.userErrors.map((e) => e.code)).toEqual(['NOT_FOUND']);

    const set = await data<{ setSegmentCouponRule: { segment: Segment; userErrors: UserError[] } }>('marketer', mutation, { id: target.id, rule });
    const coupon = { segment: target.rfmSegment, ...rule };
    expect(set.setSegmentCouponRule).toEqual({ segment: { ...target, coupon, couponOverridden: true }, userErrors: [] });
    expect((await allSegments()).find((s) => s.id === target.id)).toMatchObject({ coupon, couponOverridden: true });

    const customer = await recommendationsOf(customersOf(target.id)[0]!);
    expect(customer.couponRecommendations).toEqual([{ campaign: null, segmentName: target.name, coupon, holdout: expect.any(Boolean) }]);
    const elsewhere = await recommendationsOf(customersOf(other.id)[0]!);
    expect(elsewhere.couponRecommendations.map((r) => r.coupon)).toEqual([other.coupon]);

    // Resetting (an admin passes too) brings back the default of its RFM segment.
    const reset = await data<{ resetSegmentCouponRule: { segment: Segment; userErrors: UserError[] } }>('admin', `mutation($id: ID!) { resetSegmentCouponRule(id: $id) { segment { ${SEGMENT} } userErrors { code } } }`, { id: target.id });
    expect(reset.resetSegmentCouponRule).toEqual({ segment: target, userErrors: [] });
    expect((await recommendationsOf(customersOf(target.id)[0]!)).couponRecommendations.map((r) => r.coupon)).toEqual([target.coupon]);
  });

  it('setCouponRule changes the default strategy of a named RFM segment for every segment that follows it', async () => {
    const target = segments[0]!;
    const rule = { offer: 'free gift wrapping', kind: 'gift', discountPercent: 0, minimumBasket: 20, validityDays: 21, channel: 'email' };
    const mutation = `mutation($s: String!, $rule: CouponRuleInput!) { setCouponRule(rfmSegment: $s, rule: $rule) { rule { ${COUPON} } userErrors { field code message } } }`;

    const unknown = await data<{ setCouponRule: { rule: null; userErrors: UserError[] } }>('marketer', mutation, { s: 'VIP', rule: { ...rule, kind: 'cashback' } });
    expect(unknown.setCouponRule.rule).toBeNull();
    expect(unknown.setCouponRule.userErrors.map((e) => [e.field, e.code])).toEqual([
      [['rfmSegment'], 'INVALID'],
      [['rule', 'kind'], 'INVALID'],
    ]);

    const set = await data<{ setCouponRule: { rule: Coupon; userErrors: UserError[] } }>('marketer', mutation, { s: target.rfmSegment, rule });
    const coupon = { segment: target.rfmSegment, ...rule };
    expect(set.setCouponRule).toEqual({ rule: coupon, userErrors: [] });
    const { couponRules } = await data<{ couponRules: Coupon[] }>('viewer', `{ couponRules { ${COUPON} } }`);
    expect(couponRules.find((r) => r.segment === target.rfmSegment)).toEqual(coupon);
    for (const s of await allSegments()) if (s.rfmSegment === target.rfmSegment) expect(s).toMatchObject({ coupon, couponOverridden: false });
    expect((await recommendationsOf(customersOf(target.id)[0]!)).couponRecommendations.map((r) => r.coupon)).toEqual([coupon]);
  });

  it('creates campaigns whose targeted and holdout counts match an independent count, and recommends their coupons', async () => {
    // Renamed 'Winter VIPs' above; its coupon may follow a default changed above.
    const target = (await allSegments()).find((s) => s.id === segments[1]!.id)!;
    expect(target.name).toBe('Winter VIPs');
    const create = (input: Record<string, unknown>) =>
      data<{ createCouponCampaign: { campaign: Campaign | null; userErrors: UserError[] } }>('marketer', `mutation($input: CreateCouponCampaignInput!) { createCouponCampaign(input: $input) { campaign { ${CAMPAIGN} } userErrors { field code message } } }`, { input });

    const refused = await create({ name: 'Broken', segmentIds: [target.id, 'm999-0'], holdoutShare: 0.6, startsAt: '2030-01-02', endsAt: '2030-01-01' });
    expect(refused.createCouponCampaign.campaign).toBeNull();
    expect(refused.createCouponCampaign.userErrors.map((e) => [e.field, e.code])).toEqual([
      [['input', 'segmentIds', '1'], 'INVALID'],
      [['input', 'holdoutShare'], 'INVALID'],
      [['input', 'endsAt'], 'INVALID'],
    ]);
    // A campaign that has not started yet changes no recommendation.
    const later = await create({ name: 'Next spring', holdoutShare: 0.1, startsAt: '2030-03-01T00:00:00Z' });
    expect(later.createCouponCampaign.userErrors).toEqual([]);

    const before = Date.now();
    const created = await create({ name: 'Winter win-back', segmentIds: [target.id], holdoutShare: 0.2 });
    expect(created.createCouponCampaign.userErrors).toEqual([]);
    const campaign = created.createCouponCampaign.campaign!;

    // The independent count: the slice's customers whose own segment is the target, and the holdout
    // draw applied to exactly those ids.
    const targeted = customersOf(target.id);
    const heldOut = targeted.filter((id) => isInHoldout(id, campaign.id, 0.2));
    expect(campaign).toEqual({
      id: expect.any(String),
      name: 'Winter win-back',
      segmentIds: [target.id],
      holdoutShare: 0.2,
      startsAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      endsAt: null,
      createdAt: campaign.startsAt,
      createdBy: 'marketer',
      targetedCustomers: targeted.length,
      holdoutCustomers: heldOut.length,
    });
    expect(Math.abs(Date.parse(campaign.startsAt) - before)).toBeLessThan(60_000);
    expect(targeted.length).toBe(target.size);
    expect(targeted.length).toBeGreaterThan(0);
    // About a fifth held out: within four binomial standard deviations.
    expect(Math.abs(heldOut.length - 0.2 * targeted.length)).toBeLessThan(4 * Math.sqrt(targeted.length * 0.2 * 0.8) + 1);

    // Every targeted customer gets the campaign's recommendation with their own holdout flag.
    const recommendations = await forCustomers<{ couponRecommendations: Recommendation[] }>(targeted, `couponRecommendations { ${RECOMMENDATION} }`);
    for (const id of targeted) {
      expect(recommendations.get(id)?.couponRecommendations).toEqual([
        { campaign: { id: campaign.id, name: 'Winter win-back' }, segmentName: 'Winter VIPs', coupon: target.coupon, holdout: heldOut.includes(id) },
      ]);
    }
    const outsider = customersOf(segments[2]!.id)[0]!;
    expect((await recommendationsOf(outsider)).couponRecommendations.map((r) => r.campaign)).toEqual([null]);

    // A campaign for every segment targets every customer of the slice.
    const everyone = (await create({ name: 'Everyone, December', holdoutShare: 0.2, endsAt: '2099-12-31' })).createCouponCampaign.campaign!;
    expect(everyone).toMatchObject({ segmentIds: [], endsAt: '2099-12-31T00:00:00Z', targetedCustomers: customerIds.length, holdoutCustomers: customerIds.filter((id) => isInHoldout(id, everyone.id, 0.2)).length });
    expect(Math.abs(everyone.holdoutCustomers - 0.2 * customerIds.length)).toBeLessThan(4 * Math.sqrt(customerIds.length * 0.2 * 0.8));
    const outsiderNow = await recommendationsOf(outsider);
    expect(outsiderNow.couponRecommendations.map((r) => [r.campaign?.id, r.holdout])).toEqual([[everyone.id, isInHoldout(outsider, everyone.id, 0.2)]]);
    const insider = targeted[0]!;
    expect(new Set((await recommendationsOf(insider)).couponRecommendations.map((r) => r.campaign?.id))).toEqual(new Set([campaign.id, everyone.id]));

    // The list: newest first, with the same counts.
    const { couponCampaigns } = await data<{ couponCampaigns: Campaign[] }>('viewer', `{ couponCampaigns { ${CAMPAIGN} } }`);
    expect(couponCampaigns.map((c) => c.name)).toEqual(['Everyone, December', 'Winter win-back', 'Next spring']);
    expect(couponCampaigns[1]).toEqual(campaign);
    expect(couponCampaigns[2]).toMatchObject({ startsAt: '2030-03-01T00:00:00Z', targetedCustomers: customerIds.length });
  });
});
