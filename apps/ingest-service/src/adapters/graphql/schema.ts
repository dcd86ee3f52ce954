import { gql } from 'graphql-tag';
import type { SubgraphDescriptor } from '@seg/platform-subgraph';

/** The ingest subgraph: where customers come from, and the import jobs that bring them. */
export const ingestSubgraph: SubgraphDescriptor = {
  name: 'ingest',
  url: 'http://127.0.0.1:4001/graphql',
  typeDefs: gql`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])

    "A shop's customer, as first seen in its transactions."
    type Customer @key(fields: "id") {
      id: ID!
      "Country of the customer's most recent line."
      country: String
      firstSeenAt: String
      lastSeenAt: String
    }

    enum ImportStatus {
      RUNNING
      COMPLETED
      FAILED
      "Stopped by an admin; lines published before the stop stay, a new import of the file completes it."
      CANCELLED
    }

    "A CSV import: progress counters while it runs, then its outcome."
    type ImportJob {
      id: ID!
      source: String!
      status: ImportStatus!
      linesRead: Int!
      accepted: Int!
      rejected: Int!
      "Valid lines without a customer id: counted, not attributable, not published."
      withoutCustomer: Int!
      "Lines of erased customers: counted, not published, not kept (not even as rejected rows)."
      erased: Int!
      bytesRead: Float!
      startedAt: String!
      finishedAt: String
      error: String
      "Rejected rows in line order, at most first (1..1000); with after, only those after that line number (the last lineNumber of the previous page)."
      rejectedRows(first: Int = 50, after: Int): [RejectedRow!]!
    }

    "A source line that was not accepted, kept for inspection."
    type RejectedRow {
      lineNumber: Int!
      code: String!
      reason: String!
      raw: String
    }

    type UserError @shareable {
      field: [String!]
      code: String!
      message: String!
    }

    type StartImportPayload {
      job: ImportJob
      userErrors: [UserError!]!
    }

    type CancelImportPayload {
      job: ImportJob
      userErrors: [UserError!]!
    }

    "One transaction line, as a shop's backend sends it."
    input TransactionInput {
      invoiceNo: String!
      stockCode: String!
      description: String
      quantity: Int!
      "2011-12-09 12:50:00, an ISO 8601 date-time, or 12/9/2011 12:50"
      invoiceDate: String!
      "A decimal string such as 2.55, so that money stays exact."
      unitPrice: String!
      customerId: ID!
      country: String
    }

    type RecordTransactionsPayload {
      accepted: Int!
      "Lines of erased customers: dropped, not recorded."
      erased: Int!
      "Identities of the accepted lines; sending a line again does not count it twice."
      lineIds: [ID!]!
      userErrors: [UserError!]!
    }

    type EraseCustomerPayload {
      "The erased customer's id, normalised as in imports (17850.0 -> 17850); null when the id is invalid."
      customerId: ID
      "True once the erasure is recorded; every service then deletes what it holds of the customer."
      requested: Boolean!
      userErrors: [UserError!]!
    }

    enum Role {
      "Reads everything."
      VIEWER
      "Also renames segments, edits coupon rules, creates campaigns and exports."
      MARKETER
      "Also imports, records transactions, trains and erases."
      ADMIN
    }

    "The caller, as the gateway authenticated them."
    type Caller {
      role: Role!
    }

    type Query {
      "Who is asking: lets a client show only what the caller's role may do."
      me: Caller!
      customer(id: ID!): Customer
      importJob(id: ID!): ImportJob
      importJobs(first: Int = 20): [ImportJob!]!
    }

    type Mutation {
      "Imports a CSV file readable by the ingest service (admin). Paths must lie under SEG_IMPORT_ROOTS."
      startImport(path: String!): StartImportPayload!
      "Stops a running import after its current batch (admin)."
      cancelImport(id: ID!): CancelImportPayload!
      "Records up to 1,000 transaction lines (admin); invalid lines come back as userErrors."
      recordTransactions(lines: [TransactionInput!]!): RecordTransactionsPayload!
      "Erases a customer in every service (GDPR art. 17; admin). Their later lines are dropped. Repeating it is harmless."
      eraseCustomer(id: ID!): EraseCustomerPayload!
    }
  `,
};
