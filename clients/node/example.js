// @ts-check
// A tour of the modelrouter API from Node: Select, InvokeStream, a tool call
// round trip (Invoke with tools), Feedback scoring its answer, Stats, and a
// failing call with its error details. Run: node example.js [host:port]
//
// MODELROUTER_API_KEY, MODELROUTER_CA_FILE, MODELROUTER_CERT_FILE and
// MODELROUTER_KEY_FILE set the API key and TLS (see `connection` below); without
// them it speaks plaintext and sends no key. A failed call ends it with exit
// status 1 and a `failed: code=... reason=...` line on stderr.
'use strict';

const fs = require('node:fs');
const net = require('node:net');
const grpc = require('@grpc/grpc-js');
const { createClient, errorDetails } = require('./router');

/** @typedef {import('./generated/modelrouter/v1/SelectResponse').SelectResponse__Output} SelectResponse */
/** @typedef {import('./generated/modelrouter/v1/StatsResponse').StatsResponse__Output} StatsResponse */
/** @typedef {import('./generated/modelrouter/v1/InvokeStreamResponse').InvokeStreamResponse__Output} StreamMessage */
/** @typedef {import('./generated/modelrouter/v1/InvokeResponse').InvokeResponse__Output} InvokeResponse */
/** @typedef {import('./generated/modelrouter/v1/ChatMessage').ChatMessage} ChatMessage */
/** @typedef {import('./generated/modelrouter/v1/Tool').Tool} Tool */
/** @typedef {import('./generated/modelrouter/v1/RouterService').RouterServiceClient} RouterServiceClient */

const address = process.argv[2] ?? '127.0.0.1:50051';

/**
 * How to reach the server, from the environment:
 * - MODELROUTER_CA_FILE: TLS, trusting the CA in this PEM file; unset: plaintext
 * - MODELROUTER_CERT_FILE with MODELROUTER_KEY_FILE: a client certificate and its
 *   key (PEM), for a server that asks for one (mTLS)
 * - MODELROUTER_API_KEY: sent as `authorization: Bearer <key>` on every call
 * @param {string} address
 * @returns {{ credentials: grpc.ChannelCredentials, options: grpc.ClientOptions }}
 */
function connection(address) {
  /** @param {string} name */
  const env = (name) => process.env[name] || undefined;
  const ca = env('MODELROUTER_CA_FILE');
  const cert = env('MODELROUTER_CERT_FILE');
  const key = env('MODELROUTER_KEY_FILE');
  if (!cert !== !key) throw new Error('MODELROUTER_CERT_FILE and MODELROUTER_KEY_FILE go together');
  if (cert && !ca) throw new Error('MODELROUTER_CERT_FILE and MODELROUTER_KEY_FILE need MODELROUTER_CA_FILE (TLS)');
  const credentials = ca
    ? grpc.credentials.createSsl(
        fs.readFileSync(ca),
        key ? fs.readFileSync(key) : null,
        cert ? fs.readFileSync(cert) : null,
      )
    : grpc.credentials.createInsecure();
  const apiKey = env('MODELROUTER_API_KEY');
  if (!apiKey) return { credentials, options: {} };
  // A key read on the way is a key stolen: in plaintext it goes only to this machine.
  if (!ca && !isLoopback(address)) {
    throw new Error('MODELROUTER_API_KEY is sent only over TLS (set MODELROUTER_CA_FILE) or to a loopback address');
  }
  return { credentials, options: { interceptors: [bearer(apiKey)] } };
}

/**
 * A client interceptor that adds `authorization: Bearer <key>` to every call's metadata.
 * @param {string} key
 * @returns {grpc.Interceptor}
 */
function bearer(key) {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set('authorization', `Bearer ${key}`);
        next(metadata, listener);
      },
    });
}

/**
 * Whether "host:port" names this machine (localhost or a loopback address).
 * @param {string} address
 */
