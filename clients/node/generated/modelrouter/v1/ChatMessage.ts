// Original file: proto/modelrouter/v1/router.proto

import type { ContentPart as _modelrouter_v1_ContentPart, ContentPart__Output as _modelrouter_v1_ContentPart__Output } from '../../modelrouter/v1/ContentPart';
import type { ToolCall as _modelrouter_v1_ToolCall, ToolCall__Output as _modelrouter_v1_ToolCall__Output } from '../../modelrouter/v1/ToolCall';

/**
 * ChatMessage is one turn of a conversation.
 */
export interface ChatMessage {
  /**
   * Who speaks: "system", "user", "assistant", or "tool" (a tool's result,
   * answering `tool_call_id`).
   */
  'role'?: (string);
  /**
   * What is said, as text. A message has `content` or `parts`, not both; an
   * assistant message that only calls tools may have neither.
   */
  'content'?: (string);
  /**
   * What is said, as text and images in order (images: user messages only).
   */
  'parts'?: (_modelrouter_v1_ContentPart)[];
  /**
   * The tools an assistant message called, in order: the model's `tool_calls`
   * of an earlier turn, sent back as the conversation goes on.
   */
  'tool_calls'?: (_modelrouter_v1_ToolCall)[];
  /**
   * For role "tool": the id of the call this message answers; it must be a
   * call of an earlier assistant message of the conversation.
   */
  'tool_call_id'?: (string);
}

/**
 * ChatMessage is one turn of a conversation.
 */
export interface ChatMessage__Output {
  /**
   * Who speaks: "system", "user", "assistant", or "tool" (a tool's result,
   * answering `tool_call_id`).
   */
  'role': (string);
  /**
   * What is said, as text. A message has `content` or `parts`, not both; an
   * assistant message that only calls tools may have neither.
   */
  'content': (string);
  /**
   * What is said, as text and images in order (images: user messages only).
   */
  'parts': (_modelrouter_v1_ContentPart__Output)[];
  /**
   * The tools an assistant message called, in order: the model's `tool_calls`
   * of an earlier turn, sent back as the conversation goes on.
   */
  'tool_calls': (_modelrouter_v1_ToolCall__Output)[];
  /**
   * For role "tool": the id of the call this message answers; it must be a
   * call of an earlier assistant message of the conversation.
   */
  'tool_call_id': (string);
}
