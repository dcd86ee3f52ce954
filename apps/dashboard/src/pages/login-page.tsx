import { useState, type FormEvent } from 'react';
import { WHO_AM_I_QUERY } from '../api/operations';
import { describeApiError } from '../lib/api-errors';
import { normaliseApiKey } from '../lib/credential';
import { print } from 'graphql';

/**
 * Asks for an API key and checks it with the gateway before keeping it. The key is held in this
 * tab's sessionStorage only and sent to this origin only.
 */
export function LoginPage(props: { onSignIn: (key: string) => void; notice?: string | undefined }) {
  const [input, setInput] = useState('');
  const [checking, setChecking] = useState(false);
  const [problem, setProblem] = useState<string | undefined>(props.notice);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const key = normaliseApiKey(input);
    if (!key) {
      setProblem('Paste an API key: one word, such as mkt_… (no spaces).');
      return;
    }
    setChecking(true);
    setProblem(undefined);
    try {
      const response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: print(WHO_AM_I_QUERY) }),
        credentials: 'omit',
      });
      const text = await response.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      if (!response.ok || (body as { errors?: unknown } | undefined)?.errors) {
        setProblem(describeApiError({ statusCode: response.status, bodyText: text, ...(body && typeof body === 'object' ? body : {}) }).message);
        return;
      }
      props.onSignIn(key);
    } catch (error) {
      setProblem(describeApiError(error).message);
    } finally {
      setChecking(false);
    }
  };

  return (
    <main className="login">
      <form className="login-card" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <div className="login-brand">
          <img src="/favicon.svg" alt="" width="36" height="36" />
          <div>
            <h1 id="login-title">seg marketing dashboard</h1>
            <p>Customer segments, coupons and imports, from the platform's GraphQL API.</p>
          </div>
        </div>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="vwr_…, mkt_… or adm_…"
          value={input}
          onChange={(e) => setInput(e.target.value)}
          autoFocus
        />
        <p className="hint">
          Your key's role decides what you can do: <b>viewer</b> reads, <b>marketer</b> also edits segments and coupons, <b>admin</b> also imports. The key is kept in this tab only and
          forgotten when it closes.
        </p>
        {problem ? (
          <div className="notice notice-error" role="alert">
            {problem}
          </div>
        ) : null}
        <button type="submit" disabled={checking || input.trim().length === 0}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
