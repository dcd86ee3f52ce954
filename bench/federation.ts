// Federation overhead: what one customer lookup costs through the gateway, against the same kind
// of request sent straight to a subgraph, at a fixed concurrency.
//
//   npx tsx bench/federation.ts [--seconds 10] [--connections 32] [--warmup-s 2] [--rounds 2]
//                               [--port-base 5250]
//
// 1. Starts a fresh platform (apps/e2e/src/platform.ts: the five BUILT apps as real processes on
//    throwaway databases and a topic prefix of their own) with a gateway secret it knows, imports
//    the bundled sample (data/sample/online_retail_2010-12_2011-02.csv.gz), waits until every
//    customer is in a segment, and lists every customer id through the gateway.
// 2. Runs autocannon (in this process) against each target in turn, --connections concurrent
//    connections for --seconds after --warmup-s of warm-up that is not counted, each request for
//    the next customer id of the list (so caches and the database see real, varied keys), and
//    does the whole round --rounds times (targets interleaved, so a burst of other work on the
//    machine hits one round of each rather than every round of one):
//
//    gateway      POST /graphql on the gateway with the viewer key:
//                   customer(id) { rfm { segment } segment { name } couponRecommendations { holdout coupon { offer } } }
//                 The query plan calls three subgraphs: ingest for customer(id), then rfm and
//                 profiling in parallel for the entity's fields.
//    profiling    POST /graphql on the profiling subgraph, signed as the gateway signs (the shared
//                 secret and the role header), its part of the same answer:
//                   _entities(representations: [{ __typename: "Customer", id }]) { ... on Customer {
//                     segment { name } couponRecommendations { holdout coupon { offer } } } }
//    ingest, rfm  the two other fetches of the plan, sent straight to their subgraphs the same way:
//                   customer(id) { id }  and  _entities(...) { ... on Customer { rfm { segment } } }
//
// 3. Prints one table, each target's best round (the most requests per second): requests per
//    second and their range over the rounds, latency p50, p90, p99 and max (ms), and errors of all
//    rounds (HTTP errors, connection errors and timeouts, and 200 answers that carry GraphQL
//    errors), the CPU time the gateway and the three subgraphs of the plan used per request (from
//    /proc/<pid>/stat: it does not grow with the time spent waiting for a CPU, so it is the
//    steadier measure of what federation costs on a busy machine), then the overhead ratios of the
//    gateway against the profiling subgraph (p50 latency, throughput and CPU per request of the
//    best rounds). The runs start once the apps are idle (training after the import is over).
//
// Every target runs closed-loop at the same concurrency, so each is saturated: latency is about
// connections / throughput, and the rows compare capacities. The load generator shares the
// machine with the five apps, MariaDB and the broker: on a small machine the numbers are those of
// the whole box, and ratios measured in the same run are more telling than the absolute values. Needs the apps built (bash -c 'source tools/lib/common.sh;
// build_apps'), MariaDB and the Kafka broker up (bash tools/infra/up.sh) and .local/secrets.env.
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { loadLocalSecrets } from '@seg/testing';
import { startPlatform, type RunningPlatform } from '../apps/e2e/src/platform';
import { APPS, SAMPLE, cpuSeconds, importJob, log, machine, query, requireBuiltApps, sleep, startImport, table, waitForSegments } from './pipeline';

interface Options {
  readonly seconds: number;
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly rounds: number;
  readonly portBase: number;
}

