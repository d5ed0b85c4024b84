// npm run bench: Grant Lab beside a bare oidc-provider and oauth2-mock-server, measured in the
// same run, the targets alternating round by round, each figure the median of its rounds and
// read as a ratio against its peer and the machine's own limits. Load goes to loopback only,
// and everything stops by itself. Results: bench/results/latest.{md,json,svg}.
//
//   npm run bench                       every figure, 3 rounds of 10 s, a 10-minute soak
//   npm run bench -- --quick            1 round of 1 s, no soak (what the smoke test runs)
//   npm run bench -- --rounds 5 --seconds 15 --soak-minutes 0 --storage memory,sqlite
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loginsPerSecond } from './logins.ts';
import { argon2idPerSecond, machineLimits } from './machine.ts';
import { machineBusySeconds, type RunningTarget, startTarget, type TargetName } from './processes.ts';
import { type Figure, markdownReport, median, pairedRatio, ratioChart, takeTurns } from './report.ts';
import { type ScenarioName, clientCredentials, scenarioRequest } from './requests.ts';
import { setupFigures } from './scaling.ts';
import { failuresOf, isFlat, SHORTEST_JUDGED_SECONDS, soak } from './soak.ts';
import { measureInProcess, measureStart } from './startup.ts';
import { wrk } from './wrk.ts';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    'soak-minutes': { type: 'string' },
    storage: { type: 'string' },
    out: { type: 'string', default: 'bench/results' },
  },
});
const rounds = Number(args.rounds ?? (args.quick ? 1 : 3));
const seconds = Number(args.seconds ?? (args.quick ? 1 : 10));
const soakMinutes = Number(args['soak-minutes'] ?? (args.quick ? 0 : 10));
const stores = args.storage?.split(',').filter(Boolean) ?? [];
const LOGIN_CONCURRENCY = 8;
const PEER_LABEL: Record<TargetName, 'bare engine' | 'mock server' | undefined> = { 'grant-lab': undefined, 'bare-engine': 'bare engine', 'mock-server': 'mock server' };

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** What each target measured in each round, by round (undefined where it measures nothing). */
type Rounds<V = number> = Map<string, (V | undefined)[]>;

/** The targets taking turns within every round, the first of a round moving on each round. */
async function alternate<T extends { name: string }, V>(targets: T[], measure: (target: T) => Promise<V | undefined>, count = rounds): Promise<Rounds<V>> {
  const taken = await takeTurns(targets, count, measure);
  return new Map(targets.map((target, index) => [target.name, taken[index]!]));
}

const medianOf = (values: (number | undefined)[] = []) => median(values.filter((value) => value !== undefined));
/** One field of what the rounds measured. */
const pick = <V, K extends keyof V>(measured: Rounds<V>, key: K): Rounds<V[K] & number> => new Map([...measured].map(([name, values]) => [name, values.map((value) => value?.[key] as (V[K] & number) | undefined)]));
/** Server CPU per answer, in µs, between two readings of its usage. */
const microsPerAnswer = (before: { cpuSeconds: number }, after: { cpuSeconds: number }, answers: number) => ((after.cpuSeconds - before.cpuSeconds) * 1e6) / answers;
/** Server CPU per answer in µs, by scenario and target, and per sign-in in ms, by target (medians): in latest.json. */
const serverCpu: Record<string, Record<string, number>> = {};
let signInCpu: Record<string, number> = {};
const KEY_OF: Record<Exclude<NonNullable<Figure['judged']>['against'], 'baseline'>, string> = { 'bare engine': 'bare-engine', 'mock server': 'mock-server', machine: 'machine' };

/** Each target's median over the rounds; the judged ratio, round by round (pairedRatio). */
function figure(label: string, unit: string, measured: Rounds, judged?: Figure['judged'], machine?: number): Figure {
  const peers: Figure['peers'] = {};
  for (const [name, values] of measured) {
    const peer = PEER_LABEL[name as TargetName];
    if (peer && values.some((value) => value !== undefined)) peers[peer] = medianOf(values);
  }
  peers.machine = measured.has('machine') ? medianOf(measured.get('machine')) : machine;
  const peerKey = judged && judged.against !== 'baseline' ? KEY_OF[judged.against] : undefined;
  const ratio = peerKey && measured.has(peerKey) ? pairedRatio(measured.get('grant-lab') ?? [], measured.get(peerKey)!) : undefined;
  return { label, unit, grantLab: medianOf(measured.get('grant-lab')), peers, judged, ratio };
}

