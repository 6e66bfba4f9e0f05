/**
 * A Lambda consumer without middy: `getAccessToken()` reads $TOKEN_SOURCE through a reader shared by
 * every invocation of this execution environment, so the store is read about once per token lifetime.
 */
import type { Context } from 'aws-lambda';
import { getAccessToken, sharedTokenReader } from '../../consumer/index.js'; // in your project: '@token-refresher/reader'

const API_URL = process.env.API_URL ?? 'https://api.example.com/v1/items';

const callApi = (accessToken: string) => fetch(API_URL, { headers: { authorization: `Bearer ${accessToken}` } });

export const handler = async (_event: unknown, _context: Context) => {
  const accessToken = await getAccessToken();
  let response = await callApi(accessToken);
  if (response.status === 401) {
    // The 401 rule: forget this token, read the store once more, retry once. A second 401 fails.
    sharedTokenReader().invalidate(accessToken);
    response = await callApi(await getAccessToken());
  }
  if (!response.ok) throw new Error(`the API answered HTTP ${response.status}`);
  return { statusCode: 200, body: await response.text() };
};
