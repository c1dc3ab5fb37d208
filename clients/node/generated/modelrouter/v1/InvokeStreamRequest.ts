// Original file: proto/modelrouter/v1/router.proto

import type { SelectRequest as _modelrouter_v1_SelectRequest, SelectRequest__Output as _modelrouter_v1_SelectRequest__Output } from '../../modelrouter/v1/SelectRequest';
import type { ChatMessage as _modelrouter_v1_ChatMessage, ChatMessage__Output as _modelrouter_v1_ChatMessage__Output } from '../../modelrouter/v1/ChatMessage';
import type { CachePolicy as _modelrouter_v1_CachePolicy, CachePolicy__Output as _modelrouter_v1_CachePolicy__Output } from '../../modelrouter/v1/CachePolicy';

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
  '_temperature'?: "temperature";
}
