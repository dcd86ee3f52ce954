import { useMutation, useQuery } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { RENAME_SEGMENT, RESET_SEGMENT_COUPON_RULE, SEGMENT_CUSTOMERS_QUERY, SEGMENT_QUERY, SET_SEGMENT_COUPON_RULE, type CustomerOrder, type SegmentDetail } from '../api/operations';
import { CouponSummary } from '../components/coupon-summary';
import { CustomersTable } from '../components/customers-table';
import { Badge, ErrorNotice, Loading, Panel, ProblemNotice, Stat } from '../components/ui';
import { describeApiError, describeHttpStatus, type ApiProblem } from '../lib/api-errors';
import { COUPON_CHANNELS, COUPON_KINDS, couponFormFrom, fieldErrorsOf, optionsWith, parseCouponForm, type CouponFormValues, type FieldErrors } from '../lib/coupon-form';
import { defaultExportName, exportPath } from '../lib/csv-export';
import { fetchCsv, saveFile } from '../lib/save-file';
import { formatDateTime, formatDays, formatDecimal, formatInteger, formatMoney, formatPercent } from '../lib/format';
import { currentCursor, FIRST_PAGE, nextPage, pageIndex, pageRange, previousPage, type Pager } from '../lib/pager';
import { rfmSegmentColour, segmentColour } from '../lib/palette';
import { hrefFor } from '../lib/route';
import { useMayTry, useSession } from '../session';
import { useDebounced } from '../use-debounced';

const PAGE_SIZE = 20;

