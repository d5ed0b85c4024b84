// `/`: the flow recommender, a yes/no questionnaire that walks the decision tree and ends in a
// recommended grant, with every runnable flow listed below it for those who know which one
// they want. `/tree`: the same tree drawn at once. Both are plain server-rendered
// pages: every answer is a GET link or form carrying the whole path (`/?answers=nnyn`), so they
// work without JavaScript; public/recommender.js only spares the full reload.
//
// The answers come from a URL, so they are hostile until recommendFlow has read them: anything
// it refuses gets a 400 with the questionnaire started over, and what was sent is shown only
// through the templates' escaping output.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findFlow, type Flow, type FlowId, FLOWS, OAUTH_2_1_VERDICTS, type OAuth21Standing } from '../flows/catalog.ts';
import { type DecisionNode, DECISION_TREE, type Outcome, recommendFlow } from '../flows/decision-tree.ts';
import type { FlowSetup } from '../playground/flow-setup.ts';

export interface RecommenderOptions {
  /** Whether this configuration can run a flow: the Run button shows only when it can. */
  setupOf(flow: Flow): Promise<FlowSetup>;
}

/** The live runner's route: a POST with `flow=<id>` starts a run of that flow. */
const RUN_ACTION = '/playground/runs';
/** How much of a refused answers string is shown back. */
const SHOWN_REFUSED_LENGTH = 40;

/**
 * Where the question or result sits on the page. Answer forms and links carry it as a
 * fragment, so that without JavaScript the browser scrolls to the new question and starts
 * keyboard focus navigation there, past the answers already given.
 */
const CURRENT_STEP = 'current-step';
const answersHref = (answers: string): string => (answers ? `/?answers=${answers}#${CURRENT_STEP}` : '/');
const flowHref = (flowId: FlowId): string => `/flows/${flowId}`;
const standing = ({ verdict, text }: OAuth21Standing) => ({ verdict, label: OAUTH_2_1_VERDICTS[verdict], text });

/** Every flow Grant Lab runs, for people who know which one they want. */
const EVERY_FLOW = FLOWS.map((flow) => ({
  id: flow.id, title: flow.title, summary: flow.summary, badge: flow.badge, oauth21: standing(flow.oauth21), href: flowHref(flow.id),
}));

/** What the questionnaire template shows for one state of the tree. */
function questionnaireView(outcome: Exclude<Outcome, { kind: 'invalid' }>) {
  const steps = outcome.steps.map((step) => ({
    question: step.question.text,
    answer: step.answer === 'y' ? 'Yes' : 'No',
    because: step.because,
    changeHref: answersHref(step.answersBefore),
  }));
  if (outcome.kind === 'question') {
    const { question, answers } = outcome;
    return {
      answers,
      steps,
      question: { id: question.id, text: question.text, help: question.help, number: steps.length + 1, yes: `${answers}y`, no: `${answers}n` },
    };
  }
  const { recommendation } = outcome;
  return {
    answers: outcome.answers,
    steps,
    recommendation: {
      ...recommendation,
      oauth21: standing(recommendation.oauth21),
      instead: recommendation.instead && { ...recommendation.instead, flowHref: flowHref(recommendation.instead.flowId) },
      runAction: RUN_ACTION,
      flowHref: recommendation.flowId ? flowHref(recommendation.flowId) : undefined,
      treeHref: `/tree#leaf-${recommendation.leafId}`,
    },
  };
}

type TreeNodeView =
  | { kind: 'question'; text: string; help: string; branches: { label: 'Yes' | 'No'; because: string; node: TreeNodeView }[] }
  | {
    kind: 'leaf'; id: string; title: string; qualifier?: string; badge?: { kind: string; text: string }; oauth21: ReturnType<typeof standing>;
    href: string; runnable: boolean; whyHref: string;
  };

/** The tree as nested views, each leaf linking to its flow page, or to its recommendation when it has none. */
function treeView(node: DecisionNode, answers = ''): TreeNodeView {
  if (node.kind === 'question') {
    return {
      kind: 'question',
      text: node.text,
      help: node.help,
      branches: [
        { label: 'Yes', because: node.yes.because, node: treeView(node.yes.next, `${answers}y`) },
        { label: 'No', because: node.no.because, node: treeView(node.no.next, `${answers}n`) },
      ],
    };
  }
  const outcome = recommendFlow(answers);
  if (outcome.kind !== 'recommendation') throw new Error(`the tree's own path ${answers} does not reach a leaf`);
  const { recommendation } = outcome;
  return {
    kind: 'leaf',
    id: recommendation.leafId,
    title: recommendation.title,
    qualifier: recommendation.qualifier,
    badge: recommendation.badge,
    oauth21: standing(recommendation.oauth21),
    href: recommendation.flowId ? flowHref(recommendation.flowId) : answersHref(answers),
    runnable: recommendation.flowId !== undefined,
    whyHref: answersHref(answers),
  };
}

type RecommenderRequest = FastifyRequest<{ Querystring: Record<string, unknown> }>;

async function showQuestionnaire(request: RecommenderRequest, reply: FastifyReply, { setupOf }: RecommenderOptions): Promise<string> {
  const sent = request.query.answers ?? '';
  const outcome: Outcome = typeof sent === 'string'
    ? recommendFlow(sent)
    : { kind: 'invalid', problem: 'Send the answers once, as one string of y and n.' };
  if (outcome.kind !== 'invalid') {
    const recommendation = outcome.kind === 'recommendation' ? outcome.recommendation : undefined;
    const flow = recommendation?.flowId ? findFlow(recommendation.flowId) : undefined;
    const instead = recommendation?.instead ? findFlow(recommendation.instead.flowId) : undefined;
    return reply.viewAsync('recommender', {
      ...questionnaireView(outcome),
      setup: flow && await setupOf(flow),
      insteadReady: instead ? (await setupOf(instead)).ready : false,
      flows: EVERY_FLOW,
    });
  }

  const start = recommendFlow('');
  if (start.kind === 'invalid') throw new Error('the empty path must be valid');
  const shown = typeof sent === 'string' ? sent : String(sent);
  reply.code(400);
  return reply.viewAsync('recommender', {
    ...questionnaireView(start),
    flows: EVERY_FLOW,
    refused: {
      problem: outcome.problem,
      sent: shown.length > SHOWN_REFUSED_LENGTH ? `${shown.slice(0, SHOWN_REFUSED_LENGTH)}…` : shown,
    },
  });
}

export async function recommenderPages(app: FastifyInstance, options: RecommenderOptions): Promise<void> {
  const tree = treeView(DECISION_TREE);

  app.get('/', (request: RecommenderRequest, reply) => showQuestionnaire(request, reply, options));
  app.get('/tree', async (_request, reply) => reply.viewAsync('flow-tree', { tree }));
}
