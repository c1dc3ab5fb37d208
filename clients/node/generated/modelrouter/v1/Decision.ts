// Original file: proto/modelrouter/v1/router.proto

import type { ScoredModel as _modelrouter_v1_ScoredModel, ScoredModel__Output as _modelrouter_v1_ScoredModel__Output } from '../../modelrouter/v1/ScoredModel';
import type { Rejection as _modelrouter_v1_Rejection, Rejection__Output as _modelrouter_v1_Rejection__Output } from '../../modelrouter/v1/Rejection';

/**
 * Decision is a selection's result with its explanation.
 */
export interface Decision {
  /**
   * The chosen model id.
   */
  'model'?: (string);
  /**
   * The chosen deployment of that model, picked per call by its balancer.
   */
  'deployment'?: (string);
  /**
   * The strategy that decided; for a fallback chain, the member that produced
   * the result.
   */
  'strategy'?: (string);
  /**
   * Every eligible model, best first, with its score and the score's parts.
   */
  'ranking'?: (_modelrouter_v1_ScoredModel)[];
  /**
   * Every model that was not eligible, with the reason.
   */
  'rejected'?: (_modelrouter_v1_Rejection)[];
  /**
   * The estimated cost of the request on the chosen model, in USD.
   */
  'estimated_cost_usd'?: (number | string);
  /**
   * The expected time to the full answer on the chosen model, in milliseconds.
   */
  'expected_latency_ms'?: (number | string);
  /**
   * True when the ranking came from the selection cache. The deployment is
   * still picked per call.
   */
  'from_cache'?: (boolean);
  /**
   * The strategy that was asked for (the configured default when the request
   * named none). Differs from `strategy` for a fallback chain.
   */
  'requested_strategy'?: (string);
  /**
   * The input tokens the estimates assumed.
   */
  'estimated_input_tokens'?: (number);
  /**
   * The output tokens the estimates assumed.
   */
  'estimated_output_tokens'?: (number);
  /**
   * This call's decision, for RouterService.Feedback: unique per call (cached
   * decisions included), valid for `feedback.window_s` (a day by default).
   */
  'decision_id'?: (string);
}

/**
 * Decision is a selection's result with its explanation.
 */
export interface Decision__Output {
  /**
   * The chosen model id.
   */
  'model': (string);
  /**
   * The chosen deployment of that model, picked per call by its balancer.
   */
  'deployment': (string);
  /**
   * The strategy that decided; for a fallback chain, the member that produced
   * the result.
   */
  'strategy': (string);
  /**
   * Every eligible model, best first, with its score and the score's parts.
   */
  'ranking': (_modelrouter_v1_ScoredModel__Output)[];
  /**
   * Every model that was not eligible, with the reason.
   */
  'rejected': (_modelrouter_v1_Rejection__Output)[];
  /**
   * The estimated cost of the request on the chosen model, in USD.
   */
  'estimated_cost_usd': (number);
  /**
   * The expected time to the full answer on the chosen model, in milliseconds.
   */
  'expected_latency_ms': (number);
  /**
   * True when the ranking came from the selection cache. The deployment is
   * still picked per call.
   */
  'from_cache': (boolean);
  /**
   * The strategy that was asked for (the configured default when the request
   * named none). Differs from `strategy` for a fallback chain.
   */
  'requested_strategy': (string);
  /**
   * The input tokens the estimates assumed.
   */
  'estimated_input_tokens': (number);
  /**
   * The output tokens the estimates assumed.
   */
  'estimated_output_tokens': (number);
  /**
   * This call's decision, for RouterService.Feedback: unique per call (cached
   * decisions included), valid for `feedback.window_s` (a day by default).
   */
  'decision_id': (string);
}
