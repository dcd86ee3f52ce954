export { type Result, ok, err } from './result';
export { sha256Hex } from './sha256';
export {
  type DecimalProblem,
  parseDecimalToMilli,
  roundMilliToCents,
  formatMoney,
  formatMoneyGrouped,
  milliToUnits,
} from './money';
export {
  type TransactionLine,
  type TransactionLineFields,
  type SourceLine,
  type LineKind,
  lineIdOf,
  makeTransactionLine,
  classifyLine,
  lineAmountMilli,
} from './transaction-line';
export {
  CANONICAL_COLUMNS,
  REQUIRED_COLUMNS,
  COLUMN_ALIASES,
  type CanonicalColumn,
  type ColumnMap,
  type HeaderError,
  resolveHeader,
} from './header';
export {
  type RowRejection,
  type RowRejectionCode,
  ROW_REJECTION_CODES,
  UNSPECIFIED_COUNTRY,
  normaliseCustomerId,
  normaliseRow,
} from './normalise-row';
export { parseSourceDate, isoToEpochMs, epochMsToIso } from './source-date';