log(`machine limits (${seconds} s each)`);
const machine = await machineLimits(seconds, LOGIN_CONCURRENCY);
const figures: Figure[] = [];
const notes: string[] = [`Rounds: ${rounds} of ${seconds} s per figure and target, alternating; medians. A judged ratio is the median of the rounds' own ratios (Grant Lab against its peer measured in the same round, seconds apart), so it may differ from the ratio of the two medians shown; resident memory under load, a single peak, is a ratio of peaks.`];

log('cold starts and idle memory');
const starts = await alternate((['grant-lab', 'bare-engine', 'mock-server'] as const).map((name) => ({ name })), ({ name }) => measureStart(name, {}, args.quick ? 1 : 3), Math.max(rounds, args.quick ? 1 : 5));
const startFigure = (pick: 'coldStartMs' | 'idleRssMb'): Rounds => new Map([...starts].map(([name, values]) => [name, values.map((value) => value?.[pick])]));
figures.push(figure('cold start to the first token', 'ms', startFigure('coldStartMs'), { against: 'bare engine', atMost: 1.2 }));
figures.push(figure('idle resident memory', 'MB', startFigure('idleRssMb'), { against: 'bare engine', atMost: 1.1 }));

const inProcess = await measureInProcess();
notes.push(`In-process startGrantLab(): ${inProcess.firstStartMs.toFixed(0)} ms the first time in a process, ${inProcess.nextStartMs.toFixed(0)} ms the next; minting a user's token ${inProcess.mintMs.toFixed(1)} ms.`);

