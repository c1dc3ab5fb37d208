// Original file: proto/modelrouter/v1/router.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { FeedbackRequest as _modelrouter_v1_FeedbackRequest, FeedbackRequest__Output as _modelrouter_v1_FeedbackRequest__Output } from '../../modelrouter/v1/FeedbackRequest';
import type { FeedbackResponse as _modelrouter_v1_FeedbackResponse, FeedbackResponse__Output as _modelrouter_v1_FeedbackResponse__Output } from '../../modelrouter/v1/FeedbackResponse';
import type { InvokeRequest as _modelrouter_v1_InvokeRequest, InvokeRequest__Output as _modelrouter_v1_InvokeRequest__Output } from '../../modelrouter/v1/InvokeRequest';
import type { InvokeResponse as _modelrouter_v1_InvokeResponse, InvokeResponse__Output as _modelrouter_v1_InvokeResponse__Output } from '../../modelrouter/v1/InvokeResponse';
import type { InvokeStreamRequest as _modelrouter_v1_InvokeStreamRequest, InvokeStreamRequest__Output as _modelrouter_v1_InvokeStreamRequest__Output } from '../../modelrouter/v1/InvokeStreamRequest';
import type { InvokeStreamResponse as _modelrouter_v1_InvokeStreamResponse, InvokeStreamResponse__Output as _modelrouter_v1_InvokeStreamResponse__Output } from '../../modelrouter/v1/InvokeStreamResponse';
import type { ListModelsRequest as _modelrouter_v1_ListModelsRequest, ListModelsRequest__Output as _modelrouter_v1_ListModelsRequest__Output } from '../../modelrouter/v1/ListModelsRequest';
import type { ListModelsResponse as _modelrouter_v1_ListModelsResponse, ListModelsResponse__Output as _modelrouter_v1_ListModelsResponse__Output } from '../../modelrouter/v1/ListModelsResponse';
import type { SelectRequest as _modelrouter_v1_SelectRequest, SelectRequest__Output as _modelrouter_v1_SelectRequest__Output } from '../../modelrouter/v1/SelectRequest';
import type { SelectResponse as _modelrouter_v1_SelectResponse, SelectResponse__Output as _modelrouter_v1_SelectResponse__Output } from '../../modelrouter/v1/SelectResponse';
import type { StatsRequest as _modelrouter_v1_StatsRequest, StatsRequest__Output as _modelrouter_v1_StatsRequest__Output } from '../../modelrouter/v1/StatsRequest';
import type { StatsResponse as _modelrouter_v1_StatsResponse, StatsResponse__Output as _modelrouter_v1_StatsResponse__Output } from '../../modelrouter/v1/StatsResponse';

/**
 * RouterService picks, calls and measures language models.
 */
