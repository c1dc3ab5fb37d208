// Original file: proto/modelrouter/v1/router.proto

import type { HealthState as _modelrouter_v1_HealthState, HealthState__Output as _modelrouter_v1_HealthState__Output } from '../../modelrouter/v1/HealthState';
import type { DeploymentState as _modelrouter_v1_DeploymentState, DeploymentState__Output as _modelrouter_v1_DeploymentState__Output } from '../../modelrouter/v1/DeploymentState';

/**
 * DeploymentInfo describes one deployment of a model.
 */
export interface DeploymentInfo {
  /**
   * The deployment name, unique within the model.
   */
  'name'?: (string);
  /**
   * The balancing weight.
   */
  'weight'?: (number | string);
  /**
   * Live health.
   */
  'health'?: (_modelrouter_v1_HealthState);
  /**
   * Whether the deployment takes new calls (AdminService.SetDeploymentState).
   */
  'state'?: (_modelrouter_v1_DeploymentState);
}

/**
 * DeploymentInfo describes one deployment of a model.
 */
export interface DeploymentInfo__Output {
  /**
   * The deployment name, unique within the model.
   */
  'name': (string);
  /**
   * The balancing weight.
   */
  'weight': (number);
  /**
   * Live health.
   */
  'health': (_modelrouter_v1_HealthState__Output);
  /**
   * Whether the deployment takes new calls (AdminService.SetDeploymentState).
   */
  'state': (_modelrouter_v1_DeploymentState__Output);
}
