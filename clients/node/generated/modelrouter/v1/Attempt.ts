// Original file: proto/modelrouter/v1/router.proto


/**
 * Attempt is one try of one deployment during an Invoke.
 */
export interface Attempt {
  /**
   * The model id.
   */
  'model'?: (string);
  /**
   * The deployment name.
   */
  'deployment'?: (string);
  /**
   * An UPPER_SNAKE code: OK, TIMEOUT, RATE_LIMITED, UNAVAILABLE, BAD_RESPONSE,
   * CIRCUIT_OPEN, AUTH_FAILED, ... The set is open.
   */
  'outcome'?: (string);
  /**
   * How long the try took, in milliseconds.
   */
  'latency_ms'?: (number | string);
  /**
   * What went wrong, for a person; empty when the outcome is OK.
   */
  'error'?: (string);
}

/**
 * Attempt is one try of one deployment during an Invoke.
 */
export interface Attempt__Output {
  /**
   * The model id.
   */
  'model': (string);
  /**
   * The deployment name.
   */
  'deployment': (string);
  /**
   * An UPPER_SNAKE code: OK, TIMEOUT, RATE_LIMITED, UNAVAILABLE, BAD_RESPONSE,
   * CIRCUIT_OPEN, AUTH_FAILED, ... The set is open.
   */
  'outcome': (string);
  /**
   * How long the try took, in milliseconds.
   */
  'latency_ms': (number);
  /**
   * What went wrong, for a person; empty when the outcome is OK.
   */
  'error': (string);
}
