// Original file: proto/modelrouter/v1/router.proto

/**
 * HealthState is a model's or deployment's live health.
 */
export const HealthState = {
  /**
   * Not known.
   */
  HEALTH_STATE_UNSPECIFIED: 'HEALTH_STATE_UNSPECIFIED',
  /**
   * Serving normally.
   */
  HEALTH_STATE_HEALTHY: 'HEALTH_STATE_HEALTHY',
  /**
   * Serving, but some deployments are unhealthy.
   */
  HEALTH_STATE_DEGRADED: 'HEALTH_STATE_DEGRADED',
  /**
   * Not serving; not selected.
   */
  HEALTH_STATE_UNHEALTHY: 'HEALTH_STATE_UNHEALTHY',
} as const;

/**
 * HealthState is a model's or deployment's live health.
 */
export type HealthState =
  /**
   * Not known.
   */
  | 'HEALTH_STATE_UNSPECIFIED'
  | 0
  /**
   * Serving normally.
   */
  | 'HEALTH_STATE_HEALTHY'
  | 1
  /**
   * Serving, but some deployments are unhealthy.
   */
  | 'HEALTH_STATE_DEGRADED'
  | 2
  /**
   * Not serving; not selected.
   */
  | 'HEALTH_STATE_UNHEALTHY'
  | 3

/**
 * HealthState is a model's or deployment's live health.
 */
export type HealthState__Output = typeof HealthState[keyof typeof HealthState]
