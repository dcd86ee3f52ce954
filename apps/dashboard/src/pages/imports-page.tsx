import { useMutation, useQuery } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { CANCEL_IMPORT, IMPORT_JOBS_QUERY, REJECTED_ROWS_QUERY, START_IMPORT, type ImportJob } from '../api/operations';
import { Badge, ErrorNotice, Loading, Panel, ProblemNotice } from '../components/ui';
import { describeApiError, describeHttpStatus, type ApiProblem } from '../lib/api-errors';
import { formatBytes, formatDateTime, formatDuration, formatInteger } from '../lib/format';
import { defaultRejectedRowsName, readUploadAnswer, rejectedRowsPath, sendUpload, uploadProgressText } from '../lib/import-files';
import { fetchCsv, saveFile } from '../lib/save-file';
import { useMayTry, useSession } from '../session';

/** Poll fast while an import runs, slowly otherwise. */
const RUNNING_POLL_MS = 1_500;
const IDLE_POLL_MS = 15_000;

const STATUS_TONE = { RUNNING: 'info', COMPLETED: 'good', FAILED: 'bad', CANCELLED: 'warn' } as const;

export function ImportsPage() {
  const [fast, setFast] = useState(false);
  const { data, error, refetch } = useQuery(IMPORT_JOBS_QUERY, { variables: { first: 20 }, pollInterval: fast ? RUNNING_POLL_MS : IDLE_POLL_MS });
  const running = data?.importJobs.some((j) => j.status === 'RUNNING') ?? false;
  if (running !== fast) setFast(running);

  return (
    <div className="page">
      <div className="page-title">
        <h1>Imports</h1>
        <p>CSV backfills read by the ingest service: progress while they run, then what was accepted and rejected.</p>
      </div>
      <UploadImport onStarted={() => void refetch()} />
      <StartImport onStarted={() => void refetch()} />
      <Panel title="Recent imports" subtitle={running ? 'Refreshing every 1.5 s while an import runs' : 'Refreshing every 15 s'} testId="imports">
        {error && !data ? <ErrorNotice error={error} what="Imports" onRetry={() => void refetch()} /> : null}
        {!data && !error ? <Loading label="Loading imports…" /> : null}
        {data && data.importJobs.length === 0 ? <p className="muted">No imports yet.</p> : null}
        {data ? (
          <ul className="jobs">
            {data.importJobs.map((job) => (
              <JobRow key={job.id} job={job} />
            ))}
          </ul>
        ) : null}
      </Panel>
    </div>
  );
}

/** Uploads a CSV file from this computer (admin): streamed to the gateway, which starts an import of it. */
function UploadImport(props: { onStarted: () => void }) {
  const session = useSession();
  const mayImport = useMayTry('admin');
  const [file, setFile] = useState<File | undefined>();
  const [progress, setProgress] = useState<string | undefined>();
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const [started, setStarted] = useState<string | undefined>();
  const busy = progress !== undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setProblem(undefined);
    setStarted(undefined);
    setProgress(uploadProgressText(file.name, 0, file.size));
    try {
      const answer = await sendUpload(file, session.apiKey, (loaded, total) => setProgress(uploadProgressText(file.name, loaded, total)));
      const outcome = readUploadAnswer(answer.status, answer.body);
      if (outcome.ok) setStarted(`Uploaded ${file.name}: import ${outcome.job.id} started.`);
      else {
        if (outcome.problem.kind === 'forbidden') session.refused('admin');
        setProblem(outcome.problem);
      }
      props.onStarted();
    } catch (error) {
      setProblem(describeApiError(error));
    } finally {
      setProgress(undefined);
    }
  };

  return (
    <Panel title="Upload a file" subtitle="A CSV file from this computer, plain or gzip (.csv.gz), in the Online Retail layout" testId="upload-import">
      <form className="inline-form" onSubmit={(e) => void submit(e)}>
        <label htmlFor="import-file" className="visually-hidden">
          CSV file
        </label>
        <input id="import-file" type="file" accept=".csv,.gz,text/csv,application/gzip" onChange={(e) => setFile(e.target.files?.[0])} disabled={!mayImport || busy} />
        <button type="submit" disabled={!mayImport || busy || !file} title={mayImport ? undefined : 'Uploads need an admin key'} data-testid="upload-submit">
          {busy ? 'Uploading…' : 'Upload and import'}
        </button>
      </form>
      {progress ? (
        <p className="muted small" role="status" data-testid="upload-progress">
          {progress}
        </p>
      ) : null}
      {!mayImport ? <p className="muted small">Read-only: uploads need an admin key (yours is {session.role}).</p> : null}
      {problem ? <ProblemNotice problem={problem} /> : null}
      {started ? (
        <div className="notice notice-success" role="status" data-testid="upload-started">
          {started}
        </div>
      ) : null}
    </Panel>
  );
}

