export {
  ProviderTokenRefresher,
  type ProviderTokenRefresherProps,
  SCHEDULE_EVENT_SOURCE,
} from './provider-token-refresher.js';
export type { PresetName } from '../contract/presets.js';
export type { ProviderSettings, RuntimeConfig } from '../contract/provider-settings.js';
export {
  type ProviderEntry,
  ProvidersFileError,
  parseProvidersFile,
  type ResolvedProvider,
} from '../contract/providers-file.js';
export type { StoreKind, StoreRequest } from '../contract/store-choice.js';
export { TokenRefresherStack, type TokenRefresherStackProps } from './token-refresher-stack.js';
export {
  grantTokenRead,
  unusedClientModule,
  wireEcsContainer,
  wireLambdaConsumer,
  type WireConsumerOptions,
} from './consumer-wiring.js';
export { parseStackConfig, type StackConfig } from '../contract/providers-file.js';