export interface RouterServiceClient extends grpc.Client {
  /**
   * Feedback scores the answer of one decision (by its `decision_id`): the
   * `learned` strategy learns each model's quality per tenant and task from
   * these scores. An unknown or expired id is NOT_FOUND UNKNOWN_DECISION; a
   * second score for the same decision is ALREADY_EXISTS FEEDBACK_EXISTS.
   */
  Feedback(argument: _modelrouter_v1_FeedbackRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_FeedbackResponse__Output>): grpc.ClientUnaryCall;
  Feedback(argument: _modelrouter_v1_FeedbackRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_modelrouter_v1_FeedbackResponse__Output>): grpc.ClientUnaryCall;
  Feedback(argument: _modelrouter_v1_FeedbackRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_FeedbackResponse__Output>): grpc.ClientUnaryCall;
  Feedback(argument: _modelrouter_v1_FeedbackRequest, callback: grpc.requestCallback<_modelrouter_v1_FeedbackResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Feedback scores the answer of one decision (by its `decision_id`): the
   * `learned` strategy learns each model's quality per tenant and task from
   * these scores. An unknown or expired id is NOT_FOUND UNKNOWN_DECISION; a
   * second score for the same decision is ALREADY_EXISTS FEEDBACK_EXISTS.
   */
  feedback(argument: _modelrouter_v1_FeedbackRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_FeedbackResponse__Output>): grpc.ClientUnaryCall;
  feedback(argument: _modelrouter_v1_FeedbackRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_modelrouter_v1_FeedbackResponse__Output>): grpc.ClientUnaryCall;
  feedback(argument: _modelrouter_v1_FeedbackRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_FeedbackResponse__Output>): grpc.ClientUnaryCall;
  feedback(argument: _modelrouter_v1_FeedbackRequest, callback: grpc.requestCallback<_modelrouter_v1_FeedbackResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Invoke selects a model, calls its provider (through the response cache,
   * retries and fallback) and returns the completion.
   */
  Invoke(argument: _modelrouter_v1_InvokeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_InvokeResponse__Output>): grpc.ClientUnaryCall;
  Invoke(argument: _modelrouter_v1_InvokeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_modelrouter_v1_InvokeResponse__Output>): grpc.ClientUnaryCall;
  Invoke(argument: _modelrouter_v1_InvokeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_InvokeResponse__Output>): grpc.ClientUnaryCall;
  Invoke(argument: _modelrouter_v1_InvokeRequest, callback: grpc.requestCallback<_modelrouter_v1_InvokeResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Invoke selects a model, calls its provider (through the response cache,
   * retries and fallback) and returns the completion.
   */
  invoke(argument: _modelrouter_v1_InvokeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_InvokeResponse__Output>): grpc.ClientUnaryCall;
  invoke(argument: _modelrouter_v1_InvokeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_modelrouter_v1_InvokeResponse__Output>): grpc.ClientUnaryCall;
  invoke(argument: _modelrouter_v1_InvokeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_InvokeResponse__Output>): grpc.ClientUnaryCall;
  invoke(argument: _modelrouter_v1_InvokeRequest, callback: grpc.requestCallback<_modelrouter_v1_InvokeResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * InvokeStream does what Invoke does and streams the text as it arrives:
   * zero or more `delta` messages, which joined are the whole text, then
   * exactly one `done` summary (whose `text` is empty).
   */
  InvokeStream(argument: _modelrouter_v1_InvokeStreamRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_modelrouter_v1_InvokeStreamResponse__Output>;
  InvokeStream(argument: _modelrouter_v1_InvokeStreamRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_modelrouter_v1_InvokeStreamResponse__Output>;
  /**
   * InvokeStream does what Invoke does and streams the text as it arrives:
   * zero or more `delta` messages, which joined are the whole text, then
   * exactly one `done` summary (whose `text` is empty).
   */
  invokeStream(argument: _modelrouter_v1_InvokeStreamRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_modelrouter_v1_InvokeStreamResponse__Output>;
  invokeStream(argument: _modelrouter_v1_InvokeStreamRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_modelrouter_v1_InvokeStreamResponse__Output>;
  
  /**
   * ListModels returns the registry: every model, its live health, and the
   * registered strategies.
   */
  ListModels(argument: _modelrouter_v1_ListModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _modelrouter_v1_ListModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_modelrouter_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _modelrouter_v1_ListModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _modelrouter_v1_ListModelsRequest, callback: grpc.requestCallback<_modelrouter_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * ListModels returns the registry: every model, its live health, and the
   * registered strategies.
   */
  listModels(argument: _modelrouter_v1_ListModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _modelrouter_v1_ListModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_modelrouter_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _modelrouter_v1_ListModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _modelrouter_v1_ListModelsRequest, callback: grpc.requestCallback<_modelrouter_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Select picks a model and deployment for a request and calls nothing.
   */
  Select(argument: _modelrouter_v1_SelectRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_SelectResponse__Output>): grpc.ClientUnaryCall;
  Select(argument: _modelrouter_v1_SelectRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_modelrouter_v1_SelectResponse__Output>): grpc.ClientUnaryCall;
  Select(argument: _modelrouter_v1_SelectRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_SelectResponse__Output>): grpc.ClientUnaryCall;
  Select(argument: _modelrouter_v1_SelectRequest, callback: grpc.requestCallback<_modelrouter_v1_SelectResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Select picks a model and deployment for a request and calls nothing.
   */
  select(argument: _modelrouter_v1_SelectRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_SelectResponse__Output>): grpc.ClientUnaryCall;
  select(argument: _modelrouter_v1_SelectRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_modelrouter_v1_SelectResponse__Output>): grpc.ClientUnaryCall;
  select(argument: _modelrouter_v1_SelectRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_SelectResponse__Output>): grpc.ClientUnaryCall;
  select(argument: _modelrouter_v1_SelectRequest, callback: grpc.requestCallback<_modelrouter_v1_SelectResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Stats reports usage figures per model and deployment, cache figures and
   * advice drawn from them.
   */
  Stats(argument: _modelrouter_v1_StatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_StatsResponse__Output>): grpc.ClientUnaryCall;
  Stats(argument: _modelrouter_v1_StatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_modelrouter_v1_StatsResponse__Output>): grpc.ClientUnaryCall;
  Stats(argument: _modelrouter_v1_StatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_StatsResponse__Output>): grpc.ClientUnaryCall;
  Stats(argument: _modelrouter_v1_StatsRequest, callback: grpc.requestCallback<_modelrouter_v1_StatsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Stats reports usage figures per model and deployment, cache figures and
   * advice drawn from them.
   */
  stats(argument: _modelrouter_v1_StatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_StatsResponse__Output>): grpc.ClientUnaryCall;
  stats(argument: _modelrouter_v1_StatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_modelrouter_v1_StatsResponse__Output>): grpc.ClientUnaryCall;
  stats(argument: _modelrouter_v1_StatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_StatsResponse__Output>): grpc.ClientUnaryCall;
  stats(argument: _modelrouter_v1_StatsRequest, callback: grpc.requestCallback<_modelrouter_v1_StatsResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * RouterService picks, calls and measures language models.
 */
export interface RouterServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Feedback scores the answer of one decision (by its `decision_id`): the
   * `learned` strategy learns each model's quality per tenant and task from
   * these scores. An unknown or expired id is NOT_FOUND UNKNOWN_DECISION; a
   * second score for the same decision is ALREADY_EXISTS FEEDBACK_EXISTS.
   */
  Feedback: grpc.handleUnaryCall<_modelrouter_v1_FeedbackRequest__Output, _modelrouter_v1_FeedbackResponse>;
  
  /**
   * Invoke selects a model, calls its provider (through the response cache,
   * retries and fallback) and returns the completion.
   */
  Invoke: grpc.handleUnaryCall<_modelrouter_v1_InvokeRequest__Output, _modelrouter_v1_InvokeResponse>;
  
  /**
   * InvokeStream does what Invoke does and streams the text as it arrives:
   * zero or more `delta` messages, which joined are the whole text, then
   * exactly one `done` summary (whose `text` is empty).
   */
  InvokeStream: grpc.handleServerStreamingCall<_modelrouter_v1_InvokeStreamRequest__Output, _modelrouter_v1_InvokeStreamResponse>;
  
  /**
   * ListModels returns the registry: every model, its live health, and the
   * registered strategies.
   */
  ListModels: grpc.handleUnaryCall<_modelrouter_v1_ListModelsRequest__Output, _modelrouter_v1_ListModelsResponse>;
  
  /**
   * Select picks a model and deployment for a request and calls nothing.
   */
  Select: grpc.handleUnaryCall<_modelrouter_v1_SelectRequest__Output, _modelrouter_v1_SelectResponse>;
  
  /**
   * Stats reports usage figures per model and deployment, cache figures and
   * advice drawn from them.
   */
  Stats: grpc.handleUnaryCall<_modelrouter_v1_StatsRequest__Output, _modelrouter_v1_StatsResponse>;
  
}

export interface RouterServiceDefinition extends grpc.ServiceDefinition {
  Feedback: MethodDefinition<_modelrouter_v1_FeedbackRequest, _modelrouter_v1_FeedbackResponse, _modelrouter_v1_FeedbackRequest__Output, _modelrouter_v1_FeedbackResponse__Output>
  Invoke: MethodDefinition<_modelrouter_v1_InvokeRequest, _modelrouter_v1_InvokeResponse, _modelrouter_v1_InvokeRequest__Output, _modelrouter_v1_InvokeResponse__Output>
  InvokeStream: MethodDefinition<_modelrouter_v1_InvokeStreamRequest, _modelrouter_v1_InvokeStreamResponse, _modelrouter_v1_InvokeStreamRequest__Output, _modelrouter_v1_InvokeStreamResponse__Output>
  ListModels: MethodDefinition<_modelrouter_v1_ListModelsRequest, _modelrouter_v1_ListModelsResponse, _modelrouter_v1_ListModelsRequest__Output, _modelrouter_v1_ListModelsResponse__Output>
  Select: MethodDefinition<_modelrouter_v1_SelectRequest, _modelrouter_v1_SelectResponse, _modelrouter_v1_SelectRequest__Output, _modelrouter_v1_SelectResponse__Output>
  Stats: MethodDefinition<_modelrouter_v1_StatsRequest, _modelrouter_v1_StatsResponse, _modelrouter_v1_StatsRequest__Output, _modelrouter_v1_StatsResponse__Output>
}
