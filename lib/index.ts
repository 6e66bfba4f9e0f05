export {
  ProviderTokenRefresher,
  type ProviderTokenRefresherProps,
  SCHEDULE_EVENT_SOURCE,
} from './provider-token-refresher';
export type { PresetName } from './schema/presets';
export type { ProviderSettings, RuntimeConfig } from './schema/provider-settings';
export {
  type ProviderEntry,
  ProvidersFileError,
  parseProvidersFile,
  type ResolvedProvider,
} from './schema/providers-file';
export type { StoreKind, StoreRequest } from './schema/store-choice';
export { TokenRefresherStack, type TokenRefresherStackProps } from './token-refresher-stack';
export {
  ExampleConsumer,
  type ExampleConsumerProps,
  grantTokenRead,
  wireEcsContainer,
  wireLambdaConsumer,
  type WireConsumerOptions,
} from './consumer-wiring';
export { parseStackConfig, type StackConfig } from './schema/providers-file';
