import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { ErrorLink } from '@apollo/client/link/error';
import { describeApiError } from '../lib/api-errors';

/**
 * An Apollo client for one API key: every request goes to /graphql on this origin (the dashboard
 * server forwards it to the gateway) with `Authorization: Bearer <key>`. When the gateway says the
 * key is not (or no longer) valid, `onUnauthenticated` signs the person out.
 */
export function createApiClient(apiKey: string, onUnauthenticated: () => void): ApolloClient {
  const http = new HttpLink({ uri: '/graphql', headers: { authorization: `Bearer ${apiKey}` }, credentials: 'omit' });
  const signOutOn401 = new ErrorLink(({ error }) => {
    if (describeApiError(error).kind === 'unauthenticated') onUnauthenticated();
  });
  return new ApolloClient({
    link: ApolloLink.from([signOutOn401, http]),
    cache: new InMemoryCache({
      typePolicies: {
        SegmentationModel: { keyFields: ['version'] },
        Segment: { fields: { coupon: { merge: false }, customers: { keyArgs: ['first', 'after', 'orderBy', 'search'] } } },
        Customer: { fields: { rfm: { merge: true } } },
        ImportJob: { fields: { rejectedRows: { merge: false } } },
      },
    }),
    defaultOptions: {
      watchQuery: { fetchPolicy: 'cache-and-network' },
    },
  });
}
