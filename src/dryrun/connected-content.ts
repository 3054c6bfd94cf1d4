// How a dry run answers connected_content: stubbed, from recorded answers, or live. Live calls
// go through the SSRF-guarded agent and are made once per run: the same request (method, URL,
// headers, body) gets the first successful answer, concurrent ones share one flight, so a token
// endpoint is asked once however many profiles the run renders.
import { createGuardedAgent, parseAllowedHosts } from '../dispatch/index.js';
import { createUndiciFetcher } from '../liquid/connected-content/index.js';
import type { ConnectedContentFetcher, ConnectedContentRequest, ConnectedContentResponse } from '../liquid/types.js';
import { recordedFetcher, stubFetcher, type RecordedResponses } from '../render/preview.js';
import type { DryRunConnectedContent } from './schema.js';

export interface RunFetcher {
  fetcher: ConnectedContentFetcher;
  close(): Promise<void>;
}

/** `onRequest` counts the requests that reach the stub, the recording or the network. */
export function runFetcher(mode: DryRunConnectedContent, options: { recorded?: RecordedResponses; allowedHosts: string; onRequest(): void }): RunFetcher {
  const counted = (fetcher: ConnectedContentFetcher): ConnectedContentFetcher => (req) => {
    options.onRequest();
    return fetcher(req);
  };
  if (mode === 'stub') return { fetcher: counted(stubFetcher), close: async () => {} };
  if (mode === 'recorded') return { fetcher: counted(recordedFetcher(options.recorded ?? {})), close: async () => {} };
  const agent = createGuardedAgent({ allowedHosts: parseAllowedHosts(options.allowedHosts) });
  return { fetcher: oncePerRun(counted(createUndiciFetcher(agent))), close: () => agent.close() };
}

function oncePerRun(fetcher: ConnectedContentFetcher): ConnectedContentFetcher {
  const answers = new Map<string, Promise<ConnectedContentResponse>>();
  return (req) => {
    const key = requestKey(req);
    let answer = answers.get(key);
    if (!answer) {
      answer = fetcher(req);
      answers.set(key, answer);
      // Failures are not kept: the next profile asks again, as a real send would.
      answer.then(
        (res) => (res.status < 200 || res.status >= 300) && answers.delete(key),
        () => answers.delete(key),
      );
    }
    return answer;
  };
}

function requestKey(req: ConnectedContentRequest): string {
  const headers = Object.entries(req.headers)
    .map(([name, value]) => [name.toLowerCase(), value])
    .sort(([a], [b]) => (a! < b! ? -1 : 1));
  return JSON.stringify([req.method, req.url, headers, req.body ?? null]);
}
