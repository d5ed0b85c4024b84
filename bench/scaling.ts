// Grant Lab against itself set up otherwise, in the same run, the setups alternating round by
// round, each figure the median of its rounds:
//  - client credentials and refresh on SQLite (the command's default store) against memory;
//  - two instances on one Redis, loaded at once, against one instance on that Redis, and two
//    bare engines against one, loaded the same way: the bound a second process meets here;
//  - --workers 2 against one process, on SQLite.
//
// Fair on two cores: every server process gets its own wrk thread with 8 connections, so two
// instances (or two workers) get two threads and 16 connections, one gets one thread and 8. wrk
// runs on the same two cores: the more the servers answer, the more CPU wrk takes from them, so
// a two-process figure is a floor of what a second core gives when the load comes from
// elsewhere. The cores each setup's servers used are measured too (from /proc), and noted.
import { freePort, machineBusySeconds, type RunningTarget, startTarget } from './processes.ts';
import { REDIS_SERVER, startRedis } from '../test/support/redis-server.ts';
import { type Figure, median, pairedRatio, takeTurns } from './report.ts';
import { clientCredentials, scenarioRequest } from './requests.ts';
import { type LoadRequest, wrk } from './wrk.ts';

export interface SetupRun {
  rounds: number;
  seconds: number;
  /** Each setup loaded once before its rounds (JIT, caches); the quick run skips it. */
  warmUp: boolean;
  log(line: string): void;
}

/** A way to run a server, loaded as a whole: its processes, and what one wrk thread sends each. */
interface Setup {
  servers: RunningTarget[];
  request: (server: RunningTarget) => LoadRequest;
}

interface Sample {
  requestsPerSecond: number;
  /** CPU the servers used, in cores. */
  cores: number;
  /** CPU the whole machine used meanwhile: the servers, wrk, Redis and whatever else ran. */
  machineCores: number;
}

const PER_SERVER = { threads: 1, connections: 8 };
const cpuOf = async (servers: RunningTarget[]) => (await Promise.all(servers.map((server) => server.usage()))).reduce((sum, usage) => sum + usage.cpuSeconds, 0);

/** Every server of the setup under load at once, one wrk per instance: the rates summed. */
async function load({ servers, request }: Setup, seconds: number, processesPerServer = 1): Promise<Sample> {
  const [before, machineBefore, started] = [await cpuOf(servers), await machineBusySeconds(), performance.now()];
  const results = await Promise.all(servers.map((server) => wrk(server.url, request(server), {
    seconds, threads: PER_SERVER.threads * processesPerServer, connections: PER_SERVER.connections * processesPerServer,
  })));
  // Over the time the load took, wrk's start included, so that no share comes out above its cores.
  const elapsed = (performance.now() - started) / 1000;
  const cores = (await cpuOf(servers) - before) / elapsed;
  const machineCores = (await machineBusySeconds() - machineBefore) / elapsed;
  const failed = results.reduce((sum, result) => sum + result.non2xx, 0);
  if (failed) throw new Error(`${servers.map((server) => server.url).join(' and ')} answered ${failed} ${request(servers[0]!).body?.grant_type} requests with an error`);
  return { requestsPerSecond: results.reduce((sum, result) => sum + result.requestsPerSecond, 0), cores, machineCores };
}

/** A setup's medians over the rounds, and its rate in each round. */
interface Measured extends Sample {
  rounds: number[];
}

/** Each setup's median over the rounds, the setups taking turns within every round. */
async function alternate(run: SetupRun, setups: (() => Promise<Sample>)[], warmUps: (() => Promise<unknown>)[]): Promise<Measured[]> {
  if (run.warmUp) for (const warmUp of warmUps) await warmUp();
  const samples = await takeTurns(setups, run.rounds, (setup) => setup());
  const medianOf = (taken: Sample[], pick: keyof Sample) => median(taken.map((sample) => sample[pick]));
  return samples.map((taken) => ({
    requestsPerSecond: medianOf(taken, 'requestsPerSecond'), cores: medianOf(taken, 'cores'), machineCores: medianOf(taken, 'machineCores'),
    rounds: taken.map((sample) => sample.requestsPerSecond),
  }));
}

