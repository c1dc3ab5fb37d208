package dev.modelrouter.example;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.File;
import java.io.IOException;
import java.util.Optional;

/**
 * How the example reaches the server, from the environment:
 *
 * <ul>
 *   <li>{@code MODELROUTER_CA_FILE}: TLS, trusting the CA in this PEM file; unset: plaintext
 *   <li>{@code MODELROUTER_CERT_FILE} with {@code MODELROUTER_KEY_FILE}: a client certificate
 *       and its key (PEM), for a server that asks for one (mTLS)
 *   <li>{@code MODELROUTER_API_KEY}: sent as {@code authorization: Bearer <key>} on every call
 * </ul>
 */
final class Connection {
  static ManagedChannel open(String address) throws IOException {
    return Grpc.newChannelBuilder(address, credentials()).build();
  }

  /** The API key, when one is set. */
  static Optional<ApiKeyCredentials> apiKey() {
    return env("MODELROUTER_API_KEY").map(ApiKeyCredentials::new);
  }

  private static ChannelCredentials credentials() throws IOException {
    Optional<String> ca = env("MODELROUTER_CA_FILE");
    Optional<String> cert = env("MODELROUTER_CERT_FILE");
    Optional<String> key = env("MODELROUTER_KEY_FILE");
    if (cert.isPresent() != key.isPresent()) {
      throw new IllegalArgumentException("MODELROUTER_CERT_FILE and MODELROUTER_KEY_FILE go together");
    }
    if (ca.isEmpty()) {
      if (cert.isPresent()) {
        throw new IllegalArgumentException(
            "MODELROUTER_CERT_FILE and MODELROUTER_KEY_FILE need MODELROUTER_CA_FILE (TLS)");
      }
      return InsecureChannelCredentials.create();
    }
    TlsChannelCredentials.Builder tls =
        TlsChannelCredentials.newBuilder().trustManager(new File(ca.get()));
    if (cert.isPresent()) {
      tls.keyManager(new File(cert.get()), new File(key.get()));
    }
    return tls.build();
  }

  private static Optional<String> env(String name) {
    return Optional.ofNullable(System.getenv(name)).filter(value -> !value.isEmpty());
  }

  private Connection() {}
}
