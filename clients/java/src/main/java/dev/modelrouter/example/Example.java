package dev.modelrouter.example;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import dev.modelrouter.v1.ChatMessage;
import dev.modelrouter.v1.Decision;
import dev.modelrouter.v1.FeedbackRequest;
import dev.modelrouter.v1.InvokeResponse;
import dev.modelrouter.v1.InvokeStreamRequest;
import dev.modelrouter.v1.InvokeStreamResponse;
import dev.modelrouter.v1.ModelStats;
import dev.modelrouter.v1.Requirements;
import dev.modelrouter.v1.RouterServiceGrpc;
import dev.modelrouter.v1.RouterServiceGrpc.RouterServiceBlockingStub;
import dev.modelrouter.v1.SelectRequest;
import dev.modelrouter.v1.StatsRequest;
import dev.modelrouter.v1.StatsResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Calls a modelrouter server: Select, InvokeStream, a tool call round trip (Invoke with tools,
 * see {@link ToolRoundTrip}), Feedback scoring its answer, Stats, then a Select that no model
 * can satisfy, reading the reason from its google.rpc.ErrorInfo.
 *
 * <p>Usage: {@code java -cp CLASSPATH dev.modelrouter.example.Example [HOST:PORT]}
 *
 * <p>MODELROUTER_API_KEY, MODELROUTER_CA_FILE, MODELROUTER_CERT_FILE and MODELROUTER_KEY_FILE
 * set the API key and TLS (see {@link Connection}); without them it speaks plaintext and sends
 * no key. A call refused by the server ends it with exit status 1 and a {@code failed:
 * code=... reason=...} line on stderr.
 */
public final class Example {
  private static final long DEADLINE_SECONDS = 10;

  public static void main(String[] args) throws InterruptedException, IOException {
    String address = args.length > 0 ? args[0] : "127.0.0.1:50051";
    ManagedChannel channel = Connection.open(address);
    boolean refused = false;
    try {
      RouterServiceBlockingStub router = RouterServiceGrpc.newBlockingStub(channel);
      // The key rides on every call made through this stub (and the stubs made from it).
      Optional<ApiKeyCredentials> apiKey = Connection.apiKey();
      if (apiKey.isPresent()) {
        router = router.withCallCredentials(apiKey.get());
      }
      select(router);
      invokeStream(router);
      InvokeResponse answered = ToolRoundTrip.run(router);
      feedback(router, answered);
      stats(router);
      failingSelect(router);
    } catch (StatusRuntimeException e) {
      // UNAUTHENTICATED without a valid key, say: the code and the ErrorInfo reason say why.
      ErrorInfo info = errorInfo(e);
      System.err.println(
          String.format(
              Locale.ROOT,
              "failed: code=%s reason=%s message=%s",
              e.getStatus().getCode(),
              info == null ? "-" : info.getReason(),
              quote(e.getStatus().getDescription())));
      refused = true;
    } finally {
      channel.shutdown();
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    }
    if (refused) {
      System.exit(1);
    }
  }

