/**
 * A long-running ECS/Fargate service in Node.js: one TokenReader for the process, asked on every
 * request. It reads the store about once per token lifetime and never serves a stale token, unlike
 * the container's `secrets`, which are read once at task start.
 * Wire it with `wireEcsContainer(refresher, taskDefinition, container)`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { StaleTokenError, TokenReader } from '../../consumer/index.js'; // in your project: '@token-refresher/reader'

export interface ProxyOptions {
  readonly tokenSource: string;
  readonly apiUrl: string;
  readonly port?: number;
}

/** Serves every request by calling the upstream API with the provider's token. */
export async function startServer(options: ProxyOptions): Promise<Server & { url: string }> {
  const reader = new TokenReader({ tokenSource: options.tokenSource });
  const callApi = (accessToken: string) =>
    fetch(options.apiUrl, { headers: { authorization: `Bearer ${accessToken}` } });

  const server = createServer((_request, response) => {
    void (async () => {
      try {
        const accessToken = await reader.getAccessToken();
        let upstream = await callApi(accessToken);
        if (upstream.status === 401) {
          // The 401 rule: forget this token, read the store once more, retry once. A second 401 fails.
          reader.invalidate(accessToken);
          upstream = await callApi(await reader.getAccessToken());
        }
        response.writeHead(upstream.ok ? 200 : 502).end(upstream.ok ? await upstream.text() : 'upstream error');
      } catch (error) {
        // Reader errors name the store and say what to do; they never contain the token.
        console.error(error instanceof Error ? error.message : error);
        response.writeHead(error instanceof StaleTokenError ? 503 : 500).end('token unavailable');
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 8080, resolve));
  return Object.assign(server, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

// Run directly (node, tsx or a bundle): serve until ECS stops the task.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = await startServer({
    tokenSource: process.env.TOKEN_SOURCE ?? '',
    apiUrl: process.env.API_URL ?? 'https://api.example.com/v1/items',
    port: Number(process.env.PORT ?? 8080),
  });
  console.info(`listening on ${server.url}`);
  process.once('SIGTERM', () => server.close());
}
