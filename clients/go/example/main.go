// Command example shows the modelrouter API from Go: pick a model (Select),
// stream an answer (InvokeStream), make a tool call round trip (Invoke with
// tools), score its answer (Feedback), read the usage figures (Stats), and
// read the reason of a failed call from its google.rpc.ErrorInfo detail.
//
//	go run ./example -address 127.0.0.1:50051
//
// Every line it prints starts with the step's name, so the output is easy to grep.
// MODELROUTER_API_KEY, MODELROUTER_CA_FILE, MODELROUTER_CERT_FILE and
// MODELROUTER_KEY_FILE set the key and TLS (connection.go); without them it
// speaks plaintext and sends no key. A failed call ends it with exit status 1
// and a `fatal: code=... reason=...` line on stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/status"

	modelrouterv1 "github.com/modelrouter/modelrouter/clients/go/modelrouter/v1"
)

func main() {
	address := flag.String("address", "127.0.0.1:50051", "the modelrouter server, HOST:PORT")
	timeout := flag.Duration("timeout", 30*time.Second, "deadline for all the calls together")
	flag.Parse()
	log.SetFlags(0)
	if err := run(*address, *timeout); err != nil {
		// A refused call (UNAUTHENTICATED without a valid key, say) names its code and reason.
		var refused interface{ GRPCStatus() *status.Status }
		if errors.As(err, &refused) {
			st := refused.GRPCStatus()
			log.Fatalf("fatal: code=%s reason=%s: %v", st.Code(), reason(st), err)
		}
		log.Fatalf("fatal: %v", err)
	}
}

// reason is the google.rpc.ErrorInfo reason of a failed call, "-" without one.
func reason(st *status.Status) string {
	for _, detail := range st.Details() {
		if info, ok := detail.(*errdetails.ErrorInfo); ok {
			return info.GetReason()
		}
	}
	return "-"
}

func run(address string, timeout time.Duration) error {
	opts, err := connection(address) // TLS and the API key, from the environment
	if err != nil {
		return err
	}
	conn, err := dial(address, opts...) // dial.go: grpc.NewClient
	if err != nil {
		return fmt.Errorf("connect %s: %w", address, err)
	}
	defer conn.Close()
	client := modelrouterv1.NewRouterServiceClient(conn)

	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	// The work: code, with tool calling, decided by each model's quality for the task.
	selection := &modelrouterv1.SelectRequest{
		Requirements: &modelrouterv1.Requirements{Task: "code", Capabilities: []string{"tools"}},
		Strategy:     "by-task",
	}

	// 1. Select: which model would serve it, and why; calls no model.
	selected, err := client.Select(ctx, selection)
	if err != nil {
		return fmt.Errorf("select: %w", err)
	}
	d := selected.GetDecision()
	fmt.Printf("select: model=%s deployment=%s strategy=%s cost_usd=%.6f latency_ms=%.0f\n",
		d.GetModel(), d.GetDeployment(), d.GetStrategy(), d.GetEstimatedCostUsd(), d.GetExpectedLatencyMs())
	for i, m := range d.GetRanking() {
		fmt.Printf("select: rank=%d model=%s score=%.3f\n", i+1, m.GetModel(), m.GetScore())
	}
	for _, r := range d.GetRejected() {
		fmt.Printf("select: rejected model=%s reason=%s\n", r.GetModel(), r.GetReason())
	}

	// 2. InvokeStream: the same selection, then the text piece by piece and one
	// final summary.
	stream, err := client.InvokeStream(ctx, &modelrouterv1.InvokeStreamRequest{
		Selection:       selection,
		Messages:        []*modelrouterv1.ChatMessage{{Role: "user", Content: "Write a Go function that reverses a string."}},
		MaxOutputTokens: 64,
	})
	if err != nil {
		return fmt.Errorf("invoke stream: %w", err)
	}
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("invoke stream: %w", err)
		}
		switch event := msg.GetEvent().(type) {
		case *modelrouterv1.InvokeStreamResponse_Delta:
			fmt.Printf("stream: delta %q\n", event.Delta)
		case *modelrouterv1.InvokeStreamResponse_Done:
			done := event.Done
			fmt.Printf("stream: done model=%s deployment=%s input_tokens=%d output_tokens=%d cost_usd=%.6f cache_hit=%t\n",
				done.GetModel(), done.GetDeployment(), done.GetUsage().GetInputTokens(),
				done.GetUsage().GetOutputTokens(), done.GetUsage().GetCostUsd(), done.GetCacheHit())
		}
	}

	// 3. Tools: one tool call round trip (tools.go).
	answered, err := toolRoundTrip(ctx, client, selection)
	if err != nil {
		return err
	}

	// 4. Feedback: score the answer (1 best, 0 worst) by its decision's id. The
	// `learned` strategy learns each model's quality per task from these scores.
	// A decision takes one score: a second is ALREADY_EXISTS FEEDBACK_EXISTS.
	decisionID := answered.GetDecision().GetDecisionId()
	if _, err := client.Feedback(ctx, &modelrouterv1.FeedbackRequest{DecisionId: decisionID, Score: 1}); err != nil {
		return fmt.Errorf("feedback: %w", err)
	}
	fmt.Printf("feedback: sent decision_id=%s model=%s score=1\n", decisionID, answered.GetModel())

	// 5. Stats: what each model has served so far.
	stats, err := client.Stats(ctx, &modelrouterv1.StatsRequest{})
	if err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	for _, m := range stats.GetModels() {
		fmt.Printf("stats: model=%s requests=%d failures=%d latency_p50_ms=%.1f latency_p95_ms=%.1f health=%s\n",
			m.GetModel(), m.GetRequests(), m.GetFailures(), m.GetLatencyP50Ms(), m.GetLatencyP95Ms(), m.GetHealth())
	}

	// 6. A call that fails: no model can teleport. Every error carries one
	// google.rpc.ErrorInfo whose reason is a stable UPPER_SNAKE code.
	_, err = client.Select(ctx, &modelrouterv1.SelectRequest{
		Requirements: &modelrouterv1.Requirements{Capabilities: []string{"teleport"}},
	})
	if err == nil {
		return errors.New("select with capability teleport succeeded; expected FAILED_PRECONDITION")
	}
	st := status.Convert(err)
	for _, detail := range st.Details() {
		switch info := detail.(type) {
		case *errdetails.ErrorInfo:
			fmt.Printf("error: code=%s reason=%s domain=%s\n", st.Code(), info.GetReason(), info.GetDomain())
		case *errdetails.PreconditionFailure:
			for _, v := range info.GetViolations() {
				fmt.Printf("error: rejected model=%s reason=%s\n", v.GetSubject(), v.GetType())
			}
		}
	}
	return nil
}
