// Original file: proto/modelrouter/v1/router.proto

import type { Requirements as _modelrouter_v1_Requirements, Requirements__Output as _modelrouter_v1_Requirements__Output } from '../../modelrouter/v1/Requirements';
import type { ChatMessage as _modelrouter_v1_ChatMessage, ChatMessage__Output as _modelrouter_v1_ChatMessage__Output } from '../../modelrouter/v1/ChatMessage';

/**
 * SelectRequest asks which model should serve a request.
 */
export interface SelectRequest {
  /**
   * What the chosen model must satisfy.
   */
  'requirements'?: (_modelrouter_v1_Requirements | null);
  /**
   * A registered strategy name; empty means the configured default.
   */
  'strategy'?: (string);
  /**
   * Weights for weighted scoring, keyed "quality", "cost", "latency" and
   * "reliability"; each zero or more. When given they replace the strategy's
   * configured weights.
   */
  'weights'?: ({[key: string]: number | string});
  /**
   * The messages the request will carry. Optional: used only to estimate the
   * input tokens when `requirements.expected_input_tokens` is 0. Invoke
   * ignores this field and uses its own messages.
   */
  'messages'?: (_modelrouter_v1_ChatMessage)[];
  /**
   * The output limit the request will carry. Optional: used as the expected
   * output tokens when `requirements.expected_output_tokens` is 0. Invoke
   * ignores this field and uses its own.
   */
  'max_output_tokens'?: (number);
}

/**
 * SelectRequest asks which model should serve a request.
 */
export interface SelectRequest__Output {
  /**
   * What the chosen model must satisfy.
   */
  'requirements': (_modelrouter_v1_Requirements__Output | null);
  /**
   * A registered strategy name; empty means the configured default.
   */
  'strategy': (string);
  /**
   * Weights for weighted scoring, keyed "quality", "cost", "latency" and
   * "reliability"; each zero or more. When given they replace the strategy's
   * configured weights.
   */
  'weights': ({[key: string]: number});
  /**
   * The messages the request will carry. Optional: used only to estimate the
   * input tokens when `requirements.expected_input_tokens` is 0. Invoke
   * ignores this field and uses its own messages.
   */
  'messages': (_modelrouter_v1_ChatMessage__Output)[];
  /**
   * The output limit the request will carry. Optional: used as the expected
   * output tokens when `requirements.expected_output_tokens` is 0. Invoke
   * ignores this field and uses its own.
   */
  'max_output_tokens': (number);
}
