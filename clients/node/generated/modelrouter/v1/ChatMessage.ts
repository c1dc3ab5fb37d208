// Original file: proto/modelrouter/v1/router.proto


/**
 * ChatMessage is one turn of a conversation.
 */
export interface ChatMessage {
  /**
   * Who speaks: "system", "user" or "assistant".
   */
  'role'?: (string);
  /**
   * What is said.
   */
  'content'?: (string);
}

/**
 * ChatMessage is one turn of a conversation.
 */
export interface ChatMessage__Output {
  /**
   * Who speaks: "system", "user" or "assistant".
   */
  'role': (string);
  /**
   * What is said.
   */
  'content': (string);
}
