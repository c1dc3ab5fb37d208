// Original file: proto/modelrouter/v1/router.proto

import type { Usage as _modelrouter_v1_Usage, Usage__Output as _modelrouter_v1_Usage__Output } from '../../modelrouter/v1/Usage';
import type { Decision as _modelrouter_v1_Decision, Decision__Output as _modelrouter_v1_Decision__Output } from '../../modelrouter/v1/Decision';
import type { Attempt as _modelrouter_v1_Attempt, Attempt__Output as _modelrouter_v1_Attempt__Output } from '../../modelrouter/v1/Attempt';
import type { ToolCall as _modelrouter_v1_ToolCall, ToolCall__Output as _modelrouter_v1_ToolCall__Output } from '../../modelrouter/v1/ToolCall';

/**
 * InvokeResponse is a completion and how it was obtained.
 */
export interface InvokeResponse {
  /**
   * The generated text. Empty in InvokeStream's `done`: there the deltas,
   * joined in order, are the text.
   */
  'text'?: (string);
  /**
   * Why generation stopped, as the provider said ("stop", "length", ...).
   */
  'finish_reason'?: (string);
  /**
   * Tokens and cost.
   */
  'usage'?: (_modelrouter_v1_Usage | null);
  /**
   * The model that produced `text`.
   */
  'model'?: (string);
  /**
   * The selection decision. For a call naming `model`, a decision of one: that
   * model, its estimates, score 1 and no components, and an empty strategy.
   */
  'decision'?: (_modelrouter_v1_Decision | null);
  /**
   * Every try, in order, the successful one last.
   */
  'attempts'?: (_modelrouter_v1_Attempt)[];
  /**
   * True when the answer came from the response cache.
   */
  'cache_hit'?: (boolean);
  /**
   * Time from receiving the request to the answer, in milliseconds.
   */
  'latency_ms'?: (number | string);
  /**
   * The request's id, echoed or generated.
   */
  'request_id'?: (string);
  /**
   * The deployment that produced `text`.
   */
  'deployment'?: (string);
  /**
   * The tools the model called, in order, whole (finish_reason "tool_calls").
   */
  'tool_calls'?: (_modelrouter_v1_ToolCall)[];
}

/**
 * InvokeResponse is a completion and how it was obtained.
 */
export interface InvokeResponse__Output {
  /**
   * The generated text. Empty in InvokeStream's `done`: there the deltas,
   * joined in order, are the text.
   */
  'text': (string);
  /**
   * Why generation stopped, as the provider said ("stop", "length", ...).
   */
  'finish_reason': (string);
  /**
   * Tokens and cost.
   */
  'usage': (_modelrouter_v1_Usage__Output | null);
  /**
   * The model that produced `text`.
   */
  'model': (string);
  /**
   * The selection decision. For a call naming `model`, a decision of one: that
   * model, its estimates, score 1 and no components, and an empty strategy.
   */
  'decision': (_modelrouter_v1_Decision__Output | null);
  /**
   * Every try, in order, the successful one last.
   */
  'attempts': (_modelrouter_v1_Attempt__Output)[];
  /**
   * True when the answer came from the response cache.
   */
  'cache_hit': (boolean);
  /**
   * Time from receiving the request to the answer, in milliseconds.
   */
  'latency_ms': (number);
  /**
   * The request's id, echoed or generated.
   */
  'request_id': (string);
  /**
   * The deployment that produced `text`.
   */
  'deployment': (string);
  /**
   * The tools the model called, in order, whole (finish_reason "tool_calls").
   */
  'tool_calls': (_modelrouter_v1_ToolCall__Output)[];
}
