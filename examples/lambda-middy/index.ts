/**
 * A Lambda consumer with middy: the middleware puts a fresh token on `context.accessToken`.
 * Wire it with `wireLambdaConsumer(refresher, fn)`, which grants read access and sets TOKEN_SOURCE.
 */
import middy from '@middy/core';
import { type AccessTokenContext, sharedTokenReader, tokenMiddleware } from '../../consumer/index.js'; // in your project: '@token-refresher/reader'

const API_URL = process.env.API_URL ?? 'https://api.example.com/v1/items';

const callApi = (accessToken: string) => fetch(API_URL, { headers: { authorization: `Bearer ${accessToken}` } });

async function listItems(_event: unknown, context: AccessTokenContext) {
  let response = await callApi(context.accessToken);
  if (response.status === 401) {
    // The 401 rule: forget this token, read the store once more, retry once. A second 401 fails.
    const reader = sharedTokenReader();
    reader.invalidate(context.accessToken);
    response = await callApi(await reader.getAccessToken());
  }
  if (!response.ok) throw new Error(`the API answered HTTP ${response.status}`);
  return { statusCode: 200, body: await response.text() };
}

export const handler = middy(listItems).use(tokenMiddleware());
