package dev.modelrouter.example;

import dev.modelrouter.v1.ChatMessage;
import dev.modelrouter.v1.InvokeRequest;
import dev.modelrouter.v1.InvokeResponse;
import dev.modelrouter.v1.Requirements;
import dev.modelrouter.v1.RouterServiceGrpc.RouterServiceBlockingStub;
import dev.modelrouter.v1.SelectRequest;
import dev.modelrouter.v1.Tool;
import dev.modelrouter.v1.ToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * One tool call round trip: ask with a tool, the model calls it, send the call's result
 * back, and the model answers in text. The request's tools make the selection require the
 * {@code tools} capability.
 */
final class ToolRoundTrip {
  /** A function the model may ask to call; its parameters are a JSON Schema, as JSON text. */
  static final Tool WEATHER =
      Tool.newBuilder()
          .setName("get_weather")
          .setDescription("The current weather in a city.")
          .setParameters(
              "{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}},"
                  + " \"required\": [\"city\"]}")
          .build();

  /** Makes the round trip; returns the model's answer in text. */
  static InvokeResponse run(RouterServiceBlockingStub router) {
    SelectRequest selection =
        SelectRequest.newBuilder()
            .setRequirements(Requirements.newBuilder().setTask("chat"))
            .setStrategy("by-task")
            .build();
    List<ChatMessage> conversation = new ArrayList<>();
    conversation.add(message("system", "Report the weather in the city the user names."));
    conversation.add(message("user", "Paris"));

    InvokeResponse asked = invoke(router, selection, conversation);
    if (asked.getToolCallsCount() == 0) {
      throw new IllegalStateException(
          asked.getModel()
              + " answered "
              + Example.quote(asked.getText())
              + " without calling the tool");
    }
    // The next turn sends the whole conversation: the assistant's message with its
    // calls, then one "tool" message per call, naming the call it answers.
    conversation.add(
        ChatMessage.newBuilder()
            .setRole("assistant")
            .setContent(asked.getText())
            .addAllToolCalls(asked.getToolCallsList())
            .build());
    for (ToolCall call : asked.getToolCallsList()) {
      Example.print(
          "tool_call: model=%s finish_reason=%s id=%s name=%s arguments=%s",
          asked.getModel(),
          asked.getFinishReason(),
          call.getId(),
          call.getName(),
          call.getArguments());
      if (!call.getName().equals(WEATHER.getName())) {
        throw new IllegalStateException(
            "the model called " + call.getName() + ", a tool it was not offered");
      }
      conversation.add(
          ChatMessage.newBuilder()
              .setRole("tool")
              .setToolCallId(call.getId())
              .setContent(getWeather(call.getArguments()))
              .build());
    }
    InvokeResponse answered = invoke(router, selection, conversation);
    Example.print(
        "tool_result: model=%s finish_reason=%s text=%s",
        answered.getModel(),
        answered.getFinishReason(),
        Example.quote(answered.getText()));
    return answered;
  }

  /**
   * The tool itself, run here, by the caller, not by the router. Its arguments are a JSON
   * object as text (parse them with the JSON library of your choice); for the example, a fixed
   * forecast, as JSON.
   */
  private static String getWeather(String arguments) {
    return "{\"temperature_c\":21,\"sky\":\"clear\"}";
  }

  private static InvokeResponse invoke(
      RouterServiceBlockingStub router, SelectRequest selection, List<ChatMessage> conversation) {
    InvokeRequest request =
        InvokeRequest.newBuilder()
            .setSelection(selection)
            .addAllMessages(conversation)
            .addTools(WEATHER)
            .build();
    return Example.withDeadline(router).invoke(request);
  }

  private static ChatMessage message(String role, String content) {
    return ChatMessage.newBuilder().setRole(role).setContent(content).build();
  }

  private ToolRoundTrip() {}
}
