// Original file: proto/modelrouter/v1/router.proto

import type { DeploymentInfo as _modelrouter_v1_DeploymentInfo, DeploymentInfo__Output as _modelrouter_v1_DeploymentInfo__Output } from '../../modelrouter/v1/DeploymentInfo';
import type { HealthState as _modelrouter_v1_HealthState, HealthState__Output as _modelrouter_v1_HealthState__Output } from '../../modelrouter/v1/HealthState';

/**
 * ModelInfo describes one registered model.
 */
export interface ModelInfo {
  /**
   * The model id clients name.
   */
  'id'?: (string);
  /**
   * The provider kind: "openai", "anthropic" or "simulated".
   */
  'provider'?: (string);
  /**
   * What the model can do, e.g. "chat", "tools", "vision".
   */
  'capabilities'?: (string)[];
  /**
   * The context window, in tokens.
   */
  'context_window'?: (number);
  /**
   * USD per million input tokens.
   */
  'input_cost_per_mtok'?: (number | string);
  /**
   * USD per million output tokens.
   */
  'output_cost_per_mtok'?: (number | string);
  /**
   * Quality (0..1) per task; the key "default" is always present.
   */
  'quality'?: ({[key: string]: number | string});
  /**
   * The model's labels.
   */
  'labels'?: ({[key: string]: string});
  /**
   * The model's deployments.
   */
  'deployments'?: (_modelrouter_v1_DeploymentInfo)[];
  /**
   * Live health.
   */
  'health'?: (_modelrouter_v1_HealthState);
  /**
   * The provider's own name for the model.
   */
  'upstream_model'?: (string);
  /**
   * Expected time to first token, in milliseconds (live once measured).
   */
  'ttft_ms'?: (number | string);
  /**
   * Expected output speed, in tokens per second (live once measured).
   */
  'tokens_per_s'?: (number | string);
  /**
   * The balancing algorithm across deployments.
   */
  'balancer'?: (string);
}

/**
 * ModelInfo describes one registered model.
 */
export interface ModelInfo__Output {
  /**
   * The model id clients name.
   */
  'id': (string);
  /**
   * The provider kind: "openai", "anthropic" or "simulated".
   */
  'provider': (string);
  /**
   * What the model can do, e.g. "chat", "tools", "vision".
   */
  'capabilities': (string)[];
  /**
   * The context window, in tokens.
   */
  'context_window': (number);
  /**
   * USD per million input tokens.
   */
  'input_cost_per_mtok': (number);
  /**
   * USD per million output tokens.
   */
  'output_cost_per_mtok': (number);
  /**
   * Quality (0..1) per task; the key "default" is always present.
   */
  'quality': ({[key: string]: number});
  /**
   * The model's labels.
   */
  'labels': ({[key: string]: string});
  /**
   * The model's deployments.
   */
  'deployments': (_modelrouter_v1_DeploymentInfo__Output)[];
  /**
   * Live health.
   */
  'health': (_modelrouter_v1_HealthState__Output);
  /**
   * The provider's own name for the model.
   */
  'upstream_model': (string);
  /**
   * Expected time to first token, in milliseconds (live once measured).
   */
  'ttft_ms': (number);
  /**
   * Expected output speed, in tokens per second (live once measured).
   */
  'tokens_per_s': (number);
  /**
   * The balancing algorithm across deployments.
   */
  'balancer': (string);
}
