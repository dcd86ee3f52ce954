import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { DISTRIBUTION_PAGE_QUERY, type DistributionData, type Rfm } from './api/operations';
import { useSession } from './session';

/**
 * Every customer's RFM values, read page by page through the customers connection. The API has no
 * aggregates for histograms or total revenue, so the dashboard computes them from the customers
 * themselves; that is fine for thousands of customers, and stops at MAX_CUSTOMERS.
 */
export const MAX_CUSTOMERS = 25_000;
const PAGE_SIZE = 250;

export type DistributionState =
  | { readonly status: 'idle' }
  | { readonly status: 'loading'; readonly loaded: number; readonly total: number | undefined }
  | { readonly status: 'done'; readonly customers: readonly Rfm[]; readonly total: number; readonly capped: boolean }
  | { readonly status: 'error'; readonly error: unknown };

interface DistributionContextValue {
  readonly state: DistributionState;
  /** Starts loading (once); later calls do nothing unless `reload` is set. */
  load(reload?: boolean): void;
}

const DistributionContext = createContext<DistributionContextValue | undefined>(undefined);

export function DistributionProvider(props: { children: ReactNode }) {
  const { client } = useSession();
  const [state, setState] = useState<DistributionState>({ status: 'idle' });
  const run = useRef(0);

  const load = useCallback(
    (reload = false) => {
      if (!reload && run.current > 0) return;
      const current = ++run.current;
      setState({ status: 'loading', loaded: 0, total: undefined });
      void (async () => {
        const customers: Rfm[] = [];
        let after: string | null = null;
        let total = 0;
        try {
          for (;;) {
            const result: { data?: DistributionData | undefined } = await client.query({ query: DISTRIBUTION_PAGE_QUERY, variables: { first: PAGE_SIZE, after }, fetchPolicy: 'no-cache' });
            const data = result.data;
            if (current !== run.current) return;
            if (!data) throw new Error('the gateway sent no data');
            total = data.customers.totalCount;
            for (const node of data.customers.nodes) if (node.rfm) customers.push(node.rfm);
            after = data.customers.pageInfo.endCursor;
            const capped = customers.length >= MAX_CUSTOMERS;
            if (!data.customers.pageInfo.hasNextPage || !after || capped) {
              setState({ status: 'done', customers, total, capped: capped && data.customers.pageInfo.hasNextPage });
              return;
            }
            setState({ status: 'loading', loaded: customers.length, total });
          }
        } catch (error) {
          if (current === run.current) setState({ status: 'error', error });
        }
      })();
    },
    [client],
  );

  return <DistributionContext.Provider value={{ state, load }}>{props.children}</DistributionContext.Provider>;
}

/** The customers' RFM values, loading them on first use. */
export function useDistribution(): DistributionContextValue {
  const value = useContext(DistributionContext);
  if (!value) throw new Error('useDistribution outside DistributionProvider');
  const { load } = value;
  useEffect(() => load(), [load]);
  return value;
}