  /** A deadline is a point in time, so each call gets a fresh one. */
  static RouterServiceBlockingStub withDeadline(RouterServiceBlockingStub router) {
    return router.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  private static void select(RouterServiceBlockingStub router) {
    SelectRequest request =
        SelectRequest.newBuilder()
            .setRequirements(Requirements.newBuilder().setTask("code").addCapabilities("tools"))
            .setStrategy("by-task")
            .build();
    Decision decision = withDeadline(router).select(request).getDecision();
    print(
        "select: model=%s deployment=%s strategy=%s estimated_cost_usd=%.6f expected_latency_ms=%.0f",
        decision.getModel(),
        decision.getDeployment(),
        decision.getStrategy(),
        decision.getEstimatedCostUsd(),
        decision.getExpectedLatencyMs());
    // Best first. Rejection reasons are an open set of UPPER_SNAKE codes: show
    // them, and never assume the list of codes is complete.
    System.out.println(
        "select: ranking="
            + decision.getRankingList().stream()
                .map(m -> String.format(Locale.ROOT, "%s:%.3f", m.getModel(), m.getScore()))
                .collect(Collectors.joining(",")));
    System.out.println(
        "select: rejected="
            + decision.getRejectedList().stream()
                .map(r -> r.getModel() + ":" + r.getReason())
                .collect(Collectors.joining(",")));
  }

  private static void invokeStream(RouterServiceBlockingStub router) {
    InvokeStreamRequest request =
        InvokeStreamRequest.newBuilder()
            .setSelection(
                SelectRequest.newBuilder()
                    .setRequirements(Requirements.newBuilder().setTask("chat"))
                    .setStrategy("by-task"))
            .addMessages(
                ChatMessage.newBuilder()
                    .setRole("user")
                    .setContent("Say hello to the Java client in one short sentence."))
            .setMaxOutputTokens(64)
            .build();
    // The blocking stub hands the stream over as an iterator; each next() waits
    // for the server's next message.
    Iterator<InvokeStreamResponse> stream = withDeadline(router).invokeStream(request);
    while (stream.hasNext()) {
      InvokeStreamResponse event = stream.next();
      switch (event.getEventCase()) {
        case DELTA:
          print("stream: delta=%s", quote(event.getDelta()));
          break;
        case DONE:
          InvokeResponse done = event.getDone();
          print(
              "stream: done model=%s deployment=%s output_tokens=%d cost_usd=%.6f finish_reason=%s"
                  + " cache_hit=%b attempts=%d",
              done.getModel(),
              done.getDeployment(),
              done.getUsage().getOutputTokens(),
              done.getUsage().getCostUsd(),
              done.getFinishReason(),
              done.getCacheHit(),
              done.getAttemptsCount());
          break;
        default:
          // A newer server may add events; skip what this client does not know.
          break;
      }
    }
  }

  /**
   * Scores an answer (1 best, 0 worst) by its decision's id: the {@code learned} strategy learns
   * each model's quality per task from these scores. A decision takes one score: a second is
   * ALREADY_EXISTS with the reason FEEDBACK_EXISTS.
   */
  private static void feedback(RouterServiceBlockingStub router, InvokeResponse answered) {
    String decisionId = answered.getDecision().getDecisionId();
    withDeadline(router)
        .feedback(FeedbackRequest.newBuilder().setDecisionId(decisionId).setScore(1).build());
    print("feedback: sent decision_id=%s model=%s score=1", decisionId, answered.getModel());
  }

  private static void stats(RouterServiceBlockingStub router) {
    StatsResponse stats = withDeadline(router).stats(StatsRequest.getDefaultInstance());
    for (ModelStats model : stats.getModelsList()) {
      print(
          "stats: model=%s requests=%d failures=%d latency_p50_ms=%.1f latency_p95_ms=%.1f",
          model.getModel(),
          model.getRequests(),
          model.getFailures(),
          model.getLatencyP50Ms(),
          model.getLatencyP95Ms());
    }
    print(
        "stats: cache hits=%d misses=%d uptime_s=%.1f",
        stats.getCache().getHits(), stats.getCache().getMisses(), stats.getUptimeS());
  }

  private static void failingSelect(RouterServiceBlockingStub router) {
    SelectRequest request =
        SelectRequest.newBuilder()
            .setRequirements(Requirements.newBuilder().addCapabilities("teleport"))
            .build();
    try {
      Decision decision = withDeadline(router).select(request).getDecision();
      print("error: none, unexpectedly selected model=%s", decision.getModel());
    } catch (StatusRuntimeException e) {
      // The status code says what kind of failure it is; the google.rpc.ErrorInfo
      // in the status details says exactly why, as a stable code to branch on.
      ErrorInfo info = errorInfo(e);
      print(
          "error: code=%s reason=%s domain=%s message=%s",
          e.getStatus().getCode(),
          info == null ? "" : info.getReason(),
          info == null ? "" : info.getDomain(),
          quote(e.getStatus().getDescription()));
    }
  }

  /** The google.rpc.ErrorInfo in a failed call's status details; null when there is none. */
  private static ErrorInfo errorInfo(StatusRuntimeException e) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    if (status != null) {
      for (Any detail : status.getDetailsList()) {
        if (detail.is(ErrorInfo.class)) {
          return unpack(detail);
        }
      }
    }
    return null;
  }

  private static ErrorInfo unpack(Any detail) {
    try {
      return detail.unpack(ErrorInfo.class);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("malformed ErrorInfo in the status details", e);
    }
  }

  /** The text in double quotes, escaped so that every printed event stays on one line. */
  static String quote(String text) {
    String escaped =
        (text == null ? "" : text).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    return '"' + escaped + '"';
  }

  /** printf with a fixed locale, so numbers print the same everywhere. */
  static void print(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
  }

  private Example() {}
}
