// Original file: proto/modelrouter/v1/router.proto

import type { ModelInfo as _modelrouter_v1_ModelInfo, ModelInfo__Output as _modelrouter_v1_ModelInfo__Output } from '../../modelrouter/v1/ModelInfo';

/**
 * ListModelsResponse carries the registry.
 */
export interface ListModelsResponse {
  /**
   * Every registered model, in configuration order.
   */
  'models'?: (_modelrouter_v1_ModelInfo)[];
  /**
   * Every registered strategy name.
   */
  'strategies'?: (string)[];
  /**
   * The strategy used when a request names none.
   */
  'default_strategy'?: (string);
  /**
   * The version of the configuration in force: the first 16 hex digits of the
   * SHA-256 of its file's text. Replicas showing different versions run
   * different configurations.
   */
  'config_version'?: (string);
}

/**
 * ListModelsResponse carries the registry.
 */
export interface ListModelsResponse__Output {
  /**
   * Every registered model, in configuration order.
   */
  'models': (_modelrouter_v1_ModelInfo__Output)[];
  /**
   * Every registered strategy name.
   */
  'strategies': (string)[];
  /**
   * The strategy used when a request names none.
   */
  'default_strategy': (string);
  /**
   * The version of the configuration in force: the first 16 hex digits of the
   * SHA-256 of its file's text. Replicas showing different versions run
   * different configurations.
   */
  'config_version': (string);
}