/** One setup against another, round by round (pairedRatio). */
const against = (setup: Measured, baseline: Measured) => pairedRatio(setup.rounds, baseline.rounds);

/** The servers' CPU, the machine's, and what the servers answered per CPU-second they used. */
const cores = (sample: Sample) => `${sample.cores.toFixed(2)} cores (the machine ${sample.machineCores.toFixed(2)}; ${(sample.requestsPerSecond / sample.cores).toFixed(0)} answers per server CPU-second)`;

/**
 * The setups' figures and notes. `single` is the run's Grant Lab as `npm start` runs it (SQLite
 * in its data directory, one process); the other setups are started here and stopped at the end.
 */
export async function setupFigures(single: RunningTarget, run: SetupRun): Promise<{ figures: Figure[]; notes: string[] }> {
  const figures: Figure[] = [];
  const notes: string[] = [[
    'Setups: each server process has a wrk thread of its own with 8 connections (two instances, or --workers 2: two threads, 16 connections).',
    'wrk shares the two cores with the servers, and takes more of them the more the servers answer: a two-process figure is a floor of what a second core gives when the load comes from elsewhere.',
    'One process already uses more than a core (its main thread, V8\'s garbage collection, libuv\'s thread pool where signatures are made), which bounds what a second process can add here; answers per server CPU-second show whether it costs efficiency.',
    '"The machine" is every process\'s CPU meanwhile, others\' included: the run is only as quiet as the machine was.',
  ].join(' ')];
  const redisFound = REDIS_SERVER !== undefined;
  if (!redisFound) notes.push('Two instances on one Redis: not measured, redis-server is not installed (apt install redis-server).');
  const redis = redisFound ? await startRedis() : undefined;
  const sharedIssuer = `http://localhost:${await freePort()}`;
  const starts = await Promise.allSettled([
    startTarget('grant-lab', { storage: 'memory' }),
    startTarget('grant-lab', { workers: 2 }),
    // At once, as compose starts them: one keeps its keys in Redis, the other adopts them.
    ...(redis ? [1, 2].map(() => startTarget('grant-lab', { storage: redis.url, issuer: sharedIssuer })) : []),
    ...(redis ? [1, 2].map(() => startTarget('bare-engine')) : []),
  ]);
  const started = starts.flatMap((start) => (start.status === 'fulfilled' ? [start.value] : []));
  try {
    const failed = starts.find((start) => start.status === 'rejected');
    if (failed) throw failed.reason;
    const [memory, workers, ...others] = started;
    const instances = others.filter((target) => target.name === 'grant-lab');
    const bareEngines = others.filter((target) => target.name === 'bare-engine');
    const warm = (setup: Setup, processes = 1) => () => load(setup, Math.min(2, run.seconds), processes);

    run.log('client credentials: SQLite, memory, --workers 2');
    const onSqlite: Setup = { servers: [single], request: clientCredentials };
    const inMemory: Setup = { servers: [memory!], request: clientCredentials };
    const twoWorkers: Setup = { servers: [workers!], request: clientCredentials };
    const [sqlite, memoryRate, workerRate] = await alternate(run, [
      () => load(onSqlite, run.seconds), () => load(inMemory, run.seconds), () => load(twoWorkers, run.seconds, 2),
    ], [warm(onSqlite), warm(inMemory), warm(twoWorkers, 2)]);
    figures.push({
      label: 'client credentials on SQLite', unit: 'req/s', grantLab: sqlite!.requestsPerSecond, peers: {},
      baseline: { label: 'memory', value: memoryRate!.requestsPerSecond }, judged: { against: 'baseline', atLeast: 0.9 }, ratio: against(sqlite!, memoryRate!),
    });
    figures.push({
      label: 'client credentials, --workers 2 on SQLite', unit: 'req/s', grantLab: workerRate!.requestsPerSecond, peers: {},
      baseline: { label: '--workers 1', value: sqlite!.requestsPerSecond }, ratio: against(workerRate!, sqlite!),
    });
    const { residentMegabytes } = await workers!.usage();
    notes.push(`Client credentials for the demo API (a JWT) neither reads nor writes the store: SQLite against memory is the cost of having it open. Servers' CPU: one process ${cores(sqlite!)}, --workers 2 ${cores(workerRate!)}; the two workers and their primary hold ${residentMegabytes.toFixed(0)} MB after the load.`);

    run.log('refresh: SQLite, memory');
    const [sqliteRefresh, memoryRefresh] = [(await scenarioRequest('refresh', single))!, (await scenarioRequest('refresh', memory!))!];
    const refreshOnSqlite: Setup = { servers: [single], request: () => sqliteRefresh };
    const refreshInMemory: Setup = { servers: [memory!], request: () => memoryRefresh };
    const [refreshSqlite, refreshMemory] = await alternate(run, [() => load(refreshOnSqlite, run.seconds), () => load(refreshInMemory, run.seconds)], [warm(refreshOnSqlite), warm(refreshInMemory)]);
    figures.push({
      label: 'refresh on SQLite', unit: 'req/s', grantLab: refreshSqlite!.requestsPerSecond, peers: {},
      baseline: { label: 'memory', value: refreshMemory!.requestsPerSecond }, ratio: against(refreshSqlite!, refreshMemory!),
    });
    notes.push(`A refresh writes one row (the grant of the new JWT), on SQLite on disk before the answer (the WAL flushed after its commit, one flush shared by the commits made meanwhile). Servers' CPU: on SQLite ${cores(refreshSqlite!)}, in memory ${cores(refreshMemory!)}.`);

    if (instances.length === 2) {
      run.log('client credentials: two instances on one Redis, one instance; two bare engines, one');
      const one: Setup = { servers: [instances[0]!], request: clientCredentials };
      const both: Setup = { servers: instances, request: clientCredentials };
      // The same bound for the bare engine, loaded the same way (a JWT client-credentials token
      // touches no store): what a second process gives on this machine, whatever the server.
      const bareOne: Setup = { servers: [bareEngines[0]!], request: clientCredentials };
      const bareBoth: Setup = { servers: bareEngines, request: clientCredentials };
      const [oneRate, bothRate, bareOneRate, bareBothRate] = await alternate(
        run,
        [one, both, bareOne, bareBoth].map((setup) => () => load(setup, run.seconds)),
        [one, both, bareOne, bareBoth].map((setup) => warm(setup)),
      );
      const bareEngineRatio = against(bareBothRate!, bareOneRate!);
      figures.push({
        label: 'client credentials, 2 instances on one Redis', unit: 'req/s', grantLab: bothRate!.requestsPerSecond, peers: {},
        baseline: { label: '1 instance', value: oneRate!.requestsPerSecond }, judged: { against: 'baseline', atLeast: 1.7 }, ratio: against(bothRate!, oneRate!),
        bareEngineRatio,
      });
      notes.push(`Two instances on one Redis (one issuer), each loaded by its own wrk at once, the rates summed. Servers' CPU: both ${cores(bothRate!)}, one instance alone ${cores(oneRate!)}; wrk and redis-server run on the same two cores. Two bare engines loaded the same way: ${bareBothRate!.requestsPerSecond.toFixed(0)} req/s against ${bareOneRate!.requestsPerSecond.toFixed(0)} for one, ${bareEngineRatio!.toFixed(2)}×. Their CPU: both ${cores(bareBothRate!)}, one ${cores(bareOneRate!)}.`);
    }
  } finally {
    await Promise.all(started.map((target) => target.stop()));
    await redis?.stop();
  }
  return { figures, notes };
}
