import type { IncomingMessage } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import { csvRow } from '@seg/platform-csv';
import type { Logger } from '@seg/platform-observability';
import type { HttpRoutes, Role } from '@seg/platform-subgraph';
import type { GatewayContext } from '../graphql/gateway-context';
import { openDownload, PageFailed, pathId, queryPage, streamCsvDownload, type DownloadAddress } from '../http/route-helpers';

/** `GET /exports/segments/<segment id>/customers.csv` */
const EXPORT_PATH = /^\/exports\/segments\/([^/]+)\/customers\.csv$/;

/** Roles that may download customer lists (they hold customer ids for campaigns). */
export const EXPORT_ROLES: readonly Role[] = ['marketer', 'admin'];

/** Customers per GraphQL page: the largest `first` the customers connection accepts. */
export const EXPORT_PAGE_SIZE = 250;

/** One page of a segment's customers, as the export asks the gateway for it. */
export const CUSTOMERS_PAGE_QUERY = `query SegmentCustomersExport($id: ID!, $after: String) {
  segment(id: $id) {
    name
    customers(first: ${EXPORT_PAGE_SIZE}, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        country
        rfm { recencyDays frequency monetary r f m segment }
        segment { name coupon { offer discountPercent } }
        couponRecommendations { holdout }
      }
    }
  }
}`;

export const EXPORT_COLUMNS = [
  'customer_id',
  'country',
  'recency_days',
  'frequency',
  'monetary',
  'r',
  'f',
  'm',
  'rfm_segment',
  'segment',
  'coupon_offer',
  'coupon_discount_percent',
  'holdout',
] as const;

export interface ExportedCustomer {
  readonly id: string;
  readonly country: string | null;
  readonly rfm: { readonly recencyDays: number; readonly frequency: number; readonly monetary: number; readonly r: number; readonly f: number; readonly m: number; readonly segment: string } | null;
  readonly segment: { readonly name: string; readonly coupon: { readonly offer: string; readonly discountPercent: number } } | null;
  readonly couponRecommendations: readonly { readonly holdout: boolean }[];
}

interface CustomersPage {
  readonly segment: {
    readonly name: string;
    readonly customers: { readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null }; readonly nodes: readonly ExportedCustomer[] };
  } | null;
}

/** The segment id of an export path, or undefined for any other path. */
export const exportedSegmentId = (pathname: string): string | undefined => pathId(EXPORT_PATH, pathname);

const EXPORT_ADDRESS: DownloadAddress = {
  path: EXPORT_PATH,
  prefix: '/exports/',
  usage: 'no such export: use /exports/segments/<segment id>/customers.csv',
  allows: (role) => EXPORT_ROLES.includes(role),
  forbidden: (role) => `exports need the marketer or admin role; you have ${role}`,
};

/**
 * One CSV line per customer (RFC 4180, CRLF, text defused against spreadsheet formulas). A value
 * the platform does not have yet (no RFM values, no segment, no recommendation) is an empty cell;
 * `holdout` is the customer's first recommendation's, the default campaign's.
 */
export function exportedCustomerRow(customer: ExportedCustomer): string {
  const { rfm, segment } = customer;
  const holdout = customer.couponRecommendations[0]?.holdout;
  return csvRow([
    customer.id,
    customer.country ?? '',
    rfm?.recencyDays ?? '',
    rfm?.frequency ?? '',
    rfm?.monetary ?? '',
    rfm?.r ?? '',
    rfm?.f ?? '',
    rfm?.m ?? '',
    rfm?.segment ?? '',
    segment?.name ?? '',
    segment?.coupon.offer ?? '',
    segment?.coupon.discountPercent ?? '',
    holdout === undefined ? '' : String(holdout),
  ]);
}

/** A file name made of the segment id's safe characters. */
export function exportFileName(segmentId: string): string {
  const safe = segmentId.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
  return `segment-${safe}-customers.csv`;
}

export interface SegmentCustomersExportOptions {
  /** The gateway's own Apollo server: the export runs the same operation a client would. */
  readonly apollo: Pick<ApolloServer<GatewayContext>, 'executeOperation'>;
  /** The context function of /graphql: the same credentials, the same 401s. */
  readonly context: (request: IncomingMessage) => Promise<GatewayContext>;
  readonly logger: Logger;
}

/**
 * `GET /exports/segments/<segment id>/customers.csv`: every customer of a segment as a CSV
 * download, for marketers and admins. It pages through `segment(id) { customers(first: 250,
 * after) }` by executing GraphQL against the gateway itself (so the query limits, the roles the
 * subgraphs enforce and the error masking all apply) and streams each page as it arrives. 401
 * without valid credentials, 403 for a viewer, 404 for an unknown segment, 502 when the first page
 * cannot be read; a failure after the first page cuts the download short (the client sees an
 * incomplete transfer, never a file that looks complete).
 */
export function segmentCustomersCsvRoute(options: SegmentCustomersExportOptions): HttpRoutes {
  const { apollo, logger } = options;
  return async (request, response, url) => {
    const opened = await openDownload(request, response, url, EXPORT_ADDRESS, options.context);
    if (typeof opened === 'boolean') return opened;
    const { id: segmentId, context, head } = opened;

    await streamCsvDownload<string>(response, {
      what: 'segment export',
      log: { correlationId: context.correlationId, role: context.role, segmentId },
      logger,
      head,
      fileName: exportFileName(segmentId),
      columns: EXPORT_COLUMNS,
      notFound: `no segment with id ${JSON.stringify(segmentId)}`,
      // The segment vanished between pages (a retrain replaced it): stop rather than mix models.
      gone: (rows) => `segment ${segmentId} is gone after ${rows} rows`,
      page: async (after) => {
        const { segment } = await queryPage<CustomersPage>(apollo, context, CUSTOMERS_PAGE_QUERY, { id: segmentId, after });
        if (segment === null) return null;
        const { nodes, pageInfo } = segment.customers;
        if (pageInfo.hasNextPage && pageInfo.endCursor === null) throw new PageFailed([{ message: 'the customers connection gave no cursor for its next page' }]);
        return { lines: nodes.map(exportedCustomerRow).join(''), rows: nodes.length, next: pageInfo.hasNextPage ? pageInfo.endCursor : null };
      },
    });
    return true;
  };
}
