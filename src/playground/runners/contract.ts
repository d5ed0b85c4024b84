// The shape of every flow's runner, the same for each, as every grant in oidc-provider is one
// file with the same exports (lib/actions/grants/*.js), listed in one index. A flow is one
// catalog entry (src/flows/catalog.ts: what it is, its client, scope and breakages) and one
// runner module here (how its client plays it), listed in ./index.ts. The playground's routes,
// the flow page and the in-browser client's constants are built from that registry.
//
// How the shapes fit: a form_post callback is `responseMode: 'form_post'` (hybrid,
// implicit-form-post); a flow played in a page, a hidden iframe for prompt=none included
// (silent-authentication), is a BrowserRunner whose script handles it, sharing its client's
// callback page; a client that is a backend of its own (backend-for-frontend) is a ServerRunner
// that serves more routes under its client's path, sets its session cookie on the callback's
// answer and has a frontend on the run page; a polling flow (device-authorization) starts
// without sending the browser anywhere, polls in the background recording each poll through
// the same RunRecorder operations until it settles, and `resume`s when its run page is shown
// and no poller holds the run (after a restart, or on another instance).
import type { FastifyInstance } from 'fastify';
import type { FlowId, RunsIn } from '../../flows/catalog.ts';
import type { PlaygroundEnvironment } from '../client-configuration.ts';
import type { DemoApiPath } from '../demo-api.ts';
import type { RunRecorder } from '../run-recorder.ts';
import type { RunStore } from '../run-store.ts';
import type { ActionId } from './lifecycle.ts';

export interface DemoAccount {
  username: string;
  password: string;
}

/** What the flow page asked before the run started. */
export interface StartInput {
  /** The demo account chosen, when the runner `asks` for one. */
  account?: DemoAccount;
}

/** The browser's return to the client: where it came, and the response's parameters. */
export interface AuthorizationResponse {
  url: URL;
  /** The query of a redirect, or the fields of a form_post. */
  params: URLSearchParams;
}

/** What the client's answer to the returning browser carries besides the way to the run page. */
export interface CallbackAnswer {
  /** A session cookie of the client's own (a backend for frontend's). */
  setCookie?: string;
}

/** The page a client that is a backend of its own serves its browser: here, the run page runs its script. */
export interface Frontend {
  script: `/public/${string}.js`;
  /** What the run page says while the page talks to its backend. */
  waiting: string;
}

interface RunnerCommon {
  /** The demo API call the run ends on, and that "Call the demo API" makes again; none without an access token. */
  calls?: DemoApiPath;
  /** What the run page may offer afterwards (of these, those the tokens held allow). */
  afterwards: readonly ActionId[];
}

/** A client Grant Lab plays on its server: a confidential client, or a form_post receiver. */
export interface ServerRunner<Id extends FlowId> extends RunnerCommon {
  /** What the flow page asks before the run: a demo account whose password the client sends. */
  asks?: 'demo-account';
  /** The client's first move. Returns where the browser goes next, or nothing for the run page. */
  start(run: RunRecorder<Id>, env: PlaygroundEnvironment, input: StartInput): Promise<string | undefined>;
  /**
   * The client's redirect URI, callbackPath(client_id): the response arrives in the query of
   * a GET, or posted (response_mode=form_post). Runners of one client share it: the run the
   * response's state names decides which one completes.
   */
  callback?: {
    responseMode: 'query' | 'form_post';
    complete(run: RunRecorder<Id>, env: PlaygroundEnvironment, response: AuthorizationResponse): Promise<CallbackAnswer | void>;
  };
  /** More routes the client serves, under /playground/{client_id}/ (a backend for frontend's own API). */
  routes?(app: FastifyInstance, env: PlaygroundEnvironment, runs: RunStore): Promise<void>;
  /** The browser half of a client that is a backend of its own: its page, played on the run page. */
  frontend?: Frontend;
  /** Background work the run waits on (a device's polling), carried on where it was left. */
  resume?(run: RunRecorder<Id>, env: PlaygroundEnvironment): void;
}

/**
 * A client the browser plays, as a single-page app does. Its script runs on the run page and
 * on the client's redirect URI pages; it reads its constants (client, redirect URIs, what it
 * calls) from the page, built from here, never copies them.
 */
export interface BrowserRunner extends RunnerCommon {
  /** The module the pages load, under /public/. */
  script: `/public/${string}.js`;
}

/** The runner flow `Id` needs: where the catalog says it runs decides its shape. */
export type FlowRunner<Id extends FlowId> = RunsIn<Id> extends 'browser' ? BrowserRunner : ServerRunner<Id>;

/** Any flow's runner, as the shared routes see it: tell the two shapes apart by `script`. */
export type AnyRunner = ServerRunner<FlowId> | BrowserRunner;

/** Every flow's runner, typed by flow id: a flow without one does not compile. */
export type RunnerRegistry = { readonly [Id in FlowId]: FlowRunner<Id> };
