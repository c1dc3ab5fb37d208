// Original file: proto/modelrouter/v1/router.proto


/**
 * ToolCall is one call of a tool that a model asked for.
 */
export interface ToolCall {
  /**
   * The call's id, unique in the conversation: the "tool" message with its
   * result names it in `tool_call_id`.
   */
  'id'?: (string);
  /**
   * The tool's name, one of the request's `tools`.
   */
  'name'?: (string);
  /**
   * The arguments: a JSON object, as text.
   */
  'arguments'?: (string);
}

/**
 * ToolCall is one call of a tool that a model asked for.
 */
export interface ToolCall__Output {
  /**
   * The call's id, unique in the conversation: the "tool" message with its
   * result names it in `tool_call_id`.
   */
  'id': (string);
  /**
   * The tool's name, one of the request's `tools`.
   */
  'name': (string);
  /**
   * The arguments: a JSON object, as text.
   */
  'arguments': (string);
}