export function SegmentPage(props: { id: string }) {
  const { data, error, refetch } = useQuery(SEGMENT_QUERY, { variables: { id: props.id } });

  if (error && !data) return <ErrorNotice error={error} what="Segment" onRetry={() => void refetch()} />;
  if (!data) return <Loading label="Loading the segment…" />;
  const segment = data.segment;
  if (!segment) {
    return (
      <div className="page">
        <Panel title="Segment not found">
          <p>
            The current model has no segment <code>{props.id}</code>; it may belong to an older model. <a href={hrefFor({ page: 'overview' })}>Back to the overview</a>.
          </p>
        </Panel>
      </div>
    );
  }
  return (
    <div className="page">
      <p className="breadcrumb">
        <a href={hrefFor({ page: 'overview' })}>Overview</a> / {segment.name}
      </p>
      <SegmentHeader segment={segment} />
      <div className="detail-grid">
        <Panel title="Why this name" className="span-2">
          <p>{segment.description}</p>
          <ul className="reasons" data-testid="segment-reasons">
            {segment.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
          {segment.topCountries.length > 0 ? (
            <p className="muted">
              Top countries: {segment.topCountries.map((c) => `${c.country} (${formatInteger(c.customers)})`).join(', ')}
            </p>
          ) : null}
        </Panel>
        <CouponPanel segment={segment} onApplied={() => refetch()} />
        <RenamePanel segment={segment} />
      </div>
      <SegmentCustomers id={segment.id} name={segment.name} />
    </div>
  );
}

function SegmentHeader(props: { segment: SegmentDetail }) {
  const s = props.segment;
  return (
    <>
      <div className="page-title segment-title" style={{ borderLeftColor: segmentColour(s.cluster) }}>
        <h1 data-testid="segment-title">{s.name}</h1>
        <p>
          <Badge>
            <span className="dot" style={{ background: rfmSegmentColour(s.rfmSegment) }} />
            {s.rfmSegment}
          </Badge>{' '}
          {s.nameOverridden ? <Badge tone="info">renamed by marketing</Badge> : null} <span className="muted">model v{s.modelVersion}, cluster {s.cluster}</span>
        </p>
      </div>
      <div className="stats">
        <Stat label="Customers" value={formatInteger(s.size)} hint={`${formatPercent(s.customerShare)} of all`} />
        <Stat label="Share of revenue" value={formatPercent(s.revenueShare)} />
        <Stat label="Typical recency" value={formatDays(s.typicalRecencyDays)} />
        <Stat label="Typical orders" value={formatDecimal(s.typicalFrequency)} />
        <Stat label="Typical spend" value={formatMoney(s.typicalMonetary)} />
      </div>
    </>
  );
}

function CouponPanel(props: { segment: SegmentDetail; onApplied: () => Promise<unknown> }) {
  const { segment } = props;
  const session = useSession();
  const mayEdit = useMayTry('marketer');
  const [editing, setEditing] = useState(false);
  const [values, setValues] = useState<CouponFormValues>(() => couponFormFrom(segment.coupon));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const [applied, setApplied] = useState<string | undefined>();
  const [setRule, setState] = useMutation(SET_SEGMENT_COUPON_RULE);
  const [resetRule, resetState] = useMutation(RESET_SEGMENT_COUPON_RULE);
  const busy = setState.loading || resetState.loading;

  const refusedOrFailed = (error: unknown) => {
    const p = describeApiError(error);
    setProblem(p);
    if (p.kind === 'forbidden') {
      session.refused('marketer');
      setEditing(false);
    }
  };

  const confirmApplied = async (what: string) => {
    // Ask the API again, so what is shown is what the gateway now serves.
    await props.onApplied();
    setApplied(`${what} — confirmed by the API at ${formatDateTime(new Date().toISOString()).slice(11)}.`);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(undefined);
    setApplied(undefined);
    const parsed = parseCouponForm(values);
    if (!parsed.ok) return setErrors(parsed.errors);
    setErrors({});
    try {
      const { data } = await setRule({ variables: { id: segment.id, rule: parsed.rule } });
      const payload = data?.setSegmentCouponRule;
      if (!payload) throw new Error('the gateway sent no answer');
      if (payload.userErrors.length > 0) return setErrors(fieldErrorsOf(payload.userErrors));
      setEditing(false);
      await confirmApplied('Coupon rule applied');
    } catch (error) {
      refusedOrFailed(error);
    }
  };

  const reset = async () => {
    setProblem(undefined);
    setApplied(undefined);
    try {
      const { data } = await resetRule({ variables: { id: segment.id } });
      const payload = data?.resetSegmentCouponRule;
      if (payload && payload.userErrors.length > 0) return setErrors(fieldErrorsOf(payload.userErrors));
      setEditing(false);
      await confirmApplied(`Back to the ${segment.rfmSegment} default`);
    } catch (error) {
      refusedOrFailed(error);
    }
  };

  const field = (name: keyof CouponFormValues, label: string, input: React.ReactNode) => (
    <div className={`field ${errors[name] ? 'field-error' : ''}`}>
      <label htmlFor={`coupon-${name}`}>{label}</label>
      {input}
      {errors[name] ? <div className="field-message">{errors[name]}</div> : null}
    </div>
  );
  const set = (name: keyof CouponFormValues) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [name]: e.target.value }));

  return (
    <Panel
      title="Coupon"
      subtitle={segment.couponOverridden ? 'Set for this segment' : `Default of ${segment.rfmSegment}`}
      testId="coupon-panel"
      actions={
        !editing ? (
          <button
            type="button"
            className="button-secondary button-small"
            disabled={!mayEdit}
            title={mayEdit ? undefined : 'Editing coupons needs a marketer or admin key'}
            data-testid="edit-coupon"
            onClick={() => {
              setValues(couponFormFrom(segment.coupon));
              setErrors({});
              setApplied(undefined);
              setEditing(true);
            }}
          >
            Edit
          </button>
        ) : null
      }
    >
      {!editing ? (
        <>
          <CouponSummary coupon={segment.coupon} overridden={segment.couponOverridden} />
          {!mayEdit ? <p className="muted small" data-testid="coupon-read-only">Read-only: your key's role ({session.role}) cannot change coupons.</p> : null}
        </>
      ) : (
        <form className="coupon-form" onSubmit={(e) => void submit(e)} data-testid="coupon-form">
          {field('offer', 'Offer', <input id="coupon-offer" value={values.offer} onChange={set('offer')} maxLength={200} required />)}
          <div className="field-row">
            {field(
              'kind',
              'Kind',
              <select id="coupon-kind" value={values.kind} onChange={set('kind')}>
                {optionsWith(COUPON_KINDS, values.kind).map((k) => (
                  <option key={k} value={k}>
                    {k}
                  </option>
                ))}
              </select>,
            )}
            {field('discountPercent', 'Discount %', <input id="coupon-discountPercent" inputMode="decimal" value={values.discountPercent} onChange={set('discountPercent')} />)}
          </div>
          <div className="field-row">
            {field('minimumBasket', 'Minimum basket', <input id="coupon-minimumBasket" inputMode="decimal" value={values.minimumBasket} onChange={set('minimumBasket')} />)}
            {field('validityDays', 'Valid for (days)', <input id="coupon-validityDays" inputMode="numeric" value={values.validityDays} onChange={set('validityDays')} />)}
          </div>
          {field(
            'channel',
            'Channel',
            <select id="coupon-channel" value={values.channel} onChange={set('channel')}>
              {optionsWith(COUPON_CHANNELS, values.channel).map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>,
          )}
          {errors.form ? <div className="notice notice-error">{errors.form}</div> : null}
          <div className="form-actions">
            <button type="submit" disabled={busy} data-testid="save-coupon">
              {setState.loading ? 'Saving…' : 'Save for this segment'}
            </button>
            <button type="button" className="button-secondary" disabled={busy} onClick={() => setEditing(false)}>
              Cancel
            </button>
            {segment.couponOverridden ? (
              <button type="button" className="button-link" disabled={busy} onClick={() => void reset()}>
                Back to the {segment.rfmSegment} default
              </button>
            ) : null}
          </div>
        </form>
      )}
      {problem ? <ProblemNotice problem={problem} /> : null}
      {applied ? (
        <div className="notice notice-success" role="status" data-testid="coupon-applied">
          {applied}
        </div>
      ) : null}
    </Panel>
  );
}

function RenamePanel(props: { segment: SegmentDetail }) {
  const { segment } = props;
  const session = useSession();
  const mayEdit = useMayTry('marketer');
  const [name, setName] = useState(segment.name);
  const [message, setMessage] = useState<{ tone: 'error' | 'success'; text: string } | undefined>();
  const [rename, { loading }] = useMutation(RENAME_SEGMENT);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(undefined);
    try {
      const { data } = await rename({ variables: { id: segment.id, name: name.trim() } });
      const payload = data?.renameSegment;
      if (payload && payload.userErrors.length > 0) return setMessage({ tone: 'error', text: payload.userErrors.map((e) => e.message).join(' ') });
      setMessage({ tone: 'success', text: `Renamed to ${payload?.segment?.name ?? name.trim()}.` });
    } catch (error) {
      const p = describeApiError(error);
      if (p.kind === 'forbidden') session.refused('marketer');
      setMessage({ tone: 'error', text: p.message });
    }
  };

  return (
    <Panel title="Name" subtitle={segment.nameOverridden ? 'Chosen by marketing' : 'Computed from the centroid'}>
      <form className="inline-form" onSubmit={(e) => void submit(e)}>
        <label htmlFor="segment-name" className="visually-hidden">
          Segment name
        </label>
        <input id="segment-name" value={name} onChange={(e) => setName(e.target.value)} disabled={!mayEdit} maxLength={80} />
        <button type="submit" className="button-secondary" disabled={!mayEdit || loading || name.trim().length === 0 || name.trim() === segment.name} title={mayEdit ? undefined : 'Renaming needs a marketer or admin key'}>
          {loading ? 'Renaming…' : 'Rename'}
        </button>
      </form>
      {message ? (
        <div className={`notice notice-${message.tone}`} role={message.tone === 'error' ? 'alert' : 'status'}>
          {message.text}
        </div>
      ) : null}
    </Panel>
  );
}

