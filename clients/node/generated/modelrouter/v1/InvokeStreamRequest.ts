// Original file: proto/modelrouter/v1/router.proto

import type { SelectRequest as _modelrouter_v1_SelectRequest, SelectRequest__Output as _modelrouter_v1_SelectRequest__Output } from '../../modelrouter/v1/SelectRequest';
import type { ChatMessage as _modelrouter_v1_ChatMessage, ChatMessage__Output as _modelrouter_v1_ChatMessage__Output } from '../../modelrouter/v1/ChatMessage';
import type { CachePolicy as _modelrouter_v1_CachePolicy, CachePolicy__Output as _modelrouter_v1_CachePolicy__Output } from '../../modelrouter/v1/CachePolicy';
import type { Tool as _modelrouter_v1_Tool, Tool__Output as _modelrouter_v1_Tool__Output } from '../../modelrouter/v1/Tool';
import type { ToolChoice as _modelrouter_v1_ToolChoice, ToolChoice__Output as _modelrouter_v1_ToolChoice__Output } from '../../modelrouter/v1/ToolChoice';
import type { ResponseFormat as _modelrouter_v1_ResponseFormat, ResponseFormat__Output as _modelrouter_v1_ResponseFormat__Output } from '../../modelrouter/v1/ResponseFormat';
import type { DecisionView as _modelrouter_v1_DecisionView, DecisionView__Output as _modelrouter_v1_DecisionView__Output } from '../../modelrouter/v1/DecisionView';

/**
 * InvokeStreamRequest asks the router to select a model, call it and stream
 * the answer. Its fields mean what InvokeRequest's do.
 */
export interface InvokeStreamRequest {
  /**
   * How to select the model. Not allowed together with `model`.
   */
  'selection'?: (_modelrouter_v1_SelectRequest | null);
  /**
   * Call this model id, skipping selection. Not allowed together with
   * `selection`.
   */
  'model'?: (string);
  /**
   * The conversation; required, non-empty.
   */
  'messages'?: (_modelrouter_v1_ChatMessage)[];
  /**
   * The most tokens to generate; 0 means the provider's default.
   */
  'max_output_tokens'?: (number);
  /**
   * Sampling temperature; unset means the provider's default.
   */
  'temperature'?: (number | string);
  /**
   * Sequences at which generation stops.
   */
  'stop'?: (string)[];
  /**
   * How to use the response cache.
   */
  'cache'?: (_modelrouter_v1_CachePolicy);
  /**
   * Echoed in the final summary and the logs; generated when empty.
   */
  'request_id'?: (string);
  /**
   * Tools the model may call. A request with tools needs a model with the
   * `tools` capability.
   */
  'tools'?: (_modelrouter_v1_Tool)[];
  /**
   * Whether, and which, tool the model must call; only with `tools`.
   */
  'tool_choice'?: (_modelrouter_v1_ToolChoice | null);
  /**
   * The shape of the answer. A JSON format needs a model with the
   * `json_mode` capability.
   */
  'response_format'?: (_modelrouter_v1_ResponseFormat | null);
  /**
   * How much of the decision the answer carries; BASIC by default.
   */
  'decision_view'?: (_modelrouter_v1_DecisionView);
  '_temperature'?: "temperature";
}

/**
 * InvokeStreamRequest asks the router to select a model, call it and stream
 * the answer. Its fields mean what InvokeRequest's do.
 */
export interface InvokeStreamRequest__Output {
  /**
   * How to select the model. Not allowed together with `model`.
   */
  'selection': (_modelrouter_v1_SelectRequest__Output | null);
  /**
   * Call this model id, skipping selection. Not allowed together with
   * `selection`.
   */
  'model': (string);
  /**
   * The conversation; required, non-empty.
   */
  'messages': (_modelrouter_v1_ChatMessage__Output)[];
  /**
   * The most tokens to generate; 0 means the provider's default.
   */
  'max_output_tokens': (number);
  /**
   * Sampling temperature; unset means the provider's default.
   */
  'temperature'?: (number);
  /**
   * Sequences at which generation stops.
   */
  'stop': (string)[];
  /**
   * How to use the response cache.
   */
  'cache': (_modelrouter_v1_CachePolicy__Output);
  /**
   * Echoed in the final summary and the logs; generated when empty.
   */
  'request_id': (string);
  /**
   * Tools the model may call. A request with tools needs a model with the
   * `tools` capability.
   */
  'tools': (_modelrouter_v1_Tool__Output)[];
  /**
   * Whether, and which, tool the model must call; only with `tools`.
   */
  'tool_choice': (_modelrouter_v1_ToolChoice__Output | null);
  /**
   * The shape of the answer. A JSON format needs a model with the
   * `json_mode` capability.
   */
  'response_format': (_modelrouter_v1_ResponseFormat__Output | null);
  /**
   * How much of the decision the answer carries; BASIC by default.
   */
  'decision_view': (_modelrouter_v1_DecisionView__Output);
  '_temperature'?: "temperature";
}
