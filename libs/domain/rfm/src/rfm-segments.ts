/** The 11 named RFM segments of product.md. */
export type RfmSegmentName =
  | 'Champions'
  | 'Loyal'
  | 'Potential Loyalist'
  | 'New Customers'
  | 'Promising'
  | 'Need Attention'
  | 'About To Sleep'
  | 'At Risk'
  | 'Cannot Lose Them'
  | 'Hibernating'
  | 'Lost';

/** Each named segment with its R,F,M codes, as in product.md; every one of the 125 codes appears once. */
export const RFM_SEGMENTS: readonly { readonly name: RfmSegmentName; readonly codes: readonly string[] }[] = [
  { name: 'Champions', codes: ['555', '554', '544', '545', '454', '455', '445'] },
  { name: 'Loyal', codes: ['543', '444', '435', '355', '354', '345', '344', '335'] },
  {
    name: 'Potential Loyalist',
    codes: [
      '553', '551', '552', '541', '542', '533', '532', '531', '452', '451', '442', '441',
      '431', '453', '433', '432', '423', '353', '352', '351', '342', '341', '333', '323',
    ],
  },
  { name: 'New Customers', codes: ['512', '511', '422', '421', '412', '411', '311'] },
  {
    name: 'Promising',
    codes: ['525', '524', '523', '522', '521', '515', '514', '513', '425', '424', '413', '414', '415', '315', '314', '313'],
  },
  { name: 'Need Attention', codes: ['535', '534', '443', '434', '343', '334', '325', '324'] },
  { name: 'About To Sleep', codes: ['331', '321', '312', '221', '213', '231', '241', '251'] },
  {
    name: 'At Risk',
    codes: [
      '255', '254', '245', '244', '253', '252', '243', '242', '235', '234', '225', '224',
      '153', '152', '145', '143', '142', '135', '134', '133', '125', '124',
    ],
  },
  { name: 'Cannot Lose Them', codes: ['155', '154', '144', '214', '215', '115', '114', '113'] },
  { name: 'Hibernating', codes: ['332', '322', '233', '232', '223', '222', '132', '123', '122', '212', '211'] },
  { name: 'Lost', codes: ['111', '112', '121', '131', '141', '151'] },
];

/** The segment names in table order. */
export const RFM_SEGMENT_NAMES: readonly RfmSegmentName[] = RFM_SEGMENTS.map((segment) => segment.name);

const BY_CODE: ReadonlyMap<string, RfmSegmentName> = new Map(
  RFM_SEGMENTS.flatMap((segment) => segment.codes.map((code) => [code, segment.name] as const)),
);

/** The named segment of an R,F,M code such as '545'; throws on anything but the 125 valid codes. */
export function segmentForCode(code: string): RfmSegmentName {
  const name = BY_CODE.get(code);
  if (name === undefined) throw new RangeError(`not an RFM code: "${code}"`);
  return name;
}