function StartImport(props: { onStarted: () => void }) {
  const session = useSession();
  const mayImport = useMayTry('admin');
  const [path, setPath] = useState('');
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const [started, setStarted] = useState<string | undefined>();
  const [start, { loading }] = useMutation(START_IMPORT);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(undefined);
    setStarted(undefined);
    try {
      const { data } = await start({ variables: { path: path.trim() } });
      const payload = data?.startImport;
      if (payload && payload.userErrors.length > 0) setProblem({ kind: 'invalid', message: payload.userErrors.map((e) => `${e.message} (${e.code})`).join(' ') });
      else setStarted(`Import ${payload?.job?.id ?? ''} started.`);
      props.onStarted();
    } catch (error) {
      const p = describeApiError(error);
      if (p.kind === 'forbidden') session.refused('admin');
      setProblem(p);
    }
  };

  return (
    <Panel title="Start an import" subtitle="A CSV file the ingest service can read, under one of its import folders (SEG_IMPORT_ROOTS)">
      <form className="inline-form" onSubmit={(e) => void submit(e)}>
        <label htmlFor="import-path" className="visually-hidden">
          Server-side path
        </label>
        <input id="import-path" placeholder="/srv/data/online_retail.csv.gz" value={path} onChange={(e) => setPath(e.target.value)} disabled={!mayImport} spellCheck={false} />
        <button type="submit" disabled={!mayImport || loading || path.trim().length === 0} title={mayImport ? undefined : 'Imports need an admin key'}>
          {loading ? 'Starting…' : 'Import'}
        </button>
      </form>
      {!mayImport ? <p className="muted small">Read-only: imports need an admin key (yours is {session.role}).</p> : null}
      {problem ? <ProblemNotice problem={problem} /> : null}
      {started ? (
        <div className="notice notice-success" role="status">
          {started}
        </div>
      ) : null}
    </Panel>
  );
}

