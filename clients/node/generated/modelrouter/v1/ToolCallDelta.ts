// Original file: proto/modelrouter/v1/router.proto


/**
 * ToolCallDelta is a piece of one tool call of a streamed answer.
 */
export interface ToolCallDelta {
  /**
   * Which call of the answer (0, 1, ...) this piece belongs to.
   */
  'index'?: (number);
  /**
   * The call's id; in the call's first piece only.
   */
  'id'?: (string);
  /**
   * The tool's name; in the call's first piece only.
   */
  'name'?: (string);
  /**
   * More of the arguments' JSON text, to append to the call's earlier pieces.
   */
  'arguments'?: (string);
}

/**
 * ToolCallDelta is a piece of one tool call of a streamed answer.
 */
export interface ToolCallDelta__Output {
  /**
   * Which call of the answer (0, 1, ...) this piece belongs to.
   */
  'index': (number);
  /**
   * The call's id; in the call's first piece only.
   */
  'id': (string);
  /**
   * The tool's name; in the call's first piece only.
   */
  'name': (string);
  /**
   * More of the arguments' JSON text, to append to the call's earlier pieces.
   */
  'arguments': (string);
}
