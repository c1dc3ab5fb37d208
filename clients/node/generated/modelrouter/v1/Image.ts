// Original file: proto/modelrouter/v1/router.proto


/**
 * Image is an image in a message, by URL or by its bytes.
 */
export interface Image {
  /**
   * An https:// URL the provider fetches, or a data: URL.
   */
  'url'?: (string);
  /**
   * The image itself; `media_type` says its format.
   */
  'data'?: (Buffer | Uint8Array | string);
  /**
   * The media type of `data`: "image/png", "image/jpeg", "image/gif" or
   * "image/webp". Required with `data`.
   */
  'media_type'?: (string);
  /**
   * Where the image is.
   */
  'source'?: "url"|"data";
}

/**
 * Image is an image in a message, by URL or by its bytes.
 */
export interface Image__Output {
  /**
   * An https:// URL the provider fetches, or a data: URL.
   */
  'url'?: (string);
  /**
   * The image itself; `media_type` says its format.
   */
  'data'?: (Buffer);
  /**
   * The media type of `data`: "image/png", "image/jpeg", "image/gif" or
   * "image/webp". Required with `data`.
   */
  'media_type': (string);
  /**
   * Where the image is.
   */
  'source'?: "url"|"data";
}
