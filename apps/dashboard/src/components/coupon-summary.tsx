import type { CouponRule } from '../api/operations';
import { formatMoney, formatPercentValue } from '../lib/format';

const KIND_LABELS: Readonly<Record<string, string>> = { percent: 'discount', free_shipping: 'free shipping', points: 'loyalty points', gift: 'gift', none: 'no coupon' };

export function couponTerms(c: CouponRule): string {
  const parts = [c.kind === 'percent' ? `${formatPercentValue(c.discountPercent)} off` : (KIND_LABELS[c.kind] ?? c.kind)];
  if (c.minimumBasket > 0) parts.push(`from ${formatMoney(c.minimumBasket)}`);
  parts.push(`${c.validityDays} days`, `by ${c.channel}`);
  return parts.join(' · ');
}

export function CouponSummary(props: { coupon: CouponRule; overridden?: boolean }) {
  const c = props.coupon;
  return (
    <div className="coupon" data-testid="coupon">
      <div className="coupon-label">Coupon{props.overridden ? ' (set for this segment)' : ''}</div>
      <div className="coupon-offer" data-testid="coupon-offer">
        {c.offer}
      </div>
      <div className="coupon-terms">{couponTerms(c)}</div>
    </div>
  );
}
