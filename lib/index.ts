/**
 * `@token-refresher/cdk`: the constructs that keep OAuth access tokens fresh in AWS, the providers-file
 * parser that feeds them, and the helpers that wire consumers to a published token.
 *
 * Types declared in contract/ and providers/ without a description of their own are re-declared here with one, so
 * that the package's API reads documented wherever it is shown.
 */
import type {
  PresetName as ContractPresetName,
  ProviderSettings as ContractProviderSettings,
  RuntimeConfig as ContractRuntimeConfig,
} from '../contract/provider-settings.js';
import type { ProviderEntry as ContractProviderEntry } from '../providers/provider-entry.js';
import type { StoreKind as ContractStoreKind } from '../contract/token-stores.js';
import type { StoreRequest as ContractStoreRequest } from '../providers/store-choice.js';

export {
  ProviderTokenRefresher,
  type ProviderTokenRefresherProps,
  ALARMS_NOTIFY_NOBODY,
  type RefresherEventsProps,
  DEFAULT_RUNBOOK_URL,
  SCHEDULE_EVENT_SOURCE,
} from './provider-token-refresher.js';
export type { TokenLocation } from './private/token-store.js';
export type { ProviderAlarms } from './private/provider-alarms.js';
export type { AlarmKind, RefresherManifest } from '../contract/refresher-manifest.js';

/** A built-in provider preset: a vendor's defaults, or `generic` for any OAuth2 token endpoint whose fields the entry gives. */
export type PresetName = ContractPresetName;
/** One provider's settings, with its preset and defaults applied: what the function runs with. */
export type ProviderSettings = ContractProviderSettings;
/**
 * What the refresher function reads from its `TOKEN_REFRESHER_CONFIG` variable: the provider's
 * settings and the names (never the values) of its secrets, parameters and key.
 */
export type RuntimeConfig = ContractRuntimeConfig;
/**
 * One entry of the providers file as people write it: the settings, optional where a preset or a
 * default fills them, plus `baseUrl`, `store` and `credentials`. docs/providers-file.md lists the fields.
 */
export type ProviderEntry = ContractProviderEntry;
/** Where a token is published: a Secrets Manager secret or an SSM SecureString parameter. */
export type StoreKind = ContractStoreKind;
/** The store a providers-file entry asks for: `auto` picks one from the planned writes a day. */
export type StoreRequest = ContractStoreRequest;

export {
  type ParseOptions,
  ProvidersFileError,
  parseProvidersFile,
  type ResolvedProvider,
} from '../providers/providers-file.js';
export { TokenRefresherStack, type TokenRefresherStackProps } from './token-refresher-stack.js';
export { TokenRefresherFleet, type FleetEventsProps, type TokenRefresherFleetProps } from './token-refresher-fleet.js';
export { DETAIL_TYPE, EVENT_DETAIL_VERSION, EVENT_SOURCE, type Transition } from '../contract/events.js';
export {
  type CredentialsLayout,
  FLEET_STACKS,
  FLEET_STACKS_WITH_CREDENTIALS,
  fleetStackIndex,
  MAX_PROVIDERS_PER_STACK,
  MAX_PROVIDERS_PER_STAGE,
} from '../providers/fleet.js';
export {
  grantTokenRead,
  unusedClientModule,
  wireEcsContainer,
  wireLambdaConsumer,
  type WireConsumerOptions,
} from './consumer-wiring.js';
export { parseStackConfig, type StackConfig } from '../providers/providers-file.js';
