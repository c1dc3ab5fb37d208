// Original file: proto/modelrouter/v1/admin.proto


/**
 * ReloadConfigRequest asks the server to re-read its configuration file.
 */
export interface ReloadConfigRequest {
}

/**
 * ReloadConfigRequest asks the server to re-read its configuration file.
 */
export interface ReloadConfigRequest__Output {
}
