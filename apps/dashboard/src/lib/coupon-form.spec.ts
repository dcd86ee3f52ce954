import { couponFormFrom, fieldErrorsOf, optionsWith, parseCouponForm } from './coupon-form';

// The At Risk default rule (libs/domain/profiling coupon-rules).
const atRisk = { offer: 'personalised win-back coupon', kind: 'percent', discountPercent: 20, minimumBasket: 0, validityDays: 14, channel: 'email' };

describe('the coupon rule form', () => {
  it('round-trips a rule through the form', () => {
    const parsed = parseCouponForm(couponFormFrom(atRisk));
    expect(parsed).toEqual({ ok: true, rule: atRisk });
  });

  it('trims the offer and reads decimal commas', () => {
    const parsed = parseCouponForm({ ...couponFormFrom(atRisk), offer: '  25% off  ', discountPercent: '12,5', minimumBasket: ' 40 ' });
    expect(parsed).toEqual({ ok: true, rule: { ...atRisk, offer: '25% off', discountPercent: 12.5, minimumBasket: 40 } });
  });

  it('names each field that is not a number or empty', () => {
    const parsed = parseCouponForm({ ...couponFormFrom(atRisk), offer: ' ', discountPercent: 'ten', minimumBasket: '', validityDays: '1.5' });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(Object.keys(parsed.errors).sort()).toEqual(['discountPercent', 'minimumBasket', 'offer', 'validityDays']);
  });

  it('puts server userErrors on their fields', () => {
    expect(
      fieldErrorsOf([
        { field: ['rule', 'discountPercent'], code: 'INVALID', message: 'a percent coupon needs a discount above 0' },
        { field: ['id'], code: 'NOT_FOUND', message: 'no such segment' },
        { field: null, code: 'INVALID', message: 'again' },
      ]),
    ).toEqual({ discountPercent: 'a percent coupon needs a discount above 0', form: 'no such segment again' });
  });

  it('offers a kind the server sends that the form does not know', () => {
    expect(optionsWith(['percent', 'gift'], 'gift')).toEqual(['percent', 'gift']);
    expect(optionsWith(['percent', 'gift'], 'voucher')).toEqual(['percent', 'gift', 'voucher']);
  });
});
