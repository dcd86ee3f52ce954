import type { IncomingMessage } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import { csvRow } from '@seg/platform-csv';
import type { Logger } from '@seg/platform-observability';
import { hasRole, type HttpRoutes } from '@seg/platform-subgraph';
import type { GatewayContext } from '../graphql/gateway-context';
import { openDownload, PageFailed, pathId, queryPage, streamCsvDownload, type DownloadAddress } from '../http/route-helpers';

/** `GET /imports/<job id>/rejected.csv` */
const REJECTED_PATH = /^\/imports\/([^/]+)\/rejected\.csv$/;

/** Rows per GraphQL page: the largest `first` that `rejectedRows` accepts. */
export const REJECTED_PAGE_SIZE = 1_000;

/**
 * One page of a job's rejected rows. The download pages through GraphQL on the gateway itself,
 * as the segment export does, rather than through a streaming route of the ingest service: the
 * caller's role, the query limits and the error masking are the ones of /graphql, the ingest
 * service keeps a single read path (its subgraph), and `after` (a line number) is a range of the
 * (job_id, line_number) index, so page n costs what page 1 costs. The price is one subgraph
 * round trip per 1,000 rows, small beside the rows themselves.
 */
export const REJECTED_PAGE_QUERY = `query ImportRejectedRowsExport($id: ID!, $after: Int) {
  importJob(id: $id) {
    id
    rejectedRows(first: ${REJECTED_PAGE_SIZE}, after: $after) { lineNumber code reason raw }
  }
}`;

export const REJECTED_COLUMNS = ['line_number', 'code', 'reason', 'raw'] as const;

export interface RejectedRow {
  readonly lineNumber: number;
  readonly code: string;
  readonly reason: string;
  readonly raw: string | null;
}

interface RejectedPage {
  readonly importJob: { readonly id: string; readonly rejectedRows: readonly RejectedRow[] } | null;
}

/** The job id of a rejected-rows path, or undefined for any other path. */
export const rejectedRowsJobId = (pathname: string): string | undefined => pathId(REJECTED_PATH, pathname);

const REJECTED_ADDRESS: DownloadAddress = {
  path: REJECTED_PATH,
  prefix: '/imports/',
  usage: 'no such address: use POST /imports or GET /imports/<job id>/rejected.csv',
  allows: (role) => hasRole(role, 'admin'),
  forbidden: (role) => `rejected rows need the admin role; you have ${role}`,
};

/** One CSV line per rejected row (RFC 4180, CRLF); the raw text is defused against spreadsheet formulas like every text cell. */
export function rejectedRowLine(row: RejectedRow): string {
  return csvRow([row.lineNumber, row.code, row.reason, row.raw ?? '']);
}

/** A file name made of the job id's safe characters. */
export function rejectedRowsFileName(jobId: string): string {
  return `import-${jobId.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80)}-rejected.csv`;
}

export interface RejectedRowsCsvOptions {
  /** The gateway's own Apollo server: the download runs the same operation a client would. */
  readonly apollo: Pick<ApolloServer<GatewayContext>, 'executeOperation'>;
  /** The context function of /graphql: the same credentials, the same 401s. */
  readonly context: (request: IncomingMessage) => Promise<GatewayContext>;
  readonly logger: Logger;
}

/**
 * `GET /imports/<job id>/rejected.csv`: every rejected row of an import (`line_number, code,
 * reason, raw`) as a CSV download, for admins (the raw lines hold customer data). Streams each
 * page as it arrives. 401 without valid credentials, 403 below admin, 404 for an unknown job, 502
 * when the first page cannot be read; a failure after it cuts the download short, so a partial
 * file never looks complete. While the import runs, the rows rejected so far.
 */
export function rejectedRowsCsvRoute(options: RejectedRowsCsvOptions): HttpRoutes {
  const { apollo, logger } = options;
  return async (request, response, url) => {
    const opened = await openDownload(request, response, url, REJECTED_ADDRESS, options.context);
    if (typeof opened === 'boolean') return opened;
    const { id: jobId, context, head } = opened;

    await streamCsvDownload<number>(response, {
      what: 'rejected rows download',
      log: { correlationId: context.correlationId, role: context.role, jobId },
      logger,
      head,
      fileName: rejectedRowsFileName(jobId),
      columns: REJECTED_COLUMNS,
      notFound: `no import with id ${JSON.stringify(jobId)}`,
      gone: (rows) => `import ${jobId} is gone after ${rows} rows`,
      page: async (after) => {
        const { importJob } = await queryPage<RejectedPage>(apollo, context, REJECTED_PAGE_QUERY, { id: jobId, after });
        if (importJob === null) return null;
        const list = importJob.rejectedRows;
        const first = list[0];
        if (after !== null && first && first.lineNumber <= after) throw new PageFailed([{ message: `the rejected rows did not advance after line ${after}` }]);
        const last = list[list.length - 1];
        return { lines: list.map(rejectedRowLine).join(''), rows: list.length, next: list.length < REJECTED_PAGE_SIZE || !last ? null : last.lineNumber };
      },
    });
    return true;
  };
}
