export {
  ProviderTokenRefresher,
  type ProviderTokenRefresherProps,
  DEFAULT_RUNBOOK_URL,
  SCHEDULE_EVENT_SOURCE,
} from './provider-token-refresher.js';
export type { PresetName } from '../contract/presets.js';
export type { ProviderSettings, RuntimeConfig } from '../contract/provider-settings.js';
export {
  type ParseOptions,
  type ProviderEntry,
  ProvidersFileError,
  parseProvidersFile,
  type ResolvedProvider,
} from '../contract/providers-file.js';
export type { StoreKind, StoreRequest } from '../contract/store-choice.js';
export { TokenRefresherStack, type TokenRefresherStackProps } from './token-refresher-stack.js';
export { TokenRefresherFleet, type TokenRefresherFleetProps } from './token-refresher-fleet.js';
export { FLEET_STACKS, fleetStackIndex, MAX_PROVIDERS_PER_STACK, MAX_PROVIDERS_PER_STAGE } from '../contract/fleet.js';
export {
  grantTokenRead,
  unusedClientModule,
  wireEcsContainer,
  wireLambdaConsumer,
  type WireConsumerOptions,
} from './consumer-wiring.js';
export { parseStackConfig, type StackConfig } from '../contract/providers-file.js';