function JobRow(props: { job: ImportJob }) {
  const { job } = props;
  const [open, setOpen] = useState(false);
  const mayCancel = useMayTry('admin');
  const [cancel, cancelState] = useMutation(CANCEL_IMPORT);
  const [cancelProblem, setCancelProblem] = useState<ApiProblem | undefined>();
  const running = job.status === 'RUNNING';
  const acceptedShare = job.linesRead > 0 ? job.accepted / job.linesRead : 0;
  const rejectedShare = job.linesRead > 0 ? job.rejected / job.linesRead : 0;

  return (
    <li className={`job job-${job.status.toLowerCase()}`} data-testid="import-job">
      <div className="job-head">
        <Badge tone={STATUS_TONE[job.status]}>{job.status.toLowerCase()}</Badge>
        <code className="job-source" title={job.source}>
          {job.source}
        </code>
        <span className="muted small">
          {formatDateTime(job.startedAt)} · {formatDuration(job.startedAt, job.finishedAt)}
        </span>
      </div>
      <div className={`progress ${running ? 'progress-running' : ''}`} role="progressbar" aria-label="Lines accepted and rejected" aria-valuetext={`${formatInteger(job.linesRead)} lines read`}>
        <div className="progress-accepted" style={{ width: `${acceptedShare * 100}%` }} />
        <div className="progress-rejected" style={{ width: `${rejectedShare * 100}%` }} />
      </div>
      <div className="job-counts">
        <span>
          <b>{formatInteger(job.linesRead)}</b> lines read ({formatBytes(job.bytesRead)})
        </span>
        <span>
          <b>{formatInteger(job.accepted)}</b> accepted
        </span>
        <span>
          <b>{formatInteger(job.rejected)}</b> rejected
        </span>
        <span>
          <b>{formatInteger(job.withoutCustomer)}</b> without customer
        </span>
      </div>
      {job.error ? <div className="notice notice-error">{job.error}</div> : null}
      <div className="job-actions">
        {job.rejected > 0 ? (
          <button type="button" className="button-link" onClick={() => setOpen(!open)} aria-expanded={open}>
            {open ? 'Hide rejected rows' : 'Show rejected rows'}
          </button>
        ) : null}
        {job.rejected > 0 ? <DownloadRejected id={job.id} /> : null}
        {running && mayCancel ? (
          <button
            type="button"
            className="button-link danger"
            disabled={cancelState.loading}
            onClick={() =>
              void cancel({ variables: { id: job.id } }).then(
                (r) => setCancelProblem(r.data?.cancelImport.userErrors[0] ? { kind: 'invalid', message: r.data.cancelImport.userErrors[0].message } : undefined),
                (e: unknown) => setCancelProblem(describeApiError(e)),
              )
            }
          >
            Cancel import
          </button>
        ) : null}
      </div>
      {cancelProblem ? <ProblemNotice problem={cancelProblem} /> : null}
      {open ? <RejectedRows id={job.id} /> : null}
    </li>
  );
}

/** Downloads every rejected row of an import as CSV (admin): fetched with the key, then saved. */
function DownloadRejected(props: { id: string }) {
  const session = useSession();
  const mayDownload = useMayTry('admin');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | undefined>();

  const download = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      const fetched = await fetchCsv(rejectedRowsPath(props.id), session.apiKey, defaultRejectedRowsName(props.id));
      if (!fetched.ok) {
        const p = describeHttpStatus(fetched.status, fetched.body);
        if (p.kind === 'forbidden') session.refused('admin');
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
    <>
      <button
        type="button"
        className="button-link"
        onClick={() => void download()}
        disabled={busy || !mayDownload}
        title={mayDownload ? 'Every rejected row as CSV: line number, code, reason, raw text' : 'Rejected rows downloads need an admin key'}
        data-testid="download-rejected"
      >
        {busy ? 'Downloading…' : 'Download rejected rows'}
      </button>
      {problem ? <ProblemNotice problem={problem} /> : null}
    </>
  );
}

function RejectedRows(props: { id: string }) {
  const { data, error, refetch } = useQuery(REJECTED_ROWS_QUERY, { variables: { id: props.id, first: 50 } });
  if (error && !data) return <ErrorNotice error={error} what="Rejected rows" onRetry={() => void refetch()} />;
  if (!data) return <Loading label="Loading rejected rows…" />;
  const rows = data.importJob?.rejectedRows ?? [];
  return (
    <div className="table-wrap">
      <table className="table table-compact" data-testid="rejected-rows">
        <thead>
          <tr>
            <th className="num">Line</th>
            <th>Code</th>
            <th>Reason</th>
            <th>Raw text</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.lineNumber}>
              <td className="num">{r.lineNumber}</td>
              <td>
                <code>{r.code}</code>
              </td>
              <td>{r.reason}</td>
              <td className="raw">
                <code>{r.raw ?? ''}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 50 ? <p className="muted small">The first 50 rejected rows; "Download rejected rows" gives them all.</p> : null}
    </div>
  );
}
