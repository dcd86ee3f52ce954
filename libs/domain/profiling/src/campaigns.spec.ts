import { campaignReach, campaignTargets, isCampaignActive, isoSeconds, parseInstant, recommendCoupons, validateCampaign, type CouponCampaign, type CouponCampaignInput } from './campaigns';
import { couponForSegment, DEFAULT_COUPON_RULES } from './coupon-rules';
import { isInHoldout } from './holdout';

const now = new Date('2011-12-01T12:00:00.250Z');
const known = new Set(['m1-0', 'm1-1', 'm3-2']);
const input: CouponCampaignInput = { name: 'Winter win-back', segmentIds: ['m1-1'], holdoutShare: 0.2, startsAt: '2011-12-01', endsAt: '2011-12-24T18:00:00Z' };
const problemsOf = (changes: Partial<CouponCampaignInput>) => {
  const result = validateCampaign({ ...input, ...changes }, known, now);
  return result.ok ? [] : result.error.map((p) => [p.field.join('.'), p.code]);
};

describe('parseInstant', () => {
  it('reads ISO dates (midnight UTC) and date-times with a zone', () => {
    expect(parseInstant('2011-12-01')).toBe(Date.UTC(2011, 11, 1));
    expect(parseInstant('2011-12-01T09:30:00Z')).toBe(Date.UTC(2011, 11, 1, 9, 30));
    expect(parseInstant('2011-12-01T10:30+01:00')).toBe(Date.UTC(2011, 11, 1, 9, 30));
    expect(parseInstant('2011-12-01T09:30:00.5Z')).toBe(Date.UTC(2011, 11, 1, 9, 30, 0, 500));
  });

  it.each(['2011-12-01T09:30:00', '12/1/2011', '2011-02-30', '2011-13-01', '2011-12-01T24:00:00Z', '1969-12-31', 'soon', ''])('refuses %p', (text) => {
    expect(parseInstant(text)).toBeUndefined();
  });
});

describe('validateCampaign', () => {
  it('normalises a valid campaign: trimmed name, instants to the second, repeated segment ids dropped', () => {
    expect(validateCampaign({ ...input, name: ' Winter win-back ', segmentIds: ['m1-1', 'm3-2', 'm1-1'] }, known, now)).toEqual({
      ok: true,
      value: { name: 'Winter win-back', segmentIds: ['m1-1', 'm3-2'], holdoutShare: 0.2, startsAt: '2011-12-01T00:00:00Z', endsAt: '2011-12-24T18:00:00Z' },
    });
  });

  it('starts now, targets every segment and runs open-ended by default', () => {
    expect(validateCampaign({ name: 'Always on', holdoutShare: 0.1 }, known, now)).toEqual({
      ok: true,
      value: { name: 'Always on', segmentIds: [], holdoutShare: 0.1, startsAt: isoSeconds(now.getTime()), endsAt: null },
    });
    expect(isoSeconds(now.getTime())).toBe('2011-12-01T12:00:00Z');
  });

  it('accepts the holdout share limits 0 and 0.5', () => {
    expect(problemsOf({ holdoutShare: 0 })).toEqual([]);
    expect(problemsOf({ holdoutShare: 0.5 })).toEqual([]);
  });

  it.each<[string, Partial<CouponCampaignInput>, string]>([
    ['an empty name', { name: '  ' }, 'name'],
    ['a name of 101 characters', { name: 'x'.repeat(101) }, 'name'],
    ['a holdout share above 0.5', { holdoutShare: 0.51 }, 'holdoutShare'],
    ['a negative holdout share', { holdoutShare: -0.1 }, 'holdoutShare'],
    ['an unknown segment id, by position', { segmentIds: ['m1-0', 'm9-9'] }, 'segmentIds.1'],
    ['a start that is no date', { startsAt: 'tomorrow' }, 'startsAt'],
    ['an end before the start', { endsAt: '2011-11-30T23:59:59Z' }, 'endsAt'],
    ['an end at the start', { endsAt: '2011-12-01T00:00:00Z' }, 'endsAt'],
  ])('refuses %s as INVALID', (_what, changes, field) => {
    expect(problemsOf(changes)).toEqual([[field, 'INVALID']]);
  });

  it('reports every problem at once', () => {
    expect(problemsOf({ name: '', segmentIds: ['x', 'm1-0', 'y'], holdoutShare: 2, endsAt: 'never' })).toEqual([
      ['name', 'INVALID'],
      ['segmentIds.0', 'INVALID'],
      ['segmentIds.2', 'INVALID'],
      ['holdoutShare', 'INVALID'],
      ['endsAt', 'INVALID'],
    ]);
  });
});