function SegmentCustomers(props: { id: string; name: string }) {
  const [search, setSearch] = useState('');
  const debounced = useDebounced(search.trim(), 300);
  const [order, setOrder] = useState<CustomerOrder>({ field: 'MONETARY', direction: 'DESC' });
  const [pager, setPager] = useState<Pager>(FIRST_PAGE);
  const [searched, setSearched] = useState(debounced);
  if (searched !== debounced) {
    setSearched(debounced);
    setPager(FIRST_PAGE);
  }
  const { data, previousData, loading, error, refetch } = useQuery(SEGMENT_CUSTOMERS_QUERY, {
    variables: { id: props.id, first: PAGE_SIZE, after: currentCursor(pager), orderBy: order, search: debounced.length > 0 ? debounced : null },
  });
  const page = (data ?? previousData)?.segment?.customers;

  return (
    <Panel
      title="Customers"
      subtitle={page ? `${formatInteger(page.totalCount)} ${debounced ? `with ids starting with “${debounced}”` : 'in this segment'}` : undefined}
      actions={<ExportButton id={props.id} name={props.name} />}
      testId="segment-customers"
    >
      <div className="table-tools">
        <label htmlFor="customer-search" className="visually-hidden">
          Search customer ids
        </label>
        <input id="customer-search" type="search" placeholder="Search customer ids…" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      {error && !page ? <ErrorNotice error={error} what="Customers" onRetry={() => void refetch()} /> : null}
      {!page && !error ? <Loading label="Loading customers…" /> : null}
      {page ? (
        <>
          <CustomersTable
            rows={page.nodes}
            order={order}
            busy={loading}
            onOrder={(o) => {
              setOrder(o);
              setPager(FIRST_PAGE);
            }}
          />
          <div className="pager">
            <button type="button" className="button-secondary button-small" disabled={pageIndex(pager) === 0 || loading} onClick={() => setPager(previousPage(pager))}>
              ← Previous
            </button>
            <span className="muted" data-testid="page-range">
              {pageRange(pager, PAGE_SIZE, page.nodes.length, page.totalCount)}
              {loading ? ' · loading…' : ''}
            </span>
            <button type="button" className="button-secondary button-small" disabled={!page.pageInfo.hasNextPage || loading} onClick={() => setPager(nextPage(pager, page.pageInfo.endCursor))}>
              Next →
            </button>
          </div>
          {error ? <ErrorNotice error={error} what="Customers" onRetry={() => void refetch()} /> : null}
        </>
      ) : null}
    </Panel>
  );
}

/** Downloads the segment's customers as CSV: fetched with the key (a plain link cannot send it), then saved. */
function ExportButton(props: { id: string; name: string }) {
  const session = useSession();
  const mayExport = useMayTry('marketer');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | undefined>();

  const download = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      const fetched = await fetchCsv(exportPath(props.id), session.apiKey, defaultExportName(props.name));
      if (!fetched.ok) {
        const p = describeHttpStatus(fetched.status, fetched.body);
        if (p.kind === 'forbidden') session.refused('marketer');
        return setProblem(p);
      }
      saveFile(fetched.blob, fetched.fileName);
    } catch (error) {
      setProblem(describeApiError(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="export">
      <button type="button" className="button-secondary button-small" onClick={() => void download()} disabled={busy || !mayExport} title={mayExport ? 'All customers of the segment as CSV' : 'Exports need a marketer or admin key'} data-testid="export-csv">
        {busy ? 'Exporting…' : 'Export CSV'}
      </button>
      {problem ? <ProblemNotice problem={problem} /> : null}
    </div>
  );
}