const targets = [await startTarget('grant-lab'), await startTarget('bare-engine'), await startTarget('mock-server')];
try {
  const scenarios: [ScenarioName, string, Figure['judged']?][] = [
    ['client-credentials', 'client credentials', { against: 'bare engine', atLeast: 1.0 }],
    ['password', 'password grant'],
    ['refresh', 'refresh'],
    ['introspection', 'introspection'],
    ['api-call', 'demo API call'],
  ];
  const underLoad = new Map<TargetName, number>();
  let clientCredentialsPeak = 0;
  for (const [scenario, label, judged] of scenarios) {
    log(`${scenario}`);
    const requests = new Map<TargetName, Awaited<ReturnType<typeof scenarioRequest>>>();
    for (const target of targets) requests.set(target.name, await scenarioRequest(scenario, target));
    const measured = await alternate(targets, async (target) => {
      const request = requests.get(target.name);
      if (!request) return undefined;
      await wrk(target.url, request, { seconds: Math.min(2, seconds) });
      const sampling = scenario === 'client-credentials' ? setInterval(() => void target.residentMegabytes().then((rss) => underLoad.set(target.name, Math.max(rss, underLoad.get(target.name) ?? 0))), 250) : undefined;
      const before = await target.usage();
      const result = await wrk(target.url, request, { seconds }).finally(() => clearInterval(sampling));
      if (result.non2xx) throw new Error(`${target.name} answered ${result.non2xx} ${scenario} requests with an error`);
      return { rate: result.requestsPerSecond, cpu: microsPerAnswer(before, await target.usage(), result.requests) };
    });
    const rated = figure(label, 'req/s', pick(measured, 'rate'), judged, machine.bareHttp);
    const cpu = pick(measured, 'cpu');
    serverCpu[scenario] = Object.fromEntries([...cpu].filter(([, values]) => values.some((value) => value !== undefined)).map(([name, values]) => [name, medianOf(values)]));
    if (scenario === 'client-credentials') {
      clientCredentialsPeak = rated.grantLab;
      const perToken = serverCpu[scenario]!;
      notes.push(`Server CPU per client-credentials token (every thread of the server's processes, from /proc; medians): Grant Lab ${perToken['grant-lab']!.toFixed(0)} µs, bare engine ${perToken['bare-engine']!.toFixed(0)} µs, mock server ${perToken['mock-server']!.toFixed(0)} µs. Grant Lab spends ${pairedRatio(cpu.get('grant-lab')!, cpu.get('bare-engine')!)!.toFixed(2)}× the bare engine's CPU a token, round by round. A rate is what a server answered with the cores it got, wrk taking its share of the same two; this is what each token cost it.`);
    }
    figures.push(rated);
  }
  figures.push(figure('resident memory under load', 'MB', new Map([...underLoad].map(([name, peak]) => [name, [peak]])), { against: 'bare engine', atMost: 1.1 }));

  log('full code + PKCE sign-ins');
  const [grantLab, bareEngine] = (['grant-lab', 'bare-engine'] as const).map((name) => targets.find((target) => target.name === name)!) as [RunningTarget, RunningTarget];
  // Grant Lab in memory too: the bare engine keeps its state in memory, and SQLite's writes (on
  // disk before each answer) are what separates the two stores' sign-ins.
  const inMemory = await startTarget('grant-lab', { storage: 'memory' });
  try {
    const floor = { name: 'machine' } as const;
    const grantLabInMemory = { name: 'grant-lab in memory', target: inMemory } as const;
    if (!args.quick) for (const target of [grantLab, inMemory, bareEngine]) await loginsPerSecond(target, Math.min(2, seconds), LOGIN_CONCURRENCY);
    // The floor taking turns with the sign-ins, as the peers do elsewhere: this machine's speed
    // drifts over minutes, and the limit measured at the start would not be the one they met.
    // With the CPU each took: the server's processes for a sign-in (not the client's, this
    // process), and this process for the floor's verifications, libuv's pool where they run included.
    // The machine's busy cores too: what the turn left idle, waiting rather than working.
    const measured = await alternate([floor, grantLab, grantLabInMemory, bareEngine], async (item) => {
      const [machineBefore, started] = [await machineBusySeconds(), performance.now()];
      const busy = async () => (await machineBusySeconds() - machineBefore) / ((performance.now() - started) / 1000);
      if (item === floor) {
        const before = process.cpuUsage();
        const rate = await argon2idPerSecond(seconds, LOGIN_CONCURRENCY);
        const used = process.cpuUsage(before);
        return { rate, cpu: (used.user + used.system) / 1e3 / (rate * seconds), cores: await busy() };
      }
      const target = 'target' in item ? item.target : item as RunningTarget;
      const before = await target.usage();
      const rate = await loginsPerSecond(target, seconds, LOGIN_CONCURRENCY);
      return { rate, cpu: microsPerAnswer(before, await target.usage(), rate * seconds) / 1e3, cores: await busy() };
    });
    const signIns = pick(measured, 'rate');
    const [cpuRounds, coreRounds] = [pick(measured, 'cpu'), pick(measured, 'cores')];
    const cpuOf = (name: string) => medianOf(cpuRounds.get(name));
    const coresOf = (name: string) => medianOf(coreRounds.get(name)).toFixed(2);
    const roundsOf = (name: string) => signIns.get(name) ?? [];
    const [hashRounds, bareRounds, grantLabRounds, memoryRounds] = ['machine', 'bare-engine', 'grant-lab', grantLabInMemory.name].map(roundsOf) as [number[], number[], number[], number[]];
    const judged = new Map([...signIns].filter(([name]) => name !== grantLabInMemory.name));
    const signInFigure = { ...figure(`sign-ins (code + PKCE, ${LOGIN_CONCURRENCY} at a time)`, '/s', judged, { against: 'machine', atLeast: 0.8 }), bareEngineRatio: pairedRatio(bareRounds, hashRounds) };
    figures.push(signInFigure);
    figures.push({
      label: 'sign-ins on SQLite', unit: '/s', grantLab: signInFigure.grantLab, peers: {},
      baseline: { label: 'memory', value: medianOf(memoryRounds) }, ratio: pairedRatio(grantLabRounds, memoryRounds),
    });
    notes.push(`Sign-ins are judged against the machine's argon2id verifications per second at the same concurrency, measured in turns with them (median ${signInFigure.peers.machine!.toFixed(1)}/s): the hash is the floor of a password sign-in. The bare engine signs in with the least a password sign-in needs (bare forms of its own, the same argon2id check, the engine's memory adapter): ${signInFigure.bareEngineRatio!.toFixed(2)}× the floor, and Grant Lab ${pairedRatio(grantLabRounds, bareRounds)!.toFixed(2)}× the bare engine. Grant Lab in memory, where the bare engine keeps its state too, took turns with them: ${pairedRatio(memoryRounds, hashRounds)!.toFixed(2)}× the floor and ${pairedRatio(memoryRounds, bareRounds)!.toFixed(2)}× the bare engine; on SQLite, about fifteen writes a sign-in are on disk before the answers that made them.`);
    notes.push(`CPU per sign-in (medians): Grant Lab on SQLite ${cpuOf('grant-lab').toFixed(1)} ms, in memory ${cpuOf(grantLabInMemory.name).toFixed(1)} ms, the bare engine ${cpuOf('bare-engine').toFixed(1)} ms, every thread of the server's processes; one argon2id verification alone ${cpuOf('machine').toFixed(1)} ms. The client signing in (this process) takes its share of the two cores besides, for every target but the floor. The machine was busy ${coresOf('grant-lab')} cores of ${machine.cores} during Grant Lab's sign-ins on SQLite, ${coresOf(grantLabInMemory.name)} in memory, ${coresOf('bare-engine')} during the bare engine's and ${coresOf('machine')} during the floor's: what a target leaves idle, its sign-ins spent waiting rather than working (on SQLite, each answer waits for the disk's flush of its writes).`);
    signInCpu = Object.fromEntries(['grant-lab', grantLabInMemory.name, 'bare-engine'].map((name) => [name, cpuOf(name)]));
    signInCpu['argon2id alone'] = cpuOf('machine');
  } finally {
    await inMemory.stop();
  }

  const setups = await setupFigures(grantLab, { rounds, seconds, warmUp: !args.quick, log });
  figures.push(...setups.figures);
  notes.push(...setups.notes);

  for (const storage of stores) {
    log(`client credentials on ${storage}`);
    const stored = await startTarget('grant-lab', { storage });
    try {
      const request = clientCredentials(stored);
      await wrk(stored.url, request, { seconds: Math.min(2, seconds) });
      const values: number[] = [];
      for (let round = 0; round < rounds; round += 1) values.push((await wrk(stored.url, request, { seconds })).requestsPerSecond);
      notes.push(`Client credentials with --storage ${storage}: ${median(values).toFixed(0)} req/s (${(median(values) / clientCredentialsPeak).toFixed(2)}× the default store).`);
    } finally {
      await stored.stop();
    }
  }

  if (soakMinutes > 0) {
    const rate = Math.round(clientCredentialsPeak * 0.7);
    log(`soak: ${soakMinutes} min at ${rate} req/s`);
    const result = await soak(grantLab, clientCredentials(grantLab), rate, soakMinutes);
    const { first, last, flat } = isFlat(result.samples);
    const memory = flat === undefined
      ? `resident memory ${last.toFixed(0)} MB at the end: too short to tell whether it grows (that takes ${SHORTEST_JUDGED_SECONDS / 60} minutes or more)`
      : `resident memory ${first.toFixed(0)} MB after warm-up, ${last.toFixed(0)} MB in the last minute: ${flat ? 'flat' : '**growing**'}`;
    notes.push(`Soak: ${soakMinutes} min at ${rate} req/s (70% of the peak), ${result.sent} requests sent, ${failuresOf(result)}; ${memory}.`);
  }
} finally {
  await Promise.all(targets.map((target) => target.stop()));
}

await mkdir(args.out!, { recursive: true });
const markdown = markdownReport(figures, machine, notes);
await writeFile(`${args.out}/latest.md`, markdown);
await writeFile(`${args.out}/latest.svg`, ratioChart(figures));
await writeFile(`${args.out}/latest.json`, `${JSON.stringify({ machine, figures, notes, inProcess, serverCpuMicros: serverCpu, signInCpuMillis: signInCpu }, null, 2)}\n`);
process.stdout.write(markdown);
