import type { ReactNode } from 'react';
import type { ApiProblem } from '../lib/api-errors';
import { describeApiError } from '../lib/api-errors';

export function Panel(props: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string; testId?: string }) {
  return (
    <section className={`panel ${props.className ?? ''}`} data-testid={props.testId}>
      <header className="panel-header">
        <div>
          <h2>{props.title}</h2>
          {props.subtitle ? <p className="panel-subtitle">{props.subtitle}</p> : null}
        </div>
        {props.actions ? <div className="panel-actions">{props.actions}</div> : null}
      </header>
      <div className="panel-body">{props.children}</div>
    </section>
  );
}

export function Loading(props: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{props.label ?? 'Loading…'}</span>
    </div>
  );
}

/** A failed request: what went wrong in words, and a retry when one can help. */
export function ErrorNotice(props: { error: unknown; onRetry?: () => void; what?: string }) {
  const problem: ApiProblem = describeApiError(props.error);
  if (problem.kind === 'unavailable') return <Unavailable title={props.what ?? 'Not available'}>{problem.message}</Unavailable>;
  return (
    <div className={`notice notice-error notice-${problem.kind}`} role="alert">
      <strong>{props.what ? `${props.what}: ` : ''}</strong>
      {problem.message}
      {props.onRetry && problem.kind !== 'forbidden' && problem.kind !== 'unauthenticated' ? (
        <button type="button" className="button-link" onClick={props.onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

export function ProblemNotice(props: { problem: ApiProblem }) {
  return (
    <div className={`notice notice-error notice-${props.problem.kind}`} role="alert">
      {props.problem.message}
    </div>
  );
}

/** A panel's content when the API does not offer what it needs. */
export function Unavailable(props: { title: string; children: ReactNode }) {
  return (
    <div className="unavailable" data-testid="unavailable">
      <strong>{props.title}</strong>
      <p>{props.children}</p>
    </div>
  );
}

export function Stat(props: { label: string; value: ReactNode; hint?: ReactNode; testId?: string }) {
  return (
    <div className="stat" data-testid={props.testId}>
      <div className="stat-label">{props.label}</div>
      <div className="stat-value">{props.value}</div>
      {props.hint ? <div className="stat-hint">{props.hint}</div> : null}
    </div>
  );
}

export function Badge(props: { children: ReactNode; tone?: 'neutral' | 'info' | 'good' | 'warn' | 'bad'; title?: string }) {
  return (
    <span className={`badge badge-${props.tone ?? 'neutral'}`} title={props.title}>
      {props.children}
    </span>
  );
}

export function ShareBar(props: { share: number; colour?: string; label: string }) {
  const width = Math.max(0, Math.min(1, props.share)) * 100;
  return (
    <div className="share-bar" role="img" aria-label={props.label}>
      <div className="share-bar-fill" style={{ width: `${width}%`, background: props.colour ?? 'var(--accent)' }} />
    </div>
  );
}
