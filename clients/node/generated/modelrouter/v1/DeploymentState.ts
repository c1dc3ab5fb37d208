// Original file: proto/modelrouter/v1/router.proto

/**
 * DeploymentState says whether a deployment takes new calls.
 */
export const DeploymentState = {
  /**
   * Not known.
   */
  DEPLOYMENT_STATE_UNSPECIFIED: 'DEPLOYMENT_STATE_UNSPECIFIED',
  /**
   * Takes new calls: the state every deployment starts in.
   */
  DEPLOYMENT_STATE_ACTIVE: 'DEPLOYMENT_STATE_ACTIVE',
  /**
   * Takes no new calls; its calls in flight finish.
   */
  DEPLOYMENT_STATE_DRAINING: 'DEPLOYMENT_STATE_DRAINING',
} as const;

/**
 * DeploymentState says whether a deployment takes new calls.
 */
export type DeploymentState =
  /**
   * Not known.
   */
  | 'DEPLOYMENT_STATE_UNSPECIFIED'
  | 0
  /**
   * Takes new calls: the state every deployment starts in.
   */
  | 'DEPLOYMENT_STATE_ACTIVE'
  | 1
  /**
   * Takes no new calls; its calls in flight finish.
   */
  | 'DEPLOYMENT_STATE_DRAINING'
  | 2

/**
 * DeploymentState says whether a deployment takes new calls.
 */
export type DeploymentState__Output = typeof DeploymentState[keyof typeof DeploymentState]
