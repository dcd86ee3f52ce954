// The coupon rule form: what the inputs hold (text), what the mutation takes (CouponRuleInput), and
// how the server's userErrors land on the fields. The server validates the rule; the form only
// refuses what is not even a number.

export interface CouponRuleFields {
  readonly offer: string;
  readonly kind: string;
  readonly discountPercent: number;
  readonly minimumBasket: number;
  readonly validityDays: number;
  readonly channel: string;
}

export type CouponFormValues = { readonly [K in keyof CouponRuleFields]: string };
export type CouponFormField = keyof CouponRuleFields;
export type FieldErrors = Partial<Record<CouponFormField | 'form', string>>;

/** Kinds and channels the platform knows today; a value the server sends that is not listed is offered too. */
export const COUPON_KINDS = ['percent', 'free_shipping', 'points', 'gift', 'none'] as const;
export const COUPON_CHANNELS = ['email', 'sms', 'push', 'personal'] as const;

export function optionsWith(known: readonly string[], current: string): string[] {
  return current && !known.includes(current) ? [...known, current] : [...known];
}

export function couponFormFrom(rule: CouponRuleFields): CouponFormValues {
  return {
    offer: rule.offer,
    kind: rule.kind,
    discountPercent: String(rule.discountPercent),
    minimumBasket: String(rule.minimumBasket),
    validityDays: String(rule.validityDays),
    channel: rule.channel,
  };
}

function numberOf(text: string): number | undefined {
  const trimmed = text.trim().replace(',', '.');
  if (trimmed.length === 0) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

export type ParsedCouponForm = { readonly ok: true; readonly rule: CouponRuleFields } | { readonly ok: false; readonly errors: FieldErrors };

/** The mutation's input from the form, or the fields that are not numbers where numbers are needed. */
export function parseCouponForm(values: CouponFormValues): ParsedCouponForm {
  const errors: FieldErrors = {};
  const discountPercent = numberOf(values.discountPercent);
  const minimumBasket = numberOf(values.minimumBasket);
  const validityDays = numberOf(values.validityDays);
  if (values.offer.trim().length === 0) errors.offer = 'Describe the offer.';
  if (discountPercent === undefined) errors.discountPercent = 'Enter a number of percent (0 for none).';
  if (minimumBasket === undefined) errors.minimumBasket = 'Enter an amount (0 for any basket).';
  if (validityDays === undefined || !Number.isInteger(validityDays)) errors.validityDays = 'Enter a whole number of days.';
  if (Object.keys(errors).length > 0 || discountPercent === undefined || minimumBasket === undefined || validityDays === undefined) return { ok: false, errors };
  return { ok: true, rule: { offer: values.offer.trim(), kind: values.kind, discountPercent, minimumBasket, validityDays, channel: values.channel } };
}

export interface UserErrorShape {
  readonly field?: readonly string[] | null;
  readonly code: string;
  readonly message: string;
}

const FIELDS: readonly CouponFormField[] = ['offer', 'kind', 'discountPercent', 'minimumBasket', 'validityDays', 'channel'];

/** Puts each userError on the form field its path ends in (["rule", "discountPercent"]), the rest on the form. */
export function fieldErrorsOf(userErrors: readonly UserErrorShape[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const e of userErrors) {
    const last = e.field?.[e.field.length - 1];
    const field = FIELDS.find((f) => f === last);
    const key = field ?? 'form';
    errors[key] = errors[key] ? `${errors[key]} ${e.message}` : e.message;
  }
  return errors;
}
