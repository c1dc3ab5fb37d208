// Original file: proto/modelrouter/v1/admin.proto

import type { DeploymentState as _modelrouter_v1_DeploymentState, DeploymentState__Output as _modelrouter_v1_DeploymentState__Output } from '../../modelrouter/v1/DeploymentState';

/**
 * SetDeploymentStateRequest names a deployment and the state it should take.
 */
export interface SetDeploymentStateRequest {
  /**
   * The model id.
   */
  'model'?: (string);
  /**
   * The deployment name, unique within the model.
   */
  'deployment'?: (string);
  /**
   * The state to take: ACTIVE or DRAINING (UNSPECIFIED is INVALID_ARGUMENT).
   */
  'state'?: (_modelrouter_v1_DeploymentState);
}

/**
 * SetDeploymentStateRequest names a deployment and the state it should take.
 */
export interface SetDeploymentStateRequest__Output {
  /**
   * The model id.
   */
  'model': (string);
  /**
   * The deployment name, unique within the model.
   */
  'deployment': (string);
  /**
   * The state to take: ACTIVE or DRAINING (UNSPECIFIED is INVALID_ARGUMENT).
   */
  'state': (_modelrouter_v1_DeploymentState__Output);
}
