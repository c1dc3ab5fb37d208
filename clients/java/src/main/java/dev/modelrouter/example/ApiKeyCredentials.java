package dev.modelrouter.example;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.SecurityLevel;
import io.grpc.Status;
import java.net.URI;
import java.util.concurrent.Executor;

/**
 * An API key as gRPC call credentials: every call made through a stub {@code
 * withCallCredentials(new ApiKeyCredentials(key))} carries {@code authorization: Bearer
 * <key>}. Like gRPC's own token credentials, it refuses to send the key in plaintext,
 * except to this machine (a loopback address).
 */
public final class ApiKeyCredentials extends CallCredentials {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final String key;

  public ApiKeyCredentials(String key) {
    this.key = key;
  }

  @Override
  public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
    if (info.getSecurityLevel() != SecurityLevel.PRIVACY_AND_INTEGRITY
        && !isLoopback(info.getAuthority())) {
      applier.fail(
          Status.UNAUTHENTICATED.withDescription(
              "the API key is sent only over TLS (set MODELROUTER_CA_FILE) or to a loopback address"));
      return;
    }
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + key);
    applier.apply(headers);
  }

  /**
   * Abstract in grpc-java before 1.60, where CallCredentials was experimental; declared
   * without {@code @Override} so that this compiles against either.
   */
  public void thisUsesUnstableApi() {}

  /** Never the key: a credential may end up in a log line. */
  @Override
  public String toString() {
    return "ApiKeyCredentials(<hidden>)";
  }

  /** Whether the authority (HOST:PORT) names this machine; no name is looked up. */
  private static boolean isLoopback(String authority) {
    String host = URI.create("//" + authority).getHost();
    return host != null
        && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"));
  }
}
