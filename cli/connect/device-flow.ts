import * as oauth from 'oauth4webapi';
import { CliError } from '../common/errors.js';
import { EXIT } from '../exit-codes.js';
import { endpointOf, type Fetch, requestOptions } from './authorization-server.js';
import type { FlowContext } from './flow.js';

/** RFC 8628 section 3.2: `interval` when the server gives none; section 3.5: what `slow_down` adds. */
const DEFAULT_INTERVAL_SECONDS = 5;
const SLOW_DOWN_SECONDS = 5;
/** However long the server says its code lives, this command polls no longer. */
const MAX_WAIT_SECONDS = 30 * 60;

export interface DeviceClock {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * The device authorization grant (RFC 8628), for a terminal without a browser: the person opens the
 * printed URL anywhere and enters the code; this command polls the token endpoint every `interval`
 * seconds, adds 5 s on each `slow_down`, keeps polling on `authorization_pending`, and gives up when
 * the code expires (`expires_in`) or the person refuses.
 */
export async function deviceFlow(
  ctx: FlowContext,
  clock: DeviceClock,
  fetchImpl: Fetch | undefined,
): Promise<oauth.TokenEndpointResponse> {
  const endpoint = endpointOf(ctx.as, 'device_authorization_endpoint', 'deviceAuthorizationEndpoint');
  const params: Record<string, string> = ctx.settings.scope ? { scope: ctx.settings.scope } : {};
  const started = await oauth.deviceAuthorizationRequest(
    ctx.as,
    ctx.client,
    ctx.clientAuth,
    params,
    requestOptions(endpoint, fetchImpl),
  );
  const device = await oauth.processDeviceAuthorizationResponse(ctx.as, ctx.client, started);
  ctx.redactor.add(device.device_code);
  const where = device.verification_uri_complete ?? device.verification_uri;
  ctx.io.stderr(`On any device, open ${where}\nand enter the code ${device.user_code}\n`);
  let interval = Math.max(1, device.interval ?? DEFAULT_INTERVAL_SECONDS);
  const deadline = clock.now() + Math.min(device.expires_in, MAX_WAIT_SECONDS) * 1000;
  const options = requestOptions(ctx.as.token_endpoint!, fetchImpl);
  for (;;) {
    await clock.sleep(interval * 1000);
    if (clock.now() >= deadline) {
      throw new CliError(
        'the device code expired before the sign-in was completed; run connect again',
        EXIT.failed,
        'expired_token',
      );
    }
    const polled = await oauth.deviceCodeGrantRequest(ctx.as, ctx.client, ctx.clientAuth, device.device_code, options);
    try {
      return await oauth.processDeviceCodeResponse(ctx.as, ctx.client, polled);
    } catch (e) {
      if (!(e instanceof oauth.ResponseBodyError)) throw e;
      if (e.error === 'authorization_pending') continue;
      if (e.error === 'slow_down') {
        interval += SLOW_DOWN_SECONDS;
        continue;
      }
      const code = e.error === 'access_denied' || e.error === 'expired_token' ? e.error : 'token_refused';
      throw new CliError(`the sign-in was not completed: ${e.error}`, EXIT.failed, code);
    }
  }
}