function parseOptions(argv: readonly string[]): Options {
  const opts = { seconds: 10, connections: 32, warmupSeconds: 2, rounds: 2, portBase: 5250 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = () => {
      const n = Number(argv[++i]);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${a} needs a number`);
      return n;
    };
    if (a === '--seconds') opts.seconds = value();
    else if (a === '--connections') opts.connections = value();
    else if (a === '--warmup-s') opts.warmupSeconds = value();
    else if (a === '--rounds') opts.rounds = Math.max(1, Math.round(value()));
    else if (a === '--port-base') opts.portBase = value();
    else throw new Error(`unknown option ${a}`);
  }
  return opts;
}

/** One kind of request: where it goes, with which headers, and its body for a customer id. */
interface Target {
  readonly name: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: (customerId: string) => string;
}

interface Measurement {
  readonly name: string;
  readonly requests: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly errors: number;
  /** CPU seconds used during the run: the gateway, the three subgraphs the lookup uses, clustering (not used by it). */
  readonly cpu: AppCpu;
}

const GATEWAY_QUERY = 'query($id: ID!) { customer(id: $id) { rfm { segment } segment { name } couponRecommendations { holdout coupon { offer } } } }';
const entities = (fields: string) => `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { ${fields} } } }`;
const PROFILING_QUERY = entities('segment { name } couponRecommendations { holdout coupon { offer } }');
const RFM_QUERY = entities('rfm { segment }');
const INGEST_QUERY = 'query($id: ID!) { customer(id: $id) { id } }';

const representation = (id: string) => ({ representations: [{ __typename: 'Customer', id }] });

interface AppCpu {
  readonly gateway: number;
  readonly subgraphs: number;
  readonly clustering: number;
}

/** CPU seconds used so far by the gateway, by ingest, rfm and profiling together, and by clustering. */
function appCpu(platform: RunningPlatform): AppCpu {
  const of = (app: (typeof APPS)[number]) => cpuSeconds(platform.app(app).child.pid) ?? NaN;
  return { gateway: of('gateway'), subgraphs: of('ingest-service') + of('rfm-service') + of('profiling-service'), clustering: of('clustering-service') };
}

const cpuSince = (before: AppCpu, after: AppCpu): AppCpu => ({
  gateway: after.gateway - before.gateway,
  subgraphs: after.subgraphs - before.subgraphs,
  clustering: after.clustering - before.clustering,
});

/** Waits (up to a minute) until the apps are idle: training and profiling after an import take a while. */
async function waitForIdle(platform: RunningPlatform): Promise<void> {
  const total = (cpu: AppCpu) => cpu.gateway + cpu.subgraphs + cpu.clustering;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const before = appCpu(platform);
    await sleep(2_000);
    const used = total(cpuSince(before, appCpu(platform)));
    if (!(used > 0.1) || Date.now() > deadline) return;
  }
}

/** Runs autocannon against one target, cycling over the customer ids; GraphQL errors count as errors. */
async function measure(platform: RunningPlatform, target: Target, ids: readonly string[], options: Options, seconds: number): Promise<Measurement> {
  let next = 0;
  const cpuBefore = appCpu(platform);
  let graphqlErrors = 0;
  const result = await autocannon({
    url: target.url,
    connections: options.connections,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers },
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => ({ ...request, body: target.body(ids[next++ % ids.length] as string) }),
        onResponse: (status, body) => {
          if (status === 200 && body.includes('"errors"')) graphqlErrors++;
        },
      },
    ],
  });
  const cpuAfter = appCpu(platform);
  return {
    name: target.name,
    requests: result.requests.total,
    seconds: result.duration,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.non2xx + result.errors + graphqlErrors,
    cpu: cpuSince(cpuBefore, cpuAfter),
  };
}

/** Every customer id, through the gateway's customers connection. */
async function customerIds(platform: RunningPlatform): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    type Page = { customers: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: { id: string }[] } };
    const page: Page = await query<Page>(platform, platform.keys.viewer, 'query($after: String) { customers(first: 250, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } } }', { after });
    ids.push(...page.customers.nodes.map((n) => n.id));
    if (!page.customers.pageInfo.hasNextPage || page.customers.pageInfo.endCursor === null) return ids;
    after = page.customers.pageInfo.endCursor;
  }
}

/** Sends one request of a target and fails loudly unless it is a clean GraphQL answer with data. */
async function check(target: Target, id: string): Promise<void> {
  const response = await fetch(target.url, { method: 'POST', headers: { 'content-type': 'application/json', ...target.headers }, body: target.body(id) });
  const text = await response.text();
  if (!response.ok || text.includes('"errors"') || !text.includes('"data"')) throw new Error(`${target.name}: HTTP ${response.status}: ${text.slice(0, 300)}`);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  requireBuiltApps();
  loadLocalSecrets();
  const gatewaySecret = randomBytes(24).toString('hex');
  const machineBefore = machine();
  log(`starting a fresh platform on ports ${options.portBase}..${options.portBase + 4}; ${machineBefore}`);
  const platform = await startPlatform(options.portBase, { SEG_GATEWAY_SECRET: gatewaySecret });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await platform.stop();
  };
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));
  const runs: Measurement[][] = [];
  let failure: unknown;
  let customers = 0;
  let machineAfter = '';
  try {
    const jobId = await startImport(platform, SAMPLE);
    let job = await importJob(platform, jobId);
    while (job.status === 'RUNNING') {
      await sleep(500);
      job = await importJob(platform, jobId);
    }
    if (job.status !== 'COMPLETED') throw new Error(`sample import ${job.status}: ${job.error}`);
    const settled = await waitForSegments(platform, 600_000);
    const ids = await customerIds(platform);
    customers = ids.length;
    if (ids.length === 0) throw new Error('no customers after the import');
    log(`sample imported: ${job.linesRead} lines, ${settled.customers} customers (${ids.length} listed), model v${settled.modelVersion}`);

    const signed = { 'x-seg-gateway-secret': gatewaySecret, 'x-seg-role': 'viewer' };
    const targets: Target[] = [
      { name: 'gateway (ingest -> rfm + profiling)', url: platform.gatewayUrl, headers: { authorization: `Bearer ${platform.keys.viewer}` }, body: (id) => JSON.stringify({ query: GATEWAY_QUERY, variables: { id } }) },
      { name: 'profiling subgraph, direct', url: platform.subgraphUrls.profiling, headers: signed, body: (id) => JSON.stringify({ query: PROFILING_QUERY, variables: representation(id) }) },
      { name: 'ingest subgraph, direct', url: platform.subgraphUrls.ingest, headers: signed, body: (id) => JSON.stringify({ query: INGEST_QUERY, variables: { id } }) },
      { name: 'rfm subgraph, direct', url: platform.subgraphUrls.rfm, headers: signed, body: (id) => JSON.stringify({ query: RFM_QUERY, variables: representation(id) }) },
    ];
    for (const target of targets) await check(target, ids[0] as string);
    await waitForIdle(platform);
    targets.forEach(() => runs.push([]));
    for (let round = 1; round <= options.rounds; round++) {
      for (const [i, target] of targets.entries()) {
        if (round === 1 && options.warmupSeconds > 0) await measure(platform, target, ids, options, options.warmupSeconds);
        log(`round ${round}/${options.rounds}, ${target.name}: ${options.connections} connections for ${options.seconds} s (${machine()}) ...`);
        runs[i]?.push(await measure(platform, target, ids, options, options.seconds));
      }
    }
    machineAfter = machine();
  } catch (error) {
    failure = error;
  } finally {
    log('stopping the platform ...');
    await stop();
  }

  console.log('== federation overhead: one customer lookup through the gateway vs straight to the subgraphs ==');
  console.log(`machine: ${machineBefore} at the start, ${machineAfter || '-'} after the runs; node ${process.version}`);
  console.log(`load: autocannon, ${options.connections} connections, ${options.seconds} s per target after ${options.warmupSeconds} s of warm-up, cycling over ${customers.toLocaleString('en-US')} customer ids of the bundled sample`);
  if (failure) console.log(`FAILED: ${failure instanceof Error ? failure.message : String(failure)}`);
  const rps = (r: Measurement) => r.requests / r.seconds;
  const best = runs.filter((rounds) => rounds.length > 0).map((rounds) => [...rounds].sort((a, b) => rps(b) - rps(a))[0] as Measurement);
  if (best.length > 0) {
    const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '-');
    console.log(`rows: the best of ${options.rounds} round(s) per target; req/s range over the rounds; errors summed over the rounds`);
    console.log();
    console.log(
      table(
        ['target', 'req/s', 'range', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors', 'gateway CPU ms/req', 'subgraphs CPU ms/req'],
        best.map((r, i) => {
          const all = (runs[i] ?? []).map(rps);
          const errors = (runs[i] ?? []).reduce((sum, m) => sum + m.errors, 0);
          const perRequest = (cpu: number) => (r.requests > 0 && Number.isFinite(cpu) ? ((cpu * 1000) / r.requests).toFixed(2) : '-');
          return [r.name, rps(r).toFixed(0), `${Math.min(...all).toFixed(0)}..${Math.max(...all).toFixed(0)}`, ms(r.p50), ms(r.p90), ms(r.p99), ms(r.max), String(errors), perRequest(r.cpu.gateway), perRequest(r.cpu.subgraphs)];
        }),
      ),
    );
    const [gateway, profiling] = best;
    if (gateway && profiling) {
      console.log();
      console.log(`overhead of the gateway vs the profiling subgraph alone: ${(gateway.p50 / profiling.p50).toFixed(1)}x the p50 latency, ${(rps(profiling) / rps(gateway)).toFixed(1)}x fewer requests per second`);
      const cpuPerRequest = (m: Measurement) => (m.cpu.gateway + m.cpu.subgraphs) / m.requests;
      console.log(`CPU of the gateway and the subgraphs per request: ${(cpuPerRequest(gateway) * 1000).toFixed(2)} ms through the gateway, ${(cpuPerRequest(profiling) * 1000).toFixed(2)} ms straight to profiling (${(cpuPerRequest(gateway) / cpuPerRequest(profiling)).toFixed(1)}x)`);
      const background = runs.flat().reduce((sum, m) => sum + m.cpu.clustering, 0);
      console.log(`background: the clustering service (not asked by any target) used ${background.toFixed(1)} s of CPU during the runs`);
    }
  }
  if (failure) process.exitCode = 1;
}

main().catch((error: unknown) => {
  log(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
