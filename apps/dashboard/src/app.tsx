import { ApolloProvider } from '@apollo/client/react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { createApiClient } from './api/client';
import { WHO_AM_I_QUERY } from './api/operations';
import { ErrorBoundary } from './components/error-boundary';
import { DistributionProvider } from './distribution';
import { clearCredential, maskKey, readCredential, roleAfterRefusal, roleHint, saveCredential, type Role } from './lib/credential';
import { hrefFor, type Route } from './lib/route';
import { ChartsPage } from './pages/charts-page';
import { CustomerPage } from './pages/customer-page';
import { ImportsPage } from './pages/imports-page';
import { LoginPage } from './pages/login-page';
import { OverviewPage } from './pages/overview-page';
import { SegmentPage } from './pages/segment-page';
import { SessionContext, type Session } from './session';
import { useRoute } from './use-route';

function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

export function App() {
  const [apiKey, setApiKey] = useState<string | undefined>(() => {
    const s = storage();
    return s ? readCredential(s) : undefined;
  });
  const [notice, setNotice] = useState<string | undefined>();

  const signIn = useCallback((key: string) => {
    const s = storage();
    if (s) saveCredential(s, key);
    setNotice(undefined);
    setApiKey(key);
  }, []);
  const signOut = useCallback((why?: string) => {
    const s = storage();
    if (s) clearCredential(s);
    setNotice(why);
    setApiKey(undefined);
  }, []);

  if (!apiKey) return <LoginPage onSignIn={signIn} notice={notice} />;
  return <SignedIn key={apiKey} apiKey={apiKey} onSignOut={signOut} />;
}

function SignedIn(props: { apiKey: string; onSignOut: (why?: string) => void }) {
  const { apiKey, onSignOut } = props;
  const [role, setRole] = useState<Role | undefined>(() => roleHint(apiKey));
  const client = useMemo(() => createApiClient(apiKey, () => onSignOut('The gateway no longer accepts that API key. Sign in with a valid key.')), [apiKey, onSignOut]);
  // The gateway says which role the key has; until it answers, the key's prefix is the hint.
  useEffect(() => {
    let current = true;
    client.query({ query: WHO_AM_I_QUERY, fetchPolicy: 'network-only' }).then(
      (result) => {
        const answered = result.data?.me.role.toLowerCase();
        if (current && (answered === 'viewer' || answered === 'marketer' || answered === 'admin')) setRole(answered);
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [client]);
  const session = useMemo<Session>(
    () => ({
      apiKey,
      role,
      client,
      signOut: () => {
        void client.clearStore();
        onSignOut();
      },
      refused: (needed) => setRole((current) => roleAfterRefusal(current, needed)),
    }),
    [apiKey, role, client, onSignOut],
  );
  const route = useRoute();

  return (
    <SessionContext.Provider value={session}>
      <ApolloProvider client={client}>
        <DistributionProvider>
          <Layout route={route} session={session}>
            <ErrorBoundary resetKey={hrefFor(route)}>
              <Page route={route} />
            </ErrorBoundary>
          </Layout>
        </DistributionProvider>
      </ApolloProvider>
    </SessionContext.Provider>
  );
}

function Page(props: { route: Route }) {
  const { route } = props;
  switch (route.page) {
    case 'overview':
      return <OverviewPage />;
    case 'charts':
      return <ChartsPage />;
    case 'segment':
      return <SegmentPage key={route.id} id={route.id} />;
    case 'customer':
      return <CustomerPage key={route.id ?? ''} id={route.id} />;
    case 'imports':
      return <ImportsPage />;
  }
}

const NAV: readonly { readonly route: Route; readonly label: string; readonly active: (r: Route) => boolean }[] = [
  { route: { page: 'overview' }, label: 'Overview', active: (r) => r.page === 'overview' || r.page === 'segment' },
  { route: { page: 'charts' }, label: 'Charts', active: (r) => r.page === 'charts' },
  { route: { page: 'customer' }, label: 'Customers', active: (r) => r.page === 'customer' },
  { route: { page: 'imports' }, label: 'Imports', active: (r) => r.page === 'imports' },
];

function Layout(props: { route: Route; session: Session; children: React.ReactNode }) {
  const { session } = props;
  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href={hrefFor({ page: 'overview' })}>
          <img src="/favicon.svg" alt="" width="24" height="24" />
          <span>seg</span>
          <span className="brand-sub">marketing dashboard</span>
        </a>
        <nav className="nav" aria-label="Pages">
          {NAV.map((item) => (
            <a key={item.label} href={hrefFor(item.route)} className={item.active(props.route) ? 'active' : undefined} aria-current={item.active(props.route) ? 'page' : undefined}>
              {item.label}
            </a>
          ))}
        </nav>
        <div className="account">
          <span className="account-key" title="The API key of this tab (kept until the tab is closed)" data-testid="role">
            {session.role ?? 'role unknown'} · {maskKey(session.apiKey)}
          </span>
          <button type="button" className="button-secondary button-small" onClick={session.signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main className="content">{props.children}</main>
    </div>
  );
}
