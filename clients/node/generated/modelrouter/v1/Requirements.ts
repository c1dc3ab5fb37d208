// Original file: proto/modelrouter/v1/router.proto


/**
 * Requirements constrain which models may serve a request. A model that fails
 * any of them appears in `Decision.rejected` with the reason.
 */
export interface Requirements {
  /**
   * The kind of work ("chat", "code", "summarize", "reasoning", ...). Matched
   * against each model's per-task quality; empty means the model's default.
   */
  'task'?: (string);
  /**
   * Capabilities every eligible model must have, e.g. "tools", "vision".
   */
  'capabilities'?: (string)[];
  /**
   * The smallest context window acceptable, in tokens. 0 means: the estimated
   * input plus output tokens of this request.
   */
  'min_context_tokens'?: (number);
  /**
   * The most this request may cost, in USD, by the model's pricing and the
   * expected token counts. 0 means no limit.
   */
  'max_cost_usd'?: (number | string);
  /**
   * The longest acceptable time to the full answer, in milliseconds: time to
   * first token plus output tokens over tokens per second. 0 means no limit.
   */
  'max_latency_ms'?: (number | string);
  /**
   * The lowest acceptable quality (0..1) of the model for `task`, or its
   * default quality when it has none for the task. 0 means no floor.
   */
  'min_quality'?: (number | string);
  /**
   * When not empty, only these model ids are considered. Unknown ids are
   * INVALID_ARGUMENT.
   */
  'include_models'?: (string)[];
  /**
   * These model ids are never chosen. Unknown ids are INVALID_ARGUMENT.
   */
  'exclude_models'?: (string)[];
  /**
   * Every entry must equal the model's label of the same key.
   */
  'labels'?: ({[key: string]: string});
  /**
   * The expected input tokens. 0 means: estimated from the messages, else the
   * server's configured default.
   */
  'expected_input_tokens'?: (number);
  /**
   * The expected output tokens. 0 means: the request's max_output_tokens,
   * else the server's configured default.
   */
  'expected_output_tokens'?: (number);
}

/**
 * Requirements constrain which models may serve a request. A model that fails
 * any of them appears in `Decision.rejected` with the reason.
 */
export interface Requirements__Output {
  /**
   * The kind of work ("chat", "code", "summarize", "reasoning", ...). Matched
   * against each model's per-task quality; empty means the model's default.
   */
  'task': (string);
  /**
   * Capabilities every eligible model must have, e.g. "tools", "vision".
   */
  'capabilities': (string)[];
  /**
   * The smallest context window acceptable, in tokens. 0 means: the estimated
   * input plus output tokens of this request.
   */
  'min_context_tokens': (number);
  /**
   * The most this request may cost, in USD, by the model's pricing and the
   * expected token counts. 0 means no limit.
   */
  'max_cost_usd': (number);
  /**
   * The longest acceptable time to the full answer, in milliseconds: time to
   * first token plus output tokens over tokens per second. 0 means no limit.
   */
  'max_latency_ms': (number);
  /**
   * The lowest acceptable quality (0..1) of the model for `task`, or its
   * default quality when it has none for the task. 0 means no floor.
   */
  'min_quality': (number);
  /**
   * When not empty, only these model ids are considered. Unknown ids are
   * INVALID_ARGUMENT.
   */
  'include_models': (string)[];
  /**
   * These model ids are never chosen. Unknown ids are INVALID_ARGUMENT.
   */
  'exclude_models': (string)[];
  /**
   * Every entry must equal the model's label of the same key.
   */
  'labels': ({[key: string]: string});
  /**
   * The expected input tokens. 0 means: estimated from the messages, else the
   * server's configured default.
   */
  'expected_input_tokens': (number);
  /**
   * The expected output tokens. 0 means: the request's max_output_tokens,
   * else the server's configured default.
   */
  'expected_output_tokens': (number);
}
