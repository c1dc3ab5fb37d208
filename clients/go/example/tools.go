package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	modelrouterv1 "github.com/modelrouter/modelrouter/clients/go/modelrouter/v1"
)

// weatherTool is a function the model may ask to call. Its parameters are the
// JSON Schema of its arguments, as JSON text: an object schema.
var weatherTool = &modelrouterv1.Tool{
	Name:        "get_weather",
	Description: "The current weather in a city.",
	Parameters:  `{"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}`,
}

// getWeather is the tool itself, run here, by the caller, not by the router:
// it reads the arguments the model wrote and answers with JSON (a fixed
// forecast, for the example).
func getWeather(arguments string) (string, error) {
	var args struct {
		City string `json:"city"`
	}
	if err := json.Unmarshal([]byte(arguments), &args); err != nil {
		return "", fmt.Errorf("get_weather: arguments %s: %w", arguments, err)
	}
	result, err := json.Marshal(struct {
		City         string `json:"city"`
		TemperatureC int    `json:"temperature_c"`
		Sky          string `json:"sky"`
	}{args.City, 21, "clear"})
	return string(result), err
}

// toolRoundTrip makes one tool call round trip: ask with the tool, the model
// calls it, send the call's result back, and the model answers in text, which
// it returns. The request's tools make the selection require the `tools`
// capability.
func toolRoundTrip(ctx context.Context, client modelrouterv1.RouterServiceClient, selection *modelrouterv1.SelectRequest) (*modelrouterv1.InvokeResponse, error) {
	tools := []*modelrouterv1.Tool{weatherTool}
	conversation := []*modelrouterv1.ChatMessage{
		{Role: "system", Content: "Report the weather in the city the user names."},
		{Role: "user", Content: "Paris"},
	}
	asked, err := client.Invoke(ctx, &modelrouterv1.InvokeRequest{Selection: selection, Messages: conversation, Tools: tools})
	if err != nil {
		return nil, fmt.Errorf("invoke with tools: %w", err)
	}
	if len(asked.GetToolCalls()) == 0 {
		return nil, fmt.Errorf("invoke with tools: %s answered %q without calling the tool", asked.GetModel(), asked.GetText())
	}
	// The next turn sends the whole conversation: the assistant's message with
	// its calls, then one "tool" message per call, naming the call it answers.
	conversation = append(conversation, &modelrouterv1.ChatMessage{
		Role: "assistant", Content: asked.GetText(), ToolCalls: asked.GetToolCalls(),
	})
	for _, call := range asked.GetToolCalls() {
		fmt.Printf("tool_call: model=%s finish_reason=%s id=%s name=%s arguments=%s\n",
			asked.GetModel(), asked.GetFinishReason(), call.GetId(), call.GetName(), call.GetArguments())
		if call.GetName() != weatherTool.GetName() {
			return nil, fmt.Errorf("the model called %q, a tool it was not offered", call.GetName())
		}
		result, err := getWeather(call.GetArguments())
		if err != nil {
			return nil, err
		}
		conversation = append(conversation, &modelrouterv1.ChatMessage{Role: "tool", ToolCallId: call.GetId(), Content: result})
	}
	answered, err := client.Invoke(ctx, &modelrouterv1.InvokeRequest{Selection: selection, Messages: conversation, Tools: tools})
	if err != nil {
		return nil, fmt.Errorf("invoke with the tool's result: %w", err)
	}
	if answered.GetText() == "" {
		return nil, errors.New("invoke with the tool's result: no text in the answer")
	}
	fmt.Printf("tool_result: model=%s finish_reason=%s text=%q\n",
		answered.GetModel(), answered.GetFinishReason(), answered.GetText())
	return answered, nil
}
