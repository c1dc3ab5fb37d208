// Original file: proto/modelrouter/v1/router.proto


/**
 * Rejection says why a model was not eligible.
 */
export interface Rejection {
  /**
   * The model id.
   */
  'model'?: (string);
  /**
   * An UPPER_SNAKE code: MISSING_CAPABILITY, CONTEXT_TOO_SMALL, OVER_COST,
   * OVER_LATENCY, BELOW_QUALITY, UNHEALTHY, EXCLUDED, NOT_INCLUDED (not in
   * include_models), NOT_ALLOWED (not in the caller's tenant's models),
   * LABEL_MISMATCH, DRAINING (every deployment of the model is draining, set
   * by AdminService.SetDeploymentState), ... The set is open: handle codes you
   * do not know.
   */
  'reason'?: (string);
  /**
   * A sentence for a person, with the figures behind the reason.
   */
  'detail'?: (string);
}

/**
 * Rejection says why a model was not eligible.
 */
export interface Rejection__Output {
  /**
   * The model id.
   */
  'model': (string);
  /**
   * An UPPER_SNAKE code: MISSING_CAPABILITY, CONTEXT_TOO_SMALL, OVER_COST,
   * OVER_LATENCY, BELOW_QUALITY, UNHEALTHY, EXCLUDED, NOT_INCLUDED (not in
   * include_models), NOT_ALLOWED (not in the caller's tenant's models),
   * LABEL_MISMATCH, DRAINING (every deployment of the model is draining, set
   * by AdminService.SetDeploymentState), ... The set is open: handle codes you
   * do not know.
   */
  'reason': (string);
  /**
   * A sentence for a person, with the figures behind the reason.
   */
  'detail': (string);
}
