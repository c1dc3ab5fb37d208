// Original file: proto/modelrouter/v1/router.proto


/**
 * ScoredModel is one eligible model in a decision's ranking.
 */
export interface ScoredModel {
  /**
   * The model id.
   */
  'model'?: (string);
  /**
   * The strategy's score; higher is better.
   */
  'score'?: (number | string);
  /**
   * The parts of the score, e.g. "quality", "cost", "latency", "reliability",
   * each as the strategy used it.
   */
  'components'?: ({[key: string]: number | string});
  /**
   * The estimated cost of the request on this model, in USD.
   */
  'estimated_cost_usd'?: (number | string);
  /**
   * The expected time to the full answer on this model, in milliseconds.
   */
  'expected_latency_ms'?: (number | string);
}

/**
 * ScoredModel is one eligible model in a decision's ranking.
 */
export interface ScoredModel__Output {
  /**
   * The model id.
   */
  'model': (string);
  /**
   * The strategy's score; higher is better.
   */
  'score': (number);
  /**
   * The parts of the score, e.g. "quality", "cost", "latency", "reliability",
   * each as the strategy used it.
   */
  'components': ({[key: string]: number});
  /**
   * The estimated cost of the request on this model, in USD.
   */
  'estimated_cost_usd': (number);
  /**
   * The expected time to the full answer on this model, in milliseconds.
   */
  'expected_latency_ms': (number);
}
