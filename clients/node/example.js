// @ts-check
// A tour of the modelrouter API from Node: Select, InvokeStream, Stats, and a
// failing call with its error details. Run: node example.js [host:port]
'use strict';

const grpc = require('@grpc/grpc-js');
const { createClient, errorDetails } = require('./router');

/** @typedef {import('./generated/modelrouter/v1/SelectResponse').SelectResponse__Output} SelectResponse */
/** @typedef {import('./generated/modelrouter/v1/StatsResponse').StatsResponse__Output} StatsResponse */
/** @typedef {import('./generated/modelrouter/v1/InvokeStreamResponse').InvokeStreamResponse__Output} StreamMessage */

const address = process.argv[2] ?? '127.0.0.1:50051';

/** A deadline `seconds` from now: give every call one. */
const deadline = (seconds = 10) => Date.now() + seconds * 1000;

/**
 * Awaits a unary call that `start` begins with the callback it is handed.
 * @template T
 * @param {(callback: grpc.requestCallback<T>) => unknown} start
 * @returns {Promise<T>}
 */
function unary(start) {
  return new Promise((resolve, reject) => {
    start((error, response) => (error ? reject(error) : resolve(/** @type {T} */ (response))));
  });
}

async function main() {
  const client = createClient(address);
  try {
    // Select: which model should serve a coding request that needs tool calls?
    /** @type {SelectResponse} */
    const { decision } = await unary((done) =>
      client.Select(
        { requirements: { task: 'code', capabilities: ['tools'] }, strategy: 'by-task' },
        { deadline: deadline() },
        done,
      ),
    );
    if (!decision) throw new Error('Select answered without a decision');
    console.log(
      `select: model=${decision.model} deployment=${decision.deployment} strategy=${decision.strategy} ` +
        `cost_usd=${decision.estimated_cost_usd.toFixed(6)} latency_ms=${decision.expected_latency_ms.toFixed(0)}`,
    );
    decision.ranking.forEach((m, i) => console.log(`select: rank=${i + 1} model=${m.model} score=${m.score.toFixed(3)}`));
    for (const r of decision.rejected) console.log(`select: rejected model=${r.model} reason=${r.reason}`);

    // InvokeStream: the text arrives in deltas, then one `done` summary.
    const stream = client.InvokeStream(
      {
        selection: { requirements: { task: 'chat' } },
        messages: [{ role: 'user', content: 'Say hello to the Node client.' }],
        max_output_tokens: 64,
      },
      { deadline: deadline(30) },
    );
    for await (const chunk of stream) {
      const message = /** @type {StreamMessage} */ (chunk);
      if (message.event === 'delta') {
        console.log(`stream: delta ${JSON.stringify(message.delta)}`);
      } else if (message.event === 'done' && message.done) {
        const { model, deployment, usage, cache_hit } = message.done;
        console.log(
          `stream: done model=${model} deployment=${deployment} input_tokens=${usage?.input_tokens} ` +
            `output_tokens=${usage?.output_tokens} cost_usd=${usage?.cost_usd.toFixed(6)} cache_hit=${cache_hit}`,
        );
      }
    }

    // Stats: per-model figures. int64 counters arrive as decimal strings.
    /** @type {StatsResponse} */
    const stats = await unary((done) => client.Stats({}, { deadline: deadline() }, done));
    for (const m of stats.models) {
      console.log(
        `stats: model=${m.model} requests=${m.requests} failures=${m.failures} ` +
          `latency_p50_ms=${m.latency_p50_ms.toFixed(1)} latency_p95_ms=${m.latency_p95_ms.toFixed(1)} health=${m.health}`,
      );
    }

    // A failing call: no model can teleport. The error's details say why.
    try {
      await unary((done) =>
        client.Select({ requirements: { capabilities: ['teleport'] } }, { deadline: deadline() }, done),
      );
      console.log('error: none, but FAILED_PRECONDITION was expected');
    } catch (err) {
      const error = /** @type {grpc.ServiceError} */ (err);
      const { errorInfo, preconditionFailure } = errorDetails(error);
      console.log(
        `error: code=${grpc.status[error.code]} reason=${errorInfo?.reason ?? '-'} domain=${errorInfo?.domain ?? '-'}`,
      );
      for (const v of preconditionFailure?.violations ?? []) {
        console.log(`error: rejected model=${v.subject} reason=${v.type}`);
      }
    }
  } finally {
    client.close();
  }
}

main().catch((err) => {
  console.error(`failed: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
});