const campaign = (id: string, changes: Partial<CouponCampaign> = {}): CouponCampaign => ({
  id,
  name: `campaign ${id}`,
  segmentIds: [],
  holdoutShare: 0.2,
  startsAt: '2011-12-01T00:00:00Z',
  endsAt: null,
  createdAt: '2011-11-30T09:00:00Z',
  createdBy: 'marketer',
  ...changes,
});

describe('isCampaignActive and campaignTargets', () => {
  it('runs from its start (included) to its end (excluded)', () => {
    const c = campaign('c', { startsAt: '2011-12-01T00:00:00Z', endsAt: '2011-12-02T00:00:00Z' });
    expect(isCampaignActive(c, new Date('2011-11-30T23:59:59.999Z'))).toBe(false);
    expect(isCampaignActive(c, new Date('2011-12-01T00:00:00Z'))).toBe(true);
    expect(isCampaignActive(c, new Date('2011-12-01T23:59:59.999Z'))).toBe(true);
    expect(isCampaignActive(c, new Date('2011-12-02T00:00:00Z'))).toBe(false);
    expect(isCampaignActive(campaign('open'), new Date('2031-01-01T00:00:00Z'))).toBe(true);
  });

  it('targets its segments, or every segment when it names none', () => {
    expect(campaignTargets({ segmentIds: ['m1-1'] }, 'm1-1')).toBe(true);
    expect(campaignTargets({ segmentIds: ['m1-1'] }, 'm1-0')).toBe(false);
    expect(campaignTargets({ segmentIds: [] }, 'm1-0')).toBe(true);
  });
});

describe('recommendCoupons', () => {
  const coupon = couponForSegment(DEFAULT_COUPON_RULES, 'At Risk');
  const segment = { key: 'm1-1', name: 'Win-back targets', coupon };
  const defaultHoldout = { campaignId: 'default', share: 0.1 };

  it('gives the built-in default recommendation when no campaign runs for the segment', () => {
    const others = [campaign('other-segment', { segmentIds: ['m1-0'] }), campaign('over', { endsAt: '2011-12-01T12:00:00Z' }), campaign('later', { startsAt: '2011-12-02T00:00:00Z' })];
    expect(recommendCoupons('17850', segment, others, now, defaultHoldout)).toEqual([
      { campaign: null, segmentName: 'Win-back targets', coupon, holdout: isInHoldout('17850', 'default', 0.1) },
    ]);
  });

  it('gives one recommendation per running campaign for the segment, earliest first, with that campaign\'s holdout draw', () => {
    const a = campaign('a', { startsAt: '2011-11-15T00:00:00Z', holdoutShare: 0.5 });
    const b = campaign('b', { segmentIds: ['m1-0', 'm1-1'] });
    const recommendations = recommendCoupons('17850', segment, [b, campaign('not-mine', { segmentIds: ['m1-0'] }), a], now, defaultHoldout);
    expect(recommendations).toEqual([
      { campaign: a, segmentName: 'Win-back targets', coupon, holdout: isInHoldout('17850', 'a', 0.5) },
      { campaign: b, segmentName: 'Win-back targets', coupon, holdout: isInHoldout('17850', 'b', 0.2) },
    ]);
  });

  it('holds out about the campaign\'s share of customers, independently of the default campaign', () => {
    const ids = Array.from({ length: 5_000 }, (_, i) => String(12346 + i));
    const held = ids.filter((id) => recommendCoupons(id, segment, [campaign('spring')], now, defaultHoldout)[0]?.holdout).length;
    expect(Math.abs(held - 1_000)).toBeLessThan(4 * Math.sqrt(5_000 * 0.2 * 0.8));
  });
});

describe('campaignReach', () => {
  const bySegment = new Map([
    ['m1-0', Array.from({ length: 400 }, (_, i) => String(13000 + i))],
    ['m1-1', Array.from({ length: 600 }, (_, i) => String(15000 + i))],
  ]);
  const heldIn = (c: CouponCampaign, ids: readonly string[]) => ids.filter((id) => isInHoldout(id, c.id, c.holdoutShare)).length;

  it('counts the customers of the targeted segments and applies the holdout draw to exactly those', () => {
    const one = campaign('one', { segmentIds: ['m1-1', 'm9-9'] });
    expect(campaignReach(one, bySegment)).toEqual({ targeted: 600, holdout: heldIn(one, bySegment.get('m1-1')!) });
    const all = campaign('all');
    expect(campaignReach(all, bySegment)).toEqual({ targeted: 1_000, holdout: heldIn(all, [...bySegment.values()].flat()) });
    expect(campaignReach(campaign('none', { holdoutShare: 0 }), bySegment)).toEqual({ targeted: 1_000, holdout: 0 });
  });
});
