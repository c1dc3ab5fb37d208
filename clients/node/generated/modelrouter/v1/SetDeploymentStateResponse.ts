// Original file: proto/modelrouter/v1/admin.proto

import type { DeploymentState as _modelrouter_v1_DeploymentState, DeploymentState__Output as _modelrouter_v1_DeploymentState__Output } from '../../modelrouter/v1/DeploymentState';

/**
 * SetDeploymentStateResponse reports the change.
 */
export interface SetDeploymentStateResponse {
  /**
   * The state the deployment had before the call.
   */
  'previous_state'?: (_modelrouter_v1_DeploymentState);
  /**
   * The state the deployment has now.
   */
  'state'?: (_modelrouter_v1_DeploymentState);
}

/**
 * SetDeploymentStateResponse reports the change.
 */
export interface SetDeploymentStateResponse__Output {
  /**
   * The state the deployment had before the call.
   */
  'previous_state': (_modelrouter_v1_DeploymentState__Output);
  /**
   * The state the deployment has now.
   */
  'state': (_modelrouter_v1_DeploymentState__Output);
}