function isLoopback(address) {
  const host = address.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || (net.isIP(host) !== 0 && (host.startsWith('127.') || host === '::1'));
}

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

/**
 * A function the model may ask to call. Its parameters are the JSON Schema of its
 * arguments, as JSON text: an object schema.
 * @type {Tool}
 */
const weatherTool = {
  name: 'get_weather',
  description: 'The current weather in a city.',
  parameters: JSON.stringify({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
};

/**
 * The tool itself, run here, by the caller, not by the router: it reads the
 * arguments the model wrote and answers with JSON (a fixed forecast, for the example).
 * @param {string} args the call's arguments, a JSON object as text
 */
function getWeather(args) {
  const { city } = JSON.parse(args);
  return JSON.stringify({ city, temperature_c: 21, sky: 'clear' });
}

/**
 * One tool call round trip: ask with the tool, the model calls it, send the call's
 * result back, and the model answers in text. The request's tools make the
 * selection require the `tools` capability.
 * @param {RouterServiceClient} client
 * @returns {Promise<InvokeResponse>} the model's answer in text
 */
async function toolRoundTrip(client) {
  const selection = { requirements: { task: 'chat' }, strategy: 'by-task' };
  /** @type {ChatMessage[]} */
  const conversation = [
    { role: 'system', content: 'Report the weather in the city the user names.' },
    { role: 'user', content: 'Paris' },
  ];
  /** @type {InvokeResponse} */
  const asked = await unary((done) =>
    client.Invoke({ selection, messages: conversation, tools: [weatherTool] }, { deadline: deadline(30) }, done),
  );
  if (asked.tool_calls.length === 0) {
    throw new Error(`${asked.model} answered ${JSON.stringify(asked.text)} without calling the tool`);
  }
  // The next turn sends the whole conversation: the assistant's message with its
  // calls, then one "tool" message per call, naming the call it answers.
  conversation.push({ role: 'assistant', content: asked.text, tool_calls: asked.tool_calls });
  for (const call of asked.tool_calls) {
    console.log(
      `tool_call: model=${asked.model} finish_reason=${asked.finish_reason} id=${call.id} name=${call.name} ` +
        `arguments=${call.arguments}`,
    );
    if (call.name !== weatherTool.name) throw new Error(`the model called ${call.name}, a tool it was not offered`);
    conversation.push({ role: 'tool', tool_call_id: call.id, content: getWeather(call.arguments) });
  }
  /** @type {InvokeResponse} */
  const answered = await unary((done) =>
    client.Invoke({ selection, messages: conversation, tools: [weatherTool] }, { deadline: deadline(30) }, done),
  );
  console.log(
    `tool_result: model=${answered.model} finish_reason=${answered.finish_reason} text=${JSON.stringify(answered.text)}`,
  );
  return answered;
}

async function main() {
  const { credentials, options } = connection(address);
  const client = createClient(address, credentials, options);
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

    // Tools: one tool call round trip.
    const answered = await toolRoundTrip(client);

    // Feedback: score the answer (1 best, 0 worst) by its decision's id. The
    // `learned` strategy learns each model's quality per task from these scores.
    // A decision takes one score: a second is ALREADY_EXISTS FEEDBACK_EXISTS.
    const decisionId = answered.decision?.decision_id ?? '';
    await unary((done) => client.Feedback({ decision_id: decisionId, score: 1 }, { deadline: deadline() }, done));
    console.log(`feedback: sent decision_id=${decisionId} model=${answered.model} score=1`);

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
  const error = /** @type {grpc.ServiceError} */ (err);
  if (typeof error?.code === 'number') {
    // A refused call (UNAUTHENTICATED without a valid key, say): its code and reason.
    const reason = errorDetails(error).errorInfo?.reason ?? '-';
    console.error(`failed: code=${grpc.status[error.code]} reason=${reason} message=${JSON.stringify(error.details)}`);
  } else {
    console.error(`failed: ${err instanceof Error ? err.message : err}`);
  }
  process.exitCode = 1;
});
