// Original file: proto/modelrouter/v1/router.proto

import type { Decision as _modelrouter_v1_Decision, Decision__Output as _modelrouter_v1_Decision__Output } from '../../modelrouter/v1/Decision';

/**
 * SelectResponse carries the decision.
 */
export interface SelectResponse {
  /**
   * The chosen model, and why.
   */
  'decision'?: (_modelrouter_v1_Decision | null);
}

/**
 * SelectResponse carries the decision.
 */
export interface SelectResponse__Output {
  /**
   * The chosen model, and why.
   */
  'decision': (_modelrouter_v1_Decision__Output | null);
}
